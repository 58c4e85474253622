"""US ITINs: 9XX-[50-65,70-88,90-92,94-99]-XXXX (python-stdnum's rules)."""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity
from outguard.pii.validators import is_valid_itin

_CONTEXT = ("itin", "individual taxpayer", "taxpayer id", "tin", "w-7")
_NEGATIVE = ("invoice", "order", "po", "phone", "tel", "passport", "account", "acct")

DETECTORS = (
    PatternDetector(
        name="us_itin",
        entity=Entity.US_ITIN,
        pattern=re.compile(r"(?<![\d-])9\d{2}([- ])\d{2}\1\d{4}(?![\d-])"),
        validate=is_valid_itin,
        context=_CONTEXT,
        negative=_NEGATIVE,
        base_score=0.8,
        context_score=0.99,
        checksum=True,
    ),
    PatternDetector(  # nine bare digits are many things: an ITIN only when called one
        name="us_itin_bare",
        entity=Entity.US_ITIN,
        pattern=re.compile(r"(?<![\d-])9\d{8}(?![\d-])"),
        validate=is_valid_itin,
        context=_CONTEXT,
        negative=_NEGATIVE,
        requires_context=True,
        context_score=0.95,
        checksum=True,
    ),
)
