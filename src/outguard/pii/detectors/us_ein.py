"""US Employer Identification Numbers: NN-NNNNNNN with a valid IRS campus prefix."""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity
from outguard.pii.validators import is_valid_ein

_CONTEXT = (
    "ein",
    "fein",
    "employer id",
    "employer identification",
    "tax id",
    "taxpayer id",
    "tin",
    "federal id",
    "fed id",
)

DETECTORS = (
    PatternDetector(
        name="us_ein",
        entity=Entity.US_EIN,
        pattern=re.compile(r"(?<![\d-])\d{2}-\d{7}(?![\d-])"),
        validate=is_valid_ein,
        context=_CONTEXT,
        negative=("invoice", "order", "po", "ref", "phone"),
        base_score=0.75,
        context_score=0.98,
        checksum=True,
    ),
    PatternDetector(
        name="us_ein_bare",
        entity=Entity.US_EIN,
        pattern=re.compile(r"(?<![\d-])\d{9}(?![\d-])"),
        validate=is_valid_ein,
        # "Tax ID" may front an SSN too; either way the number is found and redacted.
        context=_CONTEXT,
        requires_context=True,
        context_score=0.9,
        checksum=True,
    ),
)
