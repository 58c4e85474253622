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
            # Printed in groups of four or written solid; never running into the next word.
            r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}"
            r"(?:(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,3})?|[A-Za-z0-9]{11,30})"
            r"(?![A-Za-z0-9])"
        ),
        validate=lambda v: is_valid_iban(v.upper()),  # typed in lower case too
        context=("iban", "bank", "account", "transfer", "swift", "bic"),
        base_score=0.95,
        context_score=0.99,
        checksum=True,
    ),
)
