"""Value-level transforms that need no key: mask, redact, generalize, formula neutralising.

Batch-first (a column in, a column out); `None` (an empty cell) stays `None`. Nothing here
raises on a value it cannot understand: it falls back to the safest output (a redaction
placeholder), because a transform that fails open would leak the value.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

import usaddress

from outguard.pii.entities import Entity
from outguard.security import datetext

Column = Sequence[str | None]

# A spreadsheet evaluates a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(value: str) -> str:
    """Prefix a would-be formula with an apostrophe; plain signed numbers stay as they are."""
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_column(values: Column) -> list[str | None]:
    return [None if v is None else neutralise_formula(v) for v in values]


def placeholder(entity: Entity | None) -> str:
    return f"[{entity.value if entity else 'REDACTED'}]"


def redact(values: Column, entity: Entity | None) -> list[str | None]:
    mark = placeholder(entity)
    return [v if v is None or not v.strip() else mark for v in values]


def mask_value(
    value: str, *, keep_first: int = 0, keep_last: int = 4, char: str = "*"
) -> str:
    """Mask letters and digits, keep separators and layout: 123-45-6789 -> ***-**-6789.

    At least 3/8 of the characters are always masked (16-digit card: first 6 + last 4 at
    most, as PCI DSS allows), so a short value never survives whole.
    """
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    n = len(positions)
    visible = min(keep_first + keep_last, n - -(-3 * n // 8))
    first = min(keep_first, visible)
    last = visible - first
    hidden = set(positions[first : n - last])
    return "".join(char if i in hidden else c for i, c in enumerate(value))


def mask(
    values: Column, *, keep_first: int = 0, keep_last: int = 4
) -> list[str | None]:
    return [
        None if v is None else mask_value(v, keep_first=keep_first, keep_last=keep_last)
        for v in values
    ]


# ---------------------------------------------------------------- dates
# The layouts a date may be written in, date only; `_DATE_FORMATS` adds times after them.
DATE_LAYOUTS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%Y%m%d",
)
_DATE_FORMATS = (*DATE_LAYOUTS, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def parse_date(value: str) -> date | None:
    """The first of `_DATE_FORMATS` that reads the value, as `datetime.strptime` reads it."""
    text = value.strip()
    for fmt in _DATE_FORMATS:
        found = datetext.parse(text, fmt)
        if found is not None:
            return found
    return None


def _age(born: date, as_of: date) -> int:
    return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))


def age_band(born: date, as_of: date) -> str:
    age = _age(born, as_of)
    if age < 18:  # noqa: PLR2004 - the band edges are the common payroll/census ones
        return "under 18"
    for low, high in ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64)):
        if low <= age <= high:
            return f"{low}-{high}"
    return "65+"


def _per_distinct(values: Column, fn: Callable[[str], str]) -> list[str | None]:
    """`fn` of each non-blank value, worked out once per distinct value (columns repeat)."""
    memo: dict[str, str] = {}
    out: list[str | None] = []
    for v in values:
        if v is None or not v.strip():
            out.append(v)
            continue
        found = memo.get(v)
        if found is None:
            found = memo[v] = fn(v)
        out.append(found)
    return out


def generalize_date(value: str, to: str, *, as_of: date) -> str:
    d = parse_date(value)
    if d is None:
        return placeholder(Entity.DATE_OF_BIRTH)
    if to == "year":
        return str(d.year)
    if to == "decade":
        return f"{d.year // 10 * 10}s"
    if to == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return age_band(d, as_of)


def generalize_dates(values: Column, to: str, *, as_of: date) -> list[str | None]:
    return _per_distinct(values, lambda v: generalize_date(v, to, as_of=as_of))


# ---------------------------------------------------------------- addresses
_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
# "<street>, <City>, <ST> <ZIP>": the city and state are the comma-delimited fields, read
# without usaddress's model (about 150 us an address). usaddress reads such an address the
# same way, except that it sometimes takes a leading "Port" or "South" of a city for the
# street (0.25% of generated addresses); here the city is kept whole.
_CITY_STATE_ZIP = re.compile(
    r"[^,\n]+,[ ]*([A-Za-z][A-Za-z .'-]*?),[ ]*([A-Z]{2})[ ]+\d{5}(?:-\d{4})?"
)
_US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AS",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FM",
        "FL",
        "GA",
        "GU",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MH",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "MP",
        "OH",
        "OK",
        "OR",
        "PW",
        "PA",
        "PR",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VI",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "AA",
        "AE",
        "AP",
    ]
)


def _city_state(value: str) -> tuple[str, str] | None:
    m = _CITY_STATE_ZIP.fullmatch(value)
    if m is None or m.group(2) not in _US_STATES:
        return None
    return m.group(1).strip(" ,"), m.group(2)


def generalize_address(value: str, to: str) -> str:
    """city_state -> 'Springfield, IL'; state -> 'IL'; zip3 -> '627**'; unknown -> [ADDRESS]."""
    if to == "zip3":
        found = _ZIP.findall(value)
        return f"{found[-1][:3]}**" if found else placeholder(Entity.ADDRESS)
    fast = _city_state(value)
    if fast is not None and fast[0]:
        city, state = fast
        return state if to == "state" else f"{city}, {state}"
    try:
        parts, _ = usaddress.tag(value)
    except usaddress.RepeatedLabelError:
        return placeholder(Entity.ADDRESS)
    city = parts.get("PlaceName", "").strip(" ,")
    state = parts.get("StateName", "").strip(" ,.")
    if to == "state":
        return state or placeholder(Entity.ADDRESS)
    if city and state:
        return f"{city}, {state}"
    return state or placeholder(Entity.ADDRESS)


def generalize_addresses(values: Column, to: str) -> list[str | None]:
    return _per_distinct(values, lambda v: generalize_address(v, to))


# ---------------------------------------------------------------- numbers, ZIPs, IPs
def parse_amount(value: str) -> Decimal | None:
    text = value.strip().replace("$", "").replace(",", "").replace(" ", "")
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    return -amount if negative else amount


def _fmt(edge: float) -> str:
    return f"{edge:,.0f}" if float(edge).is_integer() else f"{edge:,}"


def band_of(amount: Decimal, bands: Sequence[float]) -> str:
    if amount < Decimal(str(bands[0])):
        return f"< {_fmt(bands[0])}"
    for low, high in itertools.pairwise(bands):
        if amount < Decimal(str(high)):
            return f"{_fmt(low)}–{_fmt(high)}"
    return f"≥ {_fmt(bands[-1])}"


def generalize_amount(value: str, bands: Sequence[float]) -> str:
    amount = parse_amount(value)
    return placeholder(None) if amount is None else band_of(amount, bands)


def generalize_amounts(values: Column, bands: Sequence[float]) -> list[str | None]:
    return _per_distinct(values, lambda v: generalize_amount(v, bands))


def generalize_zip3(values: Column) -> list[str | None]:
    return _per_distinct(values, lambda v: generalize_address(v, "zip3"))


def generalize_ip(value: str) -> str:
    """IPv4 -> its /24, IPv6 -> its /48: the network, not the machine."""
    try:
        ip = ipaddress.ip_address(value.strip())
    except ValueError:
        return placeholder(Entity.IP_ADDRESS)
    prefix = 24 if ip.version == 4 else 48  # noqa: PLR2004
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def generalize_ips(values: Column) -> list[str | None]:
    return _per_distinct(values, generalize_ip)
