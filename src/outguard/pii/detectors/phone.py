"""Phone numbers: written like phone numbers, then validated by `phonenumbers` (libphonenumber).

Amounts ("1,234.56"), dates and order numbers are excluded by shape before validation: a
phone number here has separators or a "+" country code, or a phone word beside it.
"""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity
from outguard.pii.validators import is_valid_phone

_WORDS = (
    "phone",
    "tel",
    "tel.",
    "telephone",
    "mobile",
    "cell",
    "fax",
    "call",
    "called",
    "calling",
    "text",
    "sms",
    "reach",
    "ph",
    "contact",
    "whatsapp",
)

DETECTORS = (
    PatternDetector(
        name="phone",
        entity=Entity.PHONE,
        pattern=re.compile(
            r"(?<![\w+])(?:(?:\+\d{1,3}|1)[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?![\w-])"
        ),
        validate=is_valid_phone,
        context=_WORDS,
        negative=(
            "invoice",
            "order",
            "po",
            "ssn",
            "routing",
            "account",
            "acct",
            "amount",
        ),
        base_score=0.75,
        context_score=0.95,
    ),
    PatternDetector(
        name="phone_international",
        entity=Entity.PHONE,
        pattern=re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\d{1,4}){2,5}(?![\w-])"),
        validate=lambda v: is_valid_phone(v, "ZZ"),
        context=_WORDS,
        base_score=0.85,
        context_score=0.97,
    ),
    PatternDetector(  # a signature line holding nothing but a number
        name="phone_own_line",
        entity=Entity.PHONE,
        pattern=re.compile(r"(?m)^[ \t]*(\d{10}(?:\s?(?:x|ext\.?)\s?\d{1,5})?)[ \t]*$"),
        validate=lambda v: is_valid_phone(v.split("x")[0].split("ext")[0]),
        base_score=0.7,
        group=1,
    ),
    PatternDetector(
        name="phone_bare",
        entity=Entity.PHONE,
        pattern=re.compile(r"(?<![\d-])\d{10}(?![\d-])"),
        validate=is_valid_phone,
        context=_WORDS,
        requires_context=True,
        context_score=0.85,
    ),
)
