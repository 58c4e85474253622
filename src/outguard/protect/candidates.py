"""Where tokens and pseudonyms may sit in free text: candidate spans, nothing decided yet.

Re-identification and leak tracing both need the token-shaped pieces of a note an agent
wrote ("paid 412-55-0193's invoice", "emailed 4tnlm6@hotmail.com") and the name-shaped
pieces ("J. Xqvbn", "Xavier Quill"). Whether a piece really is one of a recipient's tokens is
decided later, by its key and its fingerprint set; here we only cut the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_TOKEN = re.compile(
    r"""
    [A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+      # e-mail
    | \b[A-Z]{2}\d{2}(?:\ ?[A-Z0-9]{4}){2,7}(?:\ ?[A-Z0-9]{1,4})?\b   # IBAN
    | \b\d{1,3}(?:\.\d{1,3}){3}\b                            # IPv4
    | (?<![\w-])\+?\(?\d[\d().\ -]{4,}\d(?:\ ?x\d{1,6})?(?![\w])  # digit groups, phones
    | \b[A-Za-z]{0,3}\d[A-Za-z0-9-]{4,}\b                    # licence/passport-like codes
    """,
    re.VERBOSE,
)
_WORD = re.compile(r"[A-Z][a-zA-Z'’-]+|[A-Z]\.")
# Compiled once: `re`'s own cache is churned by phonenumbers' patterns during a file.
_GROUP = re.compile(r"\S+")
_OCR_DIGITS = str.maketrans(
    {"O": "0", "o": "0", "l": "1", "I": "1", "S": "5", "B": "8"}
)
MAX_NAME_WORDS = 4


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in ".,;:)'":
        if text[end - 1] == ")" and "(" in text[start:end]:
            break
        end -= 1
    return start, end


def _worth(piece: str) -> bool:
    return sum(c.isdigit() for c in piece) >= 4 or "@" in piece  # noqa: PLR2004


def token_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans that could be a format-preserving token (trimmed of trailing punctuation).

    Digit groups separated by spaces may be one value ("(801) 516-3197") or two side by side
    ("412-55-0193 691449928"): the whole run, each group and each pair are all candidates
    (overlapping); the caller keeps the ones a key confirms.
    """
    for m in _TOKEN.finditer(text):
        start, end = _trim(text, m.start(), m.end())
        if not _worth(text[start:end]):
            continue
        yield start, end
        if " " not in text[start:end] or "@" in text[start:end]:
            continue
        groups = [g.span() for g in _GROUP.finditer(text, start, end)]
        for i, (g0, g1) in enumerate(groups):
            a, b = _trim(text, g0, g1)
            if _worth(text[a:b]):
                yield a, b
            if 0 < i < len(groups) - 1 or (i == 0 and len(groups) > 2):  # noqa: PLR2004
                c, d = _trim(text, a, groups[i + 1][1])
                if _worth(text[c:d]):
                    yield c, d


def name_spans(text: str) -> Iterator[tuple[int, int]]:
    """Runs of 2-4 capitalised words (or an initial and a surname): where a pseudonym may be."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    for i in range(len(words)):
        for n in range(2, MAX_NAME_WORDS + 1):
            if i + n > len(words):
                break
            gap_ok = all(
                text[words[k][1] : words[k + 1][0]] in {" ", ", ", ". "}
                for k in range(i, i + n - 1)
            )
            if not gap_ok:
                break
            yield words[i][0], words[i + n - 1][1]


def ocr_variants(value: str) -> list[str]:
    """A value as typed, and with OCR's letter-for-digit slips fixed when it is mostly digits."""
    digits = sum(c.isdigit() for c in value)
    if digits and digits >= 0.6 * sum(c.isalnum() for c in value):
        fixed = value.translate(_OCR_DIGITS)
        if fixed != value:
            return [value, fixed]
    return [value]
