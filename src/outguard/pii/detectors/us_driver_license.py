"""US driver's licence numbers, beside a licence word.

State formats differ too much for a pattern alone, so a licence word must stand beside a
5-19 character code (Florida's has dashes) with at least 4 digits.
"""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity


def _plausible(value: str) -> bool:
    return sum(c.isdigit() for c in value) >= 4  # noqa: PLR2004


DETECTORS = (
    PatternDetector(
        name="us_driver_license",
        entity=Entity.US_DRIVER_LICENSE,
        pattern=re.compile(
            r"(?<![A-Za-z0-9-])[A-Za-z]{0,2}\d[A-Za-z0-9-]{4,16}(?![A-Za-z0-9-])"
        ),
        validate=_plausible,
        context=(
            "driver's license",
            "drivers license",
            "driver license",
            "driver's licence",
            "dl",
            "dl#",
            "dl no",
            "license no",
            "license number",
            "lic #",
            "lic no",
            "license",
            "licence",
            "cdl",
            "dln",
            "driving licence",
        ),
        requires_context=True,
        context_score=0.85,
    ),
)
