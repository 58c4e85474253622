"""US passport numbers: 9 digits, or a letter and 8 digits (next-generation books), with context."""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity

DETECTORS = (
    PatternDetector(
        name="us_passport",
        entity=Entity.US_PASSPORT,
        pattern=re.compile(r"(?<![A-Za-z0-9])[A-Za-z]?\d{8,9}(?![A-Za-z0-9])"),
        context=("passport", "passport no", "passport number", "passport #"),
        requires_context=True,
        context_score=0.9,
    ),
)
