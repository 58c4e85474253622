"""US ITINs: 9XX-[50-65,70-88,90-92,94-99]-XXXX (python-stdnum's rules)."""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity
from outguard.pii.validators import is_valid_itin

DETECTORS = (
    PatternDetector(
        name="us_itin",
        entity=Entity.US_ITIN,
        pattern=re.compile(r"(?<![\d-])9\d{2}([- ]?)\d{2}\1\d{4}(?![\d-])"),
        validate=is_valid_itin,
        context=("itin", "individual taxpayer", "taxpayer id", "tin"),
        negative=("invoice", "order", "po", "phone", "tel"),
        base_score=0.8,
        context_score=0.99,
        checksum=True,
    ),
)
