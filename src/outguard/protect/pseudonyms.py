"""Keyed, realistic pseudonym candidates for names and street addresses (the vault picks).

A candidate is drawn from real name and street lists (Faker's en_US data: 690 first names,
1,000 last names, 225 street suffixes) by HMAC-SHA256 of (key, original, attempt), so the
same original always yields the same sequence for one recipient and unrelated sequences for
two. The layout of the original is kept: "Last, First", a middle initial, a title, ALL CAPS;
for an address the street line is replaced and the city, state and ZIP are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from faker.providers.address.en_US import Provider as _Address
from faker.providers.person.en_US import Provider as _Person

from outguard.security.aead import keyed_digest

FIRST_NAMES: tuple[str, ...] = tuple(_Person.first_names)
LAST_NAMES: tuple[str, ...] = tuple(_Person.last_names)
STREET_SUFFIXES: tuple[str, ...] = tuple(_Address.street_suffixes)
MAX_CANDIDATES = 64

_TITLE = re.compile(r"^(mr|mrs|ms|miss|dr|prof)\.?\s+", re.IGNORECASE)
_INITIAL = re.compile(r"^[A-Za-z]\.?$")
_STREET = re.compile(r"^\s*(\d+[A-Za-z]?)\s+(.+?)(?=,|\n|$)")


def _draws(key: bytes, label: str, value: str) -> Iterator[bytes]:
    for attempt in range(MAX_CANDIDATES):
        yield keyed_digest(key, f"pseudonym/{label}/{attempt}", value)


def _pick(options: tuple[str, ...], digest: bytes, offset: int) -> str:
    return options[int.from_bytes(digest[offset : offset + 4], "big") % len(options)]


def _case_like(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template.islower():
        return word.lower()
    return word


def person_candidates(key: bytes, value: str) -> Iterator[str]:
    """Pseudonyms for a person's name, most preferred first, in the original's layout."""
    text = value.strip()
    title_match = _TITLE.match(text)
    title = title_match.group(0) if title_match else ""
    rest = text[len(title) :]
    comma = "," in rest
    if comma:
        last_part, _, first_part = rest.partition(",")
        words = first_part.split()
        last_template = last_part.strip()
    else:
        words = rest.split()
        last_template = words.pop() if len(words) > 1 else ""
    first_template = words[0] if words else rest
    initials = [w for w in words[1:] if _INITIAL.match(w)]
    for digest in _draws(key, "person", text):
        first = _case_like(first_template, _pick(FIRST_NAMES, digest, 0))
        last = _case_like(last_template or first_template, _pick(LAST_NAMES, digest, 4))
        middle = [
            _case_like(w, _pick(FIRST_NAMES, digest, 8 + 4 * i)[0])
            + ("." if w.endswith(".") else "")
            for i, w in enumerate(initials[:2])
        ]
        if comma:
            yield f"{title}{last}, {' '.join([first, *middle])}"
        elif last_template:
            yield f"{title}{' '.join([first, *middle, last])}"
        else:  # a single word: a surname alone or a first name alone
            yield f"{title}{last if first_template[:1].isupper() else last.lower()}"


def address_candidates(key: bytes, value: str) -> Iterator[str]:
    """Pseudonyms for a street address: a new number and street, the rest kept."""
    match = _STREET.match(value)
    for digest in _draws(key, "address", value.strip()):
        number = str(100 + int.from_bytes(digest[0:4], "big") % 9800)
        street = f"{_pick(LAST_NAMES, digest, 4)} {_pick(STREET_SUFFIXES, digest, 8)}"
        if (
            match is None
        ):  # a PO box or free form: a street line, then whatever followed
            cut = min(
                (i for i in (value.find(","), value.find("\n")) if i >= 0),
                default=len(value),
            )
            yield f"{number} {street}{value[cut:]}"
            continue
        original_street = match.group(2)
        yield (
            value[: match.start(1)]
            + number
            + " "
            + _case_like(original_street, street)
            + value[match.end(2) :]
        )
