"""IBANs: country code, check digits, BBAN; mod-97 and per-country length (python-stdnum)."""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity
from outguard.pii.validators import is_valid_iban

DETECTORS = (
    PatternDetector(
        name="iban",
        entity=Entity.IBAN,
        pattern=re.compile(
            r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])"
        ),
        validate=is_valid_iban,
        context=("iban", "bank", "account", "transfer", "swift", "bic"),
        base_score=0.95,
        context_score=0.99,
        checksum=True,
    ),
)
