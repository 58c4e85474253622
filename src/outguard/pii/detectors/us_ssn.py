"""US Social Security numbers: 3-2-4 digits, area/group/serial rules, published samples out."""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity
from outguard.pii.validators import is_valid_ssn

DETECTOR = PatternDetector(
    name="us_ssn",
    entity=Entity.US_SSN,
    # Separators must agree ("123-45-6789", "123 45 6789"); bare 9 digits need context.
    pattern=re.compile(r"(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])"),
    validate=is_valid_ssn,
    context=(
        "ssn",
        "ss#",
        "ss #",
        "ssn#",
        "social security",
        "soc sec",
        "soc. sec",
        "ss no",
        "taxpayer id",
        "tin",
    ),
    negative=(
        "invoice",
        "inv",
        "order",
        "po",
        "tracking",
        "phone",
        "tel",
        "fax",
        "routing",
        "account",
    ),
    base_score=0.85,
    context_score=0.99,
    checksum=True,
)

BARE = PatternDetector(
    name="us_ssn_bare",
    entity=Entity.US_SSN,
    pattern=re.compile(r"(?<![\d-])\d{9}(?![\d-])"),
    validate=is_valid_ssn,
    context=DETECTOR.context,
    negative=DETECTOR.negative,
    requires_context=True,
    context_score=0.9,
    checksum=True,
)

DETECTORS = (DETECTOR, BARE)
