"""Sentinel personal values: seeded through real flows, then searched for everywhere.

A leak test pushes these through a feature and asserts that none of them (in any common
spelling) appears in audit events, log records, error messages or responses.
"""

from __future__ import annotations

from collections.abc import Iterable

SSN = "512-84-3307"
CARD = "4556 7375 8689 9855"  # Luhn-valid, not a test card number a scanner would skip
NAME = "Quintessa Marchbanks"
ACCOUNT = "000493817265"

SENTINELS = (SSN, CARD, NAME, ACCOUNT)


def spellings(value: str) -> set[str]:
    compact = "".join(c for c in value if c.isalnum())
    return {value, compact, value.lower(), value.upper(), compact.lower()}


def leaks(texts: Iterable[str]) -> list[str]:
    """Every (sentinel spelling, text excerpt) found; empty when nothing leaked."""
    found = []
    needles = {s for value in SENTINELS for s in spellings(value) if len(s) >= 6}
    for text in texts:
        for needle in needles:
            if needle in text:
                at = text.index(needle)
                found.append(f"{needle!r} in …{text[max(0, at - 30) : at + 40]}…")
    return found
