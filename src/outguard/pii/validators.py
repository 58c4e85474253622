"""Scalar validators per entity, built on python-stdnum, phonenumbers and the standard library.

Each takes the raw string (separators allowed) and answers whether it is a structurally valid
identifier of its kind: checksum, length, issuer prefixes, reserved ranges. Published sample
values (the Woolworth SSN, "123-45-6789") are not personal data and are rejected.
"""

from __future__ import annotations

import functools
import ipaddress
import re

import phonenumbers
from stdnum import iban as _iban
from stdnum import luhn
from stdnum.us import ein as _ein
from stdnum.us import itin as _itin
from stdnum.us import rtn as _rtn
from stdnum.us import ssn as _ssn

from outguard.security import nanp

# Samples printed in ads, documentation and forms: never a person's number.
SAMPLE_SSNS = frozenset(
    {"123456789", "078051120", "219099999", "111111111", "333333333"}
)
_DIGITS_ONLY = re.compile(r"\D")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def digits(value: str) -> str:
    return _DIGITS_ONLY.sub("", value)


# Nine ASCII digits are the common case: stdnum's rules for them, read once from stdnum
# itself, without its per-call cleaning and number-database walk (other input: stdnum).
# tests/unit/pii/test_validators_fast.py checks each against stdnum on random numbers.
_SSN_BLACKLIST: frozenset[str] | None = (
    frozenset(b)
    if isinstance(b := getattr(_ssn, "_ssn_blacklist", None), set)
    else None
)


def _nine(compact: str) -> bool:
    return len(compact) == 9 and compact.isascii()  # noqa: PLR2004


@functools.cache
def _ein_prefixes() -> frozenset[str]:
    """EIN prefixes stdnum knows a campus for (validity of nine digits is the prefix's)."""
    return frozenset(f"{p:02d}" for p in range(100) if _ein.is_valid(f"{p:02d}0000000"))


@functools.cache
def _itin_heads() -> frozenset[tuple[str, str]]:
    """(first digit, group) pairs stdnum accepts (the rest of an ITIN is not checked)."""
    return frozenset(
        (str(a), f"{g:02d}")
        for a in range(10)
        for g in range(100)
        if _itin.is_valid(f"{a}00{g:02d}0000")
    )


def is_valid_ssn(value: str) -> bool:
    compact = digits(value)
    if len(compact) != 9 or compact in SAMPLE_SSNS:  # noqa: PLR2004
        return False
    if not compact.isascii() or _SSN_BLACKLIST is None:
        return _ssn.is_valid(compact)
    area, group, serial = compact[:3], compact[3:5], compact[5:]
    if area in {"000", "666"} or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return f"{area}-{group}-{serial}" not in _SSN_BLACKLIST


def is_valid_itin(value: str) -> bool:
    compact = digits(value)
    if _nine(compact):
        return (compact[0], compact[3:5]) in _itin_heads()
    return _itin.is_valid(compact)


def is_valid_ein(value: str) -> bool:
    compact = digits(value)
    if _nine(compact):
        return compact[:2] in _ein_prefixes()
    return _ein.is_valid(compact)


def is_valid_aba(value: str) -> bool:
    compact = digits(value)
    if len(compact) != 9:  # noqa: PLR2004
        return False
    if compact.isascii():
        if _rtn.calc_check_digit(compact[:-1]) != compact[-1]:
            return False
    elif not _rtn.is_valid(compact):
        return False
    prefix = int(compact[:2])
    return prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80  # noqa: PLR2004


# Issuer prefixes (IIN ranges) of the major networks, including Mastercard's 2-series.
_CARD_PREFIXES = re.compile(
    r"4\d{11,18}"  # Visa (12-19 digits in practice: 13, 16, 19)
    r"|5[1-5]\d{14}"  # Mastercard 51-55
    r"|2(?:2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12}"  # Mastercard 2221-2720
    r"|3[47]\d{13}"  # American Express
    r"|3(?:0[0-5]|[68]\d)\d{11,16}"  # Diners Club
    r"|6(?:011|5\d\d|4[4-9]\d)\d{12,15}"  # Discover
    r"|35(?:2[89]|[3-8]\d)\d{12,15}"  # JCB
    r"|62\d{14,17}"  # UnionPay
    r"|(?:5[06-9]|6\d)\d{10,17}"  # Maestro
)


def is_valid_card(value: str) -> bool:
    compact = digits(value)
    return (
        12 <= len(compact) <= 19  # noqa: PLR2004
        and _CARD_PREFIXES.fullmatch(compact) is not None
        and luhn.is_valid(compact)
    )  # network test numbers (4111 1111 1111 1111) count: a false alarm costs less than a leak


def is_valid_iban(value: str) -> bool:
    return _iban.is_valid(value.replace(" ", ""))


def is_valid_email(value: str) -> bool:
    return _EMAIL.fullmatch(value) is not None


def is_valid_phone(value: str, region: str = "US") -> bool:
    if region == "US":
        # What parse + is_valid_number say, without parsing, where that is cheap to know.
        if (national := nanp.us_national(value)) is not None:
            return nanp.is_valid(national)
        bound = nanp.national_digits_bound(value)
        if bound is not None and bound < nanp.shortest_national():
            return False  # 7 today: Canada's 310-xxxx
        if nanp.plain_wrong_length(value) or nanp.no_number(value):
            return False  # an SSN, an account number, an amount, a word
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, region))
    except phonenumbers.NumberParseException:
        return False


def is_valid_ip(value: str) -> bool:
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return False
    return not (ip.is_unspecified or ip.is_loopback)
