"""ABA routing transit numbers: 9 digits, the 3-7-1 checksum, a Federal Reserve prefix.

One 9-digit number in ten passes the checksum by chance, so a routing number is reported
only with context (or from a column whose header says so: see the table engine).
"""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity
from outguard.pii.validators import is_valid_aba

DETECTORS = (
    PatternDetector(
        name="aba_routing",
        entity=Entity.ABA_ROUTING,
        pattern=re.compile(r"(?<![\d-])\d{9}(?![\d-])"),
        validate=is_valid_aba,
        context=(
            "routing",
            "aba",
            "rtn",
            "transit",
            "bank routing",
            "routing #",
            "routing no",
            "rt#",
            "r/t",
        ),
        requires_context=True,
        context_score=0.97,
        checksum=True,
    ),
)
