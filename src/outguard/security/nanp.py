"""NANP (+1) phone number validity for whole columns, exactly as `phonenumbers` decides it.

`phonenumbers.is_valid_number` finds a +1 number's region by trying the metadata of each NANP
region in turn (the region's leading digits, or else a full type match), then asks whether
the number has a type in that region. `_Table.is_valid` does the same from the same metadata,
without parsing. For a given area code, the patterns read only the first few digits, the rest
being "any digit" (four for most US area codes, seven for Barbados and Jamaica): that depth
is worked out per area code from the patterns themselves (`_needs`, on Python's regex parse
tree), so validity is a table over the first seven digits, filled one area code at a time
with as few checks as the depth needs, and a whole column is one numpy lookup. An area code
whose patterns cannot be analysed that way is checked number by number, still exactly.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import phonenumbers
from phonenumbers import PhoneMetadata

from outguard.security import regex_tree

NSN_DIGITS = 10  # a NANP national number: area code, exchange, line
PREFIX = 7  # the most leading digits validity depends on (Barbados, Jamaica)
_TYPES = (  # the order `phonenumbers` tries them in; any match makes the number valid
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
)


@dataclass(frozen=True)
class _Desc:
    pattern: re.Pattern[str]
    lengths: tuple[int, ...]

    def matches(self, nsn: str) -> bool:
        if self.lengths and len(nsn) not in self.lengths:
            return False
        return self.pattern.fullmatch(nsn) is not None


@dataclass(frozen=True)
class _Region:
    lead: re.Pattern[str] | None
    general: _Desc | None
    types: tuple[_Desc, ...]

    def typed(self, nsn: str) -> bool:
        """`_number_type_helper(nsn, metadata) != UNKNOWN`."""
        if self.general is None or not self.general.matches(nsn):
            return False
        return any(d.matches(nsn) for d in self.types)


def _desc(desc: Any) -> _Desc | None:
    if desc is None or not desc.national_number_pattern:
        return None  # `_match_national_number` is False for an empty pattern
    return _Desc(re.compile(desc.national_number_pattern), tuple(desc.possible_length))


def _region(code: str) -> _Region | None:
    md = PhoneMetadata.metadata_for_region(code.upper(), None)
    if md is None:
        return None
    names = list(_TYPES)
    if not md.same_mobile_and_fixed_line_pattern:
        names.append("mobile")
    types = tuple(d for n in names if (d := _desc(getattr(md, n))) is not None)
    lead = re.compile(md.leading_digits) if md.leading_digits is not None else None
    return _Region(lead, _desc(md.general_desc), types)


# ---------------------------------------------------------------- the shape check
_C = regex_tree.OP
_any_digit = regex_tree.any_digit


def _in_class(items: Any, ch: int) -> bool:
    hit = regex_tree.in_class(items, ch)
    return True if hit is None else hit  # not understood: it may match


_UNBOUNDED = NSN_DIGITS + 1  # "reads further than we can tell"


def _needs(items: list[Any], pos: int, known: str) -> int:
    """How many leading characters decide whether `items` match from `pos` (past: digits).

    For digit strings that start with `known`; paths that `known` rules out count for
    nothing. Anything but literals, classes, groups, branches and bounded repeats is not
    analysed and counts as reading everything.
    """
    if not items or all(_any_digit(o, a) for o, a in items):
        return pos  # digits to the end: only the length counts, and it is fixed
    (op, av), rest = items[0], items[1:]
    if op in (_C.LITERAL, _C.IN):
        if pos < len(known):
            ch = ord(known[pos])
            if not (av == ch if op is _C.LITERAL else _in_class(av, ch)):
                return 0  # no string starting with `known` takes this path
        return max(pos + 1, _needs(rest, pos + 1, known))
    if op is _C.SUBPATTERN:
        return _needs(list(av[-1]) + rest, pos, known)
    if op is _C.BRANCH:
        return max(_needs(list(alt) + rest, pos, known) for alt in av[1])
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
        low, high, body = av
        if high is _C.MAXREPEAT or high > NSN_DIGITS:
            return _UNBOUNDED
        return max(
            _needs(list(body) * k + rest, pos, known) for k in range(low, high + 1)
        )
    return _UNBOUNDED  # anchors, look-arounds, back references


# ---------------------------------------------------------------- the table
class _Table:
    """Validity by the first PREFIX digits, filled one area code at a time, as few as it needs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.regions: list[_Region] | None = None
        self.parsed: list[list[Any]] | None = None  # every pattern the regions read
        self.valid = np.zeros(10**PREFIX, dtype=bool)  # pages are touched per area code
        self.depth = np.zeros(1000, dtype=np.int8)  # per area: 0 to fill, -1 per value

    def load(self) -> list[_Region]:
        with self.lock:
            if self.regions is None:
                regions = [
                    r
                    for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(1, ())
                    if (r := _region(code)) is not None
                ]
                patterns = [
                    p.pattern
                    for r in regions
                    for p in (
                        *([r.lead] if r.lead else []),
                        *([r.general.pattern] if r.general else []),
                        *(d.pattern for d in r.types),
                    )
                ]
                parsed = [regex_tree.parse(p) for p in dict.fromkeys(patterns)]
                self.parsed = [p for p in parsed if p is not None]
                if len(self.parsed) < len(parsed):  # pragma: no cover
                    self.parsed = None
                self.regions = regions
        return self.regions

    def is_valid(self, nsn: str) -> bool:
        """`phonenumbers.is_valid_number` of the +1 number `nsn`, from the metadata."""
        for region in self.load():
            if region.lead is not None:
                if region.lead.match(nsn):
                    return region.typed(nsn)
            elif region.typed(nsn):
                return True
        return False

    def _depth(self, area: str) -> int:
        """The fewest leading digits that fix validity for this area code (-1: none <= PREFIX)."""
        if self.parsed is None:  # pragma: no cover
            return -1
        depth = max(len(area), *(_needs(items, 0, area) for items in self.parsed))
        return depth if depth <= PREFIX else -1

    def fill(self, area: int) -> None:
        code = f"{area:03d}"
        depth = self._depth(code)
        if depth > 0:
            free = depth - len(code)
            row = [
                self.is_valid(f"{code}{p:0{free}d}".ljust(NSN_DIGITS, "0"))
                if free
                else self.is_valid(code.ljust(NSN_DIGITS, "0"))
                for p in range(10**free)
            ]
            span = 10 ** (PREFIX - len(code))
            self.valid[area * span : (area + 1) * span] = np.repeat(
                np.array(row, dtype=bool), 10 ** (PREFIX - depth)
            )
        with self.lock:
            self.depth[area] = depth


