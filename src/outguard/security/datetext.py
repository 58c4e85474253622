"""Numeric dates read exactly as `datetime.strptime` reads them, without its per-call cost.

strptime matches a regex built from its directive patterns, then builds the date; most of its
time goes to per-call locale and cache checks. For formats made only of %d %m %y %Y and the
separators - / . this module matches CPython's own directive patterns (`_strptime.TimeRE`)
and builds the date the same way (%y: 00-68 is 20xx, 69-99 is 19xx; `date()` refuses a day
past the month's end). Other formats (month names, times) still go to strptime.
tests/unit/protect/test_cells.py and tests/unit/security/test_token_equivalence.py compare both.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

_DIRECTIVES = {
    "d": r"(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])",
    "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
    "y": r"(?P<y>\d\d)",
    "Y": r"(?P<Y>\d\d\d\d)",
}
_Y2K_PIVOT = 68


@functools.cache
def _numeric(fmt: str) -> re.Pattern[str] | None:
    if re.fullmatch(r"(?:%[dmyY]|[-/.])+", fmt) is None:
        return None
    escaped = fmt.replace(".", "\\.")
    return re.compile(
        re.sub(r"%([dmyY])", lambda m: _DIRECTIVES[m.group(1)], escaped), re.IGNORECASE
    )


def _read(pattern: re.Pattern[str], text: str) -> date | None:
    found = pattern.match(text)
    if found is None or found.end() != len(text):
        return None
    parts = found.groupdict()
    if "y" in parts:
        year = int(parts["y"])
        year += 2000 if year <= _Y2K_PIVOT else 1900
    else:
        year = int(parts["Y"])
    try:
        return date(year, int(parts["m"]), int(parts["d"]))
    except ValueError:
        return None


def parse(text: str, fmt: str) -> date | None:
    """`datetime.strptime(text, fmt).date()`, or None where strptime raises ValueError."""
    pattern = _numeric(fmt)
    if pattern is not None:
        return _read(pattern, text)
    try:
        return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        return None
