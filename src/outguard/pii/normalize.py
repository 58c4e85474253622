"""Unicode tricks inside identifiers: look-alike digits and invisible characters.

`123-45-6789` written with Arabic-Indic or full-width digits, or with zero-width spaces
between its digits, is still an SSN. Detection runs on a normalised copy (look-alike digits
mapped to ASCII, zero-width and soft-hyphen characters removed, look-alike dashes mapped to
"-") and maps every span back to the original offsets.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d")
_SPACES = frozenset("\u00a0\u2007\u202f\u3000")


@dataclass(frozen=True)
class Normalised:
    text: str
    # offsets[i] = index in the original of normalised character i; offsets[len] = len(orig)
    offsets: tuple[int, ...] | None  # None: the text was already normal (identity map)

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[
            end - 1
        ] + 1 if end > start else self.offsets[start]


def _needs_work(text: str) -> bool:
    return not text.isascii()


def normalise(text: str) -> Normalised:
    """Fast path for ASCII text; otherwise build the normalised copy and its offset map."""
    if not _needs_work(text):
        return Normalised(text, None)
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        if ch in _DASHES:
            ch = "-"  # noqa: PLW2901 - the mapped character
        elif ch in _SPACES:
            ch = " "  # noqa: PLW2901
        elif not ch.isascii() and ch.isdecimal():
            ch = str(unicodedata.decimal(ch))  # noqa: PLW2901
        out.append(ch)
        offsets.append(i)
    offsets.append(len(text))
    return Normalised("".join(out), tuple(offsets))