_TABLE = _Table()


def available() -> bool:
    """Whether this `phonenumbers` has NANP metadata to check +1 numbers with."""
    return bool(_TABLE.load())


def is_valid(nsn: str) -> bool:
    """One 10-digit +1 national number (first digit 2-9): `phonenumbers.is_valid_number`."""
    _TABLE.load()
    area = int(nsn[:3])
    if _TABLE.depth[area] == 0:
        _TABLE.fill(area)
    if _TABLE.depth[area] < 0:  # pragma: no cover
        return _TABLE.is_valid(nsn)
    return bool(_TABLE.valid[int(nsn[:PREFIX])])


# A US number in one of the usual layouts: `phonenumbers.parse(text, "US")` reads it as
# country code 1 and its last ten digits, whatever the digits are (the +1 or 1 is a country
# code, never a national prefix, before an area code 2-9), so its validity is `is_valid`
# of those ten (tests/unit/security/test_token_equivalence.py checks both against parse).
US_LAYOUT = re.compile(
    r"(?:\+?1[ .-]?)?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .-]?)[0-9]{3}[ .-]?[0-9]{4}"
)


def us_national(text: str) -> str | None:
    """The ten national digits of a US number in a usual layout; None for anything else."""
    if US_LAYOUT.fullmatch(text) is None:
        return None
    digits = "".join(c for c in text if c.isdigit())
    return digits[-NSN_DIGITS:]


