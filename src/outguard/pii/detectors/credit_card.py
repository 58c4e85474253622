"""Payment cards: 12-19 digits in groups, a known issuer prefix, and the Luhn check."""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity
from outguard.pii.validators import is_valid_card

DETECTORS = (
    PatternDetector(
        name="credit_card",
        entity=Entity.CREDIT_CARD,
        pattern=re.compile(r"(?<![\d-])\d(?:[ -]?\d){11,18}(?![\d-])"),
        validate=is_valid_card,
        context=(
            "card",
            "credit",
            "debit",
            "visa",
            "mastercard",
            "amex",
            "discover",
            "cc",
            "pan",
            "cardholder",
        ),
        negative=("invoice", "order", "tracking", "po", "ref", "account", "acct"),
        base_score=0.85,
        context_score=0.99,
        checksum=True,
    ),
)
