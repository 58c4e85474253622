"""Canary records: realistic but fictitious rows planted in one recipient's rendition.

Each recipient's canaries are generated from its own key, so they differ between recipients;
their rendered values are registered (keyed fingerprints, nothing in clear) and a file found
outside that contains one names the recipient even when every token column was dropped. Values
look like the real column (same layout, checksums valid, a plausible name) so a thief cannot
filter them out by eye; phone numbers use the fictional 555-01XX range so a canary never
rings a real person.
"""

from __future__ import annotations

import hashlib
import math
import random  # noqa: TID251 - deterministic streams seeded from a key, not secrets
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker
from stdnum import luhn

from outguard.pii.entities import Entity
from outguard.protect.plausible import Plausible

MIN_CANARIES = 1
MAX_CANARIES = 200


@dataclass(frozen=True)
class CanaryColumn:
    """A column as the scanner saw it: its name, entity (None: not personal) and samples."""

    name: str
    entity: Entity | None
    samples: tuple[str, ...] = ()
    free_text: bool = False
    # More of a non-personal column's values, for a canary value among them (else `samples`).
    observed: tuple[str, ...] = ()


# Notes a bookkeeper or collector would write: no personal data, nothing that stands out.
_NOTES = (
    "Paid in full.",
    "Left voicemail, will follow up next week.",
    "Invoice re-sent at customer's request.",
    "Awaiting signed W-9.",
    "Partial payment received; balance due end of month.",
    "Address confirmed by phone.",
    "Disputed late fee waived once.",
    "Set up on monthly autopay.",
    "",
)


def canary_count(rows: int, density: float | str = "auto") -> int:
    """~1 % of a small file, falling log-linearly to ~0.1 % at 100,000 rows; 1..200."""
    if rows <= 0:
        return MIN_CANARIES
    if density == "auto":
        scale = min(1.0, max(0.0, (math.log10(max(rows, 1000)) - 3) / 2))
        share = 0.01 * math.pow(0.1, scale)
    else:
        share = float(density)
    return max(MIN_CANARIES, min(MAX_CANARIES, round(rows * share)))


def _rng(key: bytes, label: str) -> random.Random:
    # Not for secrecy: a deterministic stream seeded from the recipient's canary key.
    seed = hashlib.sha256(key + b"\x00canary\x00" + label.encode()).digest()
    return random.Random(int.from_bytes(seed, "big"))  # noqa: S311


def canary_positions(key: bytes, rows: int, count: int) -> list[int]:
    """Where to insert canaries among `rows` real rows (indices into the output, sorted)."""
    total = rows + count
    return sorted(_rng(key, "positions").sample(range(total), count))


def _mimic(sample: str, rng: random.Random) -> str:
    """Same layout: digits -> random digits (first stays non-zero), letters -> letters."""
    out = []
    for i, c in enumerate(sample):
        if c.isdigit():
            out.append(str(rng.randint(1 if i == 0 else 0, 9)))
        elif c.isalpha() and c.isascii():
            letter = chr(rng.randint(ord("a"), ord("z")))
            out.append(letter.upper() if c.isupper() else letter)
        else:
            out.append(c)
    return "".join(out)


def _layout(value: str, samples: Sequence[str]) -> str:
    """Put bare digits into the separator layout of the first sample with as many digits."""
    for sample in samples:
        if sum(c.isdigit() for c in sample) == len(value):
            digits = iter(value)
            return "".join(next(digits) if c.isdigit() else c for c in sample)
    return value


def _ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])  # noqa: PLR2004
    return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


def _card(rng: random.Random, length: int = 16) -> str:
    body = "4" + "".join(str(rng.randint(0, 9)) for _ in range(length - 2))
    return body + luhn.calc_check_digit(body)


def _aba(rng: random.Random) -> str:
    body = f"{rng.choice([*range(1, 13), *range(21, 33)]):02d}" + "".join(
        str(rng.randint(0, 9)) for _ in range(6)
    )
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    check = (10 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 10) % 10
    return body + str(check)


