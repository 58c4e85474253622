"""A canary's value for a column that holds no identifier: drawn from what the column holds.

A canary row must not stand out: an amount column whose values run 100-139 should not get
420, a department column should get one of its departments. So a non-personal column's value
is, by what its observed values are:

- categories (values repeat): one of them, as often as they occur;
- numbers: a number between the smallest and largest seen, written like one of them (sign
  or parentheses, thousands separators, decimals);
- dates: a date between the earliest and latest seen, in one of their layouts;
- anything else (codes such as "INV-00123" or "E52044"): one of them with its digits redrawn,
  letters and punctuation kept, so its prefix and layout stay the column's.
"""

from __future__ import annotations

import random  # noqa: TID251 - the caller's seeded stream, not secrets
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import TypeVar

from outguard.protect.cells import DATE_LAYOUTS, parse_date
from outguard.security import datetext

_NUMBER = re.compile(
    r"(?P<open>[(-]?)(?P<cur>\$?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<dec>\d+))?(?P<close>\)?)"
)
_DIGITS = re.compile(r"\d+")
T = TypeVar("T")


class Plausible:
    """What a column's observed values allow, worked out once; `draw` gives one value."""

    def __init__(self, samples: Sequence[str]) -> None:
        self.values = [s.strip() for s in samples if s and s.strip()]
        self.kind = "empty"
        self.numbers: list[Decimal] = []
        self.dates: list[tuple[date, str]] = []
        if not self.values:
            return
        if len(set(self.values)) <= len(self.values) // 2:  # repeated: a category
            self.kind = "category"
            return
        self.numbers = _all(_number, self.values)
        if self.numbers:
            self.kind = "number"
            return
        self.dates = _all(_date, self.values)
        self.kind = "date" if self.dates else "code"

    def draw(self, rng: random.Random) -> str:
        if self.kind == "empty":
            return ""
        if self.kind == "category":
            return rng.choice(self.values)
        if self.kind == "number":
            return _between_numbers(self.values, self.numbers, rng)
        if self.kind == "date":
            return _between_dates(self.dates, rng)
        return _redraw_digits(rng.choice(self.values), rng)


def _all(read: Callable[[str], T | None], values: list[str]) -> list[T]:
    """Every value read, or [] as soon as one cannot be."""
    out = []
    for v in values:
        found = read(v)
        if found is None:
            return []
        out.append(found)
    return out


def plausible_value(samples: Sequence[str], rng: random.Random) -> str:
    """A value that fits among `samples`; "" when there are none."""
    return Plausible(samples).draw(rng)


def _number(value: str) -> Decimal | None:
    m = _NUMBER.fullmatch(value)
    if m is None or (m["open"] == "(") != (m["close"] == ")"):
        return None
    try:
        amount = Decimal(
            m["int"].replace(",", "") + ("." + m["dec"] if m["dec"] else "")
        )
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    return -amount if m["open"] else amount


def _between_numbers(
    values: list[str], numbers: list[Decimal], rng: random.Random
) -> str:
    """A magnitude in the observed range, written like a value of as many integer digits."""
    places = max(len(_NUMBER.fullmatch(v)["dec"] or "") for v in values)  # type: ignore[index]
    low, high = min(abs(n) for n in numbers), max(abs(n) for n in numbers)
    step = Decimal(1).scaleb(-places)
    drawn = low + step * rng.randint(0, int((high - low) / step))
    width = len(str(int(drawn)))
    alike = [
        v
        for v, n in zip(values, numbers, strict=True)
        if len(str(int(abs(n)))) == width
    ]
    m = _NUMBER.fullmatch(rng.choice(alike or values))
    assert m is not None  # noqa: S101 - every value parsed above
    own = len(m["dec"] or "")
    drawn = drawn.quantize(Decimal(1).scaleb(-own), rounding=ROUND_DOWN)
    text = f"{drawn:,.{own}f}" if "," in m["int"] else f"{drawn:.{own}f}"
    return f"{m['open']}{m['cur']}{text}{m['close']}"


def _date(value: str) -> tuple[date, str] | None:
    found = parse_date(value)
    if found is None:
        return None
    layout = next(
        (f for f in DATE_LAYOUTS if datetext.parse(value, f) == found), "%Y-%m-%d"
    )
    return found, layout


def _between_dates(dates: list[tuple[date, str]], rng: random.Random) -> str:
    first = min(d for d, _ in dates)
    last = max(d for d, _ in dates)
    drawn = first + timedelta(days=rng.randint(0, (last - first).days))
    return drawn.strftime(rng.choice(dates)[1])


def _redraw_digits(template: str, rng: random.Random) -> str:
    """Each run of digits redrawn with as many digits (a leading zero stays a zero)."""

    def redraw(m: re.Match[str]) -> str:
        run = m.group()
        lead = "0" if run[0] == "0" else str(rng.randint(1, 9))
        return lead + "".join(str(rng.randint(0, 9)) for _ in run[1:])

    return _DIGITS.sub(redraw, template)
