"""Bank account numbers: 6-17 digits, reported only beside account words (no checksum exists)."""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity

DETECTORS = (
    PatternDetector(
        name="bank_account",
        entity=Entity.BANK_ACCOUNT,
        pattern=re.compile(r"(?<![\d/.,-])\d(?:[ -]?\d){5,16}(?![\d/-])(?![.,]\d)"),
        context=(
            "account",
            "acct",
            "acct#",
            "a/c",
            "account number",
            "account no",
            "checking",
            "savings",
            "deposit to",
            "dda",
        ),
        negative=("invoice", "order", "po", "phone", "tel", "fax", "amount"),
        requires_context=True,
        context_score=0.8,
    ),
)