_DATE_LAYOUTS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"\d{1,2}/\d{1,2}/\d{4}$"), "%m/%d/%Y"),
    (re.compile(r"\d{1,2}/\d{1,2}/\d{2}$"), "%m/%d/%y"),
)


def _date(rng: random.Random, samples: Sequence[str]) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 53))
    fmt = next(
        (f for rx, f in _DATE_LAYOUTS for s in samples[:5] if rx.match(s.strip())),
        "%Y-%m-%d",
    )
    return born.strftime(fmt)


def _value(  # noqa: C901 - one branch per kind of value
    column: CanaryColumn,
    rng: random.Random,
    fake: Faker,
    person: tuple[str, str],
    plausible: Plausible | None = None,
) -> str:
    first, last = person
    samples = [s for s in column.samples if s and s.strip()]
    entity = column.entity
    if column.free_text:
        return rng.choice(_NOTES) if samples else ""
    if entity is Entity.PERSON:
        comma = any("," in s for s in samples[:5])
        return f"{last}, {first}" if comma else f"{first} {last}"
    if entity is Entity.EMAIL:
        domains = [s.rsplit("@", 1)[1] for s in samples if "@" in s]
        domain = rng.choice(domains) if domains else fake.free_email_domain()
        return f"{first}.{last}{rng.randint(10, 99)}@{domain}".lower()
    if entity is Entity.PHONE:
        digits = f"{rng.choice([212, 312, 415, 617, 713, 206, 303, 404])}55501{rng.randint(0, 99):02d}"
        return (
            _layout(digits, samples) if samples else f"({digits[:3]}) 555-{digits[6:]}"
        )
    if entity is Entity.ADDRESS:
        return f"{fake.street_address()}, {fake.city()}, {fake.state_abbr()} {fake.zipcode()}"
    if entity is Entity.DATE_OF_BIRTH:
        return _date(rng, samples)
    generated = {
        Entity.US_SSN: lambda: _ssn(rng),
        Entity.US_ITIN: lambda: (
            f"9{rng.randint(0, 99):02d}{rng.choice([70, 75, 80, 85, 90])}{rng.randint(0, 9999):04d}"
        ),
        Entity.US_EIN: lambda: (
            f"{rng.choice([12, 20, 27, 45, 46, 81, 94]):02d}{rng.randint(0, 9999999):07d}"
        ),
        Entity.CREDIT_CARD: lambda: _card(rng),
        Entity.ABA_ROUTING: lambda: _aba(rng),
    }.get(entity)  # type: ignore[arg-type]
    if generated is not None:
        return _layout(generated(), samples)
    if entity is Entity.IBAN:
        return fake.iban()
    if entity is Entity.IP_ADDRESS:
        return fake.ipv4_public()
    if entity is None:  # amounts, dates, codes, categories: like the column's values
        return (plausible or Plausible(column.observed or column.samples)).draw(rng)
    # Bank accounts, licences, passports: mimic a real value.
    if samples:
        return _mimic(rng.choice(samples), rng)
    return ""


def make_canaries(
    key: bytes, columns: Sequence[CanaryColumn], count: int
) -> list[list[str]]:
    """`count` rows of values, one per column, deterministic for this key."""
    rows = []
    # Worked out once per column, not per canary row.
    plausible = [
        Plausible(c.observed or c.samples)
        if c.entity is None and not c.free_text
        else None
        for c in columns
    ]
    for i in range(count):
        rng = _rng(key, f"row/{i}")
        fake = Faker("en_US")
        fake.seed_instance(rng.getrandbits(64))
        person = (fake.first_name(), fake.last_name())
        rows.append(
            [
                _value(c, rng, fake, person, p)
                for c, p in zip(columns, plausible, strict=True)
            ]
        )
    return rows
