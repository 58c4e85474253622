"""Pseudonym candidates: keyed, deterministic, realistic, layout kept, never the original."""

from __future__ import annotations

import itertools
import re

import pytest

from outguard.protect.pseudonyms import (
    FIRST_NAMES,
    LAST_NAMES,
    MAX_CANDIDATES,
    address_candidates,
    person_candidates,
)

K1, K2 = b"a" * 32, b"b" * 32


def _first(gen, n=3):
    return list(itertools.islice(gen, n))


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("Jane Roe", r"[A-Z][a-z]+ [A-Z][a-zA-Z'-]+"),
        ("Roe, Jane", r"[A-Z][a-zA-Z'-]+, [A-Z][a-z]+"),
        ("ROE, JANE A.", r"[A-Z'-]+, [A-Z]+ [A-Z]\."),
        ("Dr. John Q. Public", r"Dr\. [A-Z][a-z]+ [A-Z]\. [A-Z][a-zA-Z'-]+"),
        ("jane roe", r"[a-z]+ [a-z'-]+"),
        ("Smith", r"[A-Z][a-zA-Z'-]+"),
    ],
)
def test_person_layouts_are_kept(value, pattern):
    for candidate in _first(person_candidates(K1, value)):
        assert re.fullmatch(pattern, candidate), candidate


def test_names_come_from_the_lists_and_depend_on_key_and_value():
    first, last = _first(person_candidates(K1, "Jane Roe"), 1)[0].split(" ", 1)
    assert first in FIRST_NAMES and last in LAST_NAMES
    assert _first(person_candidates(K1, "Jane Roe")) == _first(
        person_candidates(K1, "Jane Roe")
    )
    assert _first(person_candidates(K1, "Jane Roe")) != _first(
        person_candidates(K2, "Jane Roe")
    )
    assert _first(person_candidates(K1, "Jane Roe")) != _first(
        person_candidates(K1, "John Roe")
    )
    assert len(list(person_candidates(K1, "Jane Roe"))) == MAX_CANDIDATES


def test_addresses_replace_the_street_and_keep_the_rest():
    (a,) = _first(address_candidates(K1, "123 Main St, Springfield, IL 62704"), 1)
    assert a.endswith(", Springfield, IL 62704") and not a.startswith("123 Main")
    assert re.match(r"\d{3,4} [A-Z]", a)
    (b,) = _first(address_candidates(K1, "456 Oak Avenue\nBoston, MA 02110"), 1)
    assert b.endswith("\nBoston, MA 02110")
    (c,) = _first(address_candidates(K1, "PO Box 12, Austin, TX"), 1)
    assert c.endswith(", Austin, TX") and "PO Box" not in c
    (d,) = _first(address_candidates(K1, "78 ELM ST, DOVER, DE 19901"), 1)
    assert d.split(",")[0].isupper()
    (e,) = _first(address_candidates(K1, "somewhere"), 1)
    assert re.fullmatch(r"\d+ [A-Z][a-zA-Z'-]+ [A-Z][a-z]+", e)