def valid(nsn: np.ndarray) -> np.ndarray:
    """(N, 10) digit matrix of +1 national numbers (first digit 2-9) -> is_valid_number."""
    _TABLE.load()
    prefix = np.zeros(nsn.shape[0], dtype=np.int64)
    for k in range(PREFIX):
        prefix = prefix * 10 + nsn[:, k]
    areas = prefix // 10 ** (PREFIX - 3)
    for area in np.unique(areas).tolist():
        if _TABLE.depth[area] == 0:
            _TABLE.fill(area)
    out: np.ndarray = _TABLE.valid[prefix]
    for i in np.flatnonzero(_TABLE.depth[areas] < 0).tolist():  # pragma: no cover
        out[i] = _TABLE.is_valid("".join(map(str, nsn[i].tolist())))
    return out


_ALPHA_PHONE_LETTERS = 3  # phonenumbers maps letters to digits from three letters on


@functools.cache
def shortest_national() -> int:
    """The fewest national digits a valid +1 number has (0 where a region sets no lengths)."""
    lengths = [
        min(r.general.lengths) if r.general is not None and r.general.lengths else 0
        for r in _TABLE.load()
    ]
    return min(lengths, default=0)


@functools.cache
def national_lengths() -> frozenset[int] | None:
    """Every length a valid +1 national number can have (None: some region sets none)."""
    lengths: set[int] = set()
    for r in _TABLE.load():
        if r.general is None:
            continue  # such a region makes no number valid
        if not r.general.lengths:
            return None
        lengths.update(r.general.lengths)
    return frozenset(lengths)


# Digits and the punctuation between them, not starting with 1 or 011: `parse(text, "US")`
# then reads no extension, no country code, no national prefix and no international prefix,
# so the national number is exactly the text's digits. (Leading 1s may be read as country
# code and national prefixes, several of them: such a text is left to `phonenumbers`.)
_PLAIN_DIGITS = re.compile(r"[02-9][0-9 ()./-]*[0-9]")
# Where `phonenumbers` lets a number start: a plus sign or any digit. A text without one
# holds no number at all, whatever its letters (`parse` raises NOT_A_NUMBER).
_NUMBER_START = re.compile("[+\uff0b\\d]")


def no_number(text: str) -> bool:
    """Whether `phonenumbers.parse(text, ...)` finds no number to read in `text`."""
    return _NUMBER_START.search(text) is None


def plain_wrong_length(text: str) -> bool:
    """Whether `text` is plain digits (`_PLAIN_DIGITS`) of a length no +1 number has.

    `phonenumbers.is_valid_number(phonenumbers.parse(text, "US"))` is then False: a 9-digit
    "463-02-6868" in an SSN column is never a phone number, whatever its digits.
    """
    lengths = national_lengths()
    if lengths is None or _PLAIN_DIGITS.fullmatch(text) is None:
        return False
    digits = "".join(c for c in text if c.isdigit())
    return not digits.startswith("011") and len(digits) not in lengths


def national_digits_bound(text: str) -> int | None:
    """At most how many digits `phonenumbers.parse(text, "US")` can put in the national number.

    Without '+' or a leading 0 (the start of an international prefix) the country code is 1
    and the national number is made of the text's own digits, unless three letters make it a
    vanity number: then the bound is the text's digit count. None where it is not that cheap.
    """
    if not text.isascii() or "+" in text:
        return None
    digits = [c for c in text if c.isdigit()]
    if (digits and digits[0] == "0") or sum(
        c.isalpha() for c in text
    ) >= _ALPHA_PHONE_LETTERS:
        return None
    return len(digits)
