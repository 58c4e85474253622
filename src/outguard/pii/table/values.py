"""Per-value checks for columns: does this cell look like (tier 1) or prove (tier 2) an entity?"""

# ruff: noqa: PLR2004 - identifier shapes are defined by their lengths

from __future__ import annotations

import re
from collections.abc import Callable

from outguard.pii.detectors.person import COMPANY_WORDS, FIRST_NAMES, LAST_NAMES
from outguard.pii.entities import Entity
from outguard.pii.normalize import normalise
from outguard.pii.validators import (
    is_valid_aba,
    is_valid_card,
    is_valid_ein,
    is_valid_email,
    is_valid_iban,
    is_valid_ip,
    is_valid_itin,
    is_valid_phone,
    is_valid_ssn,
)

_SSN_SHAPE = re.compile(r"\d{3}([- ]?)\d{2}\1\d{4}")
_NINE = re.compile(r"\d{9}")
_DIGITS_SEP = re.compile(r"\d(?:[ -]?\d){3,33}")
_DATE = re.compile(
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{2}|\d{4})|\d{4}-\d{1,2}-\d{1,2}(?:[T ].*)?"
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{1,2} [A-Za-z]{3,9}\.? \d{4}"
)
_AMOUNT = re.compile(
    r"[(-]?\$?\s?-?\d{1,3}(?:,\d{3})*(?:\.\d{1,4})?\)?|[(-]?\$?-?\d+\.\d{1,4}\)?"
)
_STREET = re.compile(
    r"\d{1,6}[A-Za-z]?\s+\S.*|P\.?\s?O\.?\s+Box\s+\d+.*", re.IGNORECASE
)
_CITY_STATE = re.compile(r"[A-Za-z .'-]+,\s*[A-Z]{2}(?:\s+\d{5}(?:-\d{4})?)?")
_ALNUM_ID = re.compile(r"[A-Za-z]{0,3}\d[A-Za-z0-9-]{4,14}")
_NAME_WORD = re.compile(r"[A-Za-z][A-Za-z'.-]*")


def _looks_like_name(value: str) -> bool:
    if "," in value:
        last, _, first = value.partition(",")
        words = [*first.split(), *last.split()]
    else:
        words = value.split()
    if not 1 <= len(words) <= 5 or not all(_NAME_WORD.fullmatch(w) for w in words):
        return False
    lowered = [w.lower().strip(".") for w in words]
    if any(w in COMPANY_WORDS for w in lowered):
        return False
    return any(w in FIRST_NAMES or w in LAST_NAMES for w in lowered)


def _business_name(value: str) -> bool:
    """Shaped like a payee: a few words, none a company suffix (a firm is not a person)."""
    words = value.split()
    return (
        1 <= len(words) <= 8
        and all(w[:1].isalnum() or w[:1] in "&'(" for w in words)
        and not any(w.lower().strip(".,") in COMPANY_WORDS for w in words)
    )


# entity -> (proof: checksum/format valid, shape: looks like one)
CHECKS: dict[Entity, tuple[Callable[[str], bool], Callable[[str], bool]]] = {
    Entity.US_SSN: (is_valid_ssn, lambda v: _SSN_SHAPE.fullmatch(v) is not None),
    Entity.US_ITIN: (is_valid_itin, lambda v: _SSN_SHAPE.fullmatch(v) is not None),
    Entity.US_EIN: (
        is_valid_ein,
        lambda v: re.fullmatch(r"\d{2}-?\d{7}", v) is not None,
    ),
    Entity.ABA_ROUTING: (is_valid_aba, lambda v: _NINE.fullmatch(v) is not None),
    Entity.CREDIT_CARD: (
        is_valid_card,
        lambda v: re.fullmatch(r"\d(?:[ -]?\d){11,18}", v) is not None,
    ),
    Entity.IBAN: (
        is_valid_iban,
        lambda v: re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9 ]{11,34}", v) is not None,
    ),
    Entity.EMAIL: (is_valid_email, lambda v: "@" in v),
    Entity.PHONE: (
        is_valid_phone,
        lambda v: (
            re.fullmatch(r"[+()\d][\d ().-]{6,20}(?:\s?(?:x|ext\.?)\s?\d+)?", v)
            is not None
        ),
    ),
    Entity.IP_ADDRESS: (is_valid_ip, lambda v: "." in v or ":" in v),
    Entity.BANK_ACCOUNT: (
        lambda v: (
            _DIGITS_SEP.fullmatch(v) is not None
            and 4 <= sum(c.isdigit() for c in v) <= 17
        ),
        lambda v: _DIGITS_SEP.fullmatch(v) is not None,
    ),
    Entity.DATE_OF_BIRTH: (
        lambda v: _DATE.fullmatch(v) is not None,
        lambda v: _DATE.fullmatch(v) is not None,
    ),
    Entity.PERSON: (_looks_like_name, _business_name),
    Entity.ADDRESS: (
        lambda v: (
            _STREET.fullmatch(v) is not None or _CITY_STATE.fullmatch(v) is not None
        ),
        lambda v: any(c.isdigit() for c in v),
    ),
    Entity.US_DRIVER_LICENSE: (
        lambda v: _ALNUM_ID.fullmatch(v) is not None,
        lambda v: _ALNUM_ID.fullmatch(v) is not None,
    ),
    Entity.US_PASSPORT: (
        lambda v: re.fullmatch(r"[A-Za-z]?\d{8,9}", v) is not None,
        lambda v: re.fullmatch(r"[A-Za-z]?\d{8,9}", v) is not None,
    ),
}


def clean(value: str) -> str:
    """The cell as the checks see it: trimmed, look-alike digits and invisibles normalised."""
    return normalise(value.strip()).text


def is_amount(value: str) -> bool:
    return _AMOUNT.fullmatch(value) is not None


def is_date(value: str) -> bool:
    return _DATE.fullmatch(value) is not None
