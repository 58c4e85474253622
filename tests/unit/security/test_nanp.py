"""NANP validity and the regex parse trees it is worked out from.

`nanp` answers `phonenumbers.is_valid_number` for +1 numbers from a table over the first few
digits; how many digits decide is read off the metadata's patterns (`_needs`). These tests
check that reading on patterns the current metadata does not happen to use (groups, repeats,
negated classes), and that an area code it cannot analyse still gets the exact answer.
"""

from __future__ import annotations

import random
import re

import numpy as np
import phonenumbers
import pytest

from outguard.security import nanp, regex_tree


def _truth(nsn: str) -> bool:
    number = phonenumbers.PhoneNumber(country_code=1, national_number=int(nsn))
    return phonenumbers.is_valid_number(number)


def _numbers(rng: random.Random, count: int) -> list[str]:
    # Caribbean areas (several regions share +1 there) and US ones, valid and invalid.
    areas = [212, 264, 415, 617, 664, 684, 787, 809, 876, 907]
    return [f"{rng.choice(areas)}{rng.randint(0, 9_999_999):07d}" for _ in range(count)]


# ---------------------------------------------------------------- regex_tree
def test_in_class_agrees_with_re_on_negated_sets():
    ((op, items),) = regex_tree.parse("[^0-4x]")
    assert op is regex_tree.OP.IN
    for ch in "0123456789xyz_ ":
        expected = re.fullmatch("[^0-4x]", ch) is not None
        assert regex_tree.in_class(items, ord(ch)) is expected, ch


def test_in_class_declines_sets_it_does_not_understand():
    # \D is not one of the categories it reads: None, so callers assume it may match.
    ((_, items),) = regex_tree.parse(r"[\D]")
    assert regex_tree.in_class(items, ord("5")) is None
    assert regex_tree.in_class(items, ord("a")) is None


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [(r"(\d)", True), (r"([0-9])", True), (r"([1-9])", False), (r"(5)", False)],
)
def test_any_digit_looks_inside_capturing_groups(pattern, expected):
    ((op, av),) = regex_tree.parse(pattern)
    assert op is regex_tree.OP.SUBPATTERN
    assert regex_tree.any_digit(op, av) is expected


# ---------------------------------------------------------------- _needs
@pytest.mark.parametrize(
    ("pattern", "known", "depth"),
    [
        (r"(2)3\d{8}", "", 2),  # a capturing group is read through
        (r"(2)3\d{8}", "4", 0),  # no number starting with 4 matches: it decides nothing
        (r"[2-4]{2,3}\d{7}", "", 3),  # each repeat count is a path
        (r"[2-4]{2,3}?\d{7}", "", 3),  # lazy repeats too
        (r"5\d{9}|6(7)\d{8}", "", 2),  # the longest branch counts
        (r"[2-9]{2}(\d)\d{7}", "", 2),  # a group of any digit reads nothing more
        (r"[2-9]+\d{6}", "", nanp.NSN_DIGITS + 1),  # unbounded: not analysed
        (r"[2-9]{1,12}", "", nanp.NSN_DIGITS + 1),  # longer than a number: not analysed
        (r"^2\d{9}", "", nanp.NSN_DIGITS + 1),  # anchors: not analysed
        (r"(?=2)\d{10}", "", nanp.NSN_DIGITS + 1),  # look-arounds: not analysed
    ],
)
def test_needs_counts_the_digits_that_decide_a_match(pattern, known, depth):
    assert nanp._needs(regex_tree.parse(pattern), 0, known) == depth


@pytest.mark.parametrize(
    "pattern",
    [r"(2)3\d{8}", r"[2-4]{2,3}\d{7}", r"[2-4]{2,3}?\d{7}", r"5\d{9}|6(7)\d{8}"],
)
def test_the_leading_digits_needs_counts_decide_the_match(pattern):
    # Whatever follows the first `depth` digits, a 10-digit number matches or not alike.
    depth = nanp._needs(regex_tree.parse(pattern), 0, "")
    compiled = re.compile(pattern)
    rng = random.Random(pattern)
    heads = {"".join(rng.choice("2345679") for _ in range(depth)) for _ in range(300)}
    decided = set()
    for head in heads:
        tails = [
            f"{rng.randint(0, 10**9):0{nanp.NSN_DIGITS}d}"[depth:] for _ in range(30)
        ]
        outcomes = {compiled.fullmatch(head + t) is not None for t in tails}
        assert len(outcomes) == 1, head
        decided |= outcomes
    assert decided == {True, False}  # both answers came up: the check was not vacuous


# ---------------------------------------------------------------- regions and the table
def test_regions_are_read_from_the_metadata_phonenumbers_reads():
    assert nanp._region("zz") is None  # no metadata: the region is left out
    us = nanp._region("us")
    assert us is not None
    for nsn in _numbers(random.Random(1), 400):
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(nsn))
        assert us.typed(nsn) is phonenumbers.is_valid_number_for_region(number, "US")


def test_an_area_code_the_table_cannot_hold_is_checked_number_by_number(monkeypatch):
    table = nanp._Table()
    table.load()
    assert table.parsed is not None
    # A pattern that reads past PREFIX digits: no area code fits the table any more.
    table.parsed.append(regex_tree.parse(r"[2-9]+\d{6}"))
    monkeypatch.setattr(nanp, "_TABLE", table)

    numbers = _numbers(random.Random(2), 600)
    truth = [_truth(n) for n in numbers]
    assert set(truth) == {True, False}
    assert [nanp.is_valid(n) for n in numbers] == truth
    digits = np.frombuffer("".join(numbers).encode(), dtype=np.uint8).reshape(-1, 10)
    assert nanp.valid(digits - ord("0")).tolist() == truth

    areas = sorted({int(n[:3]) for n in numbers})
    assert (table.depth[areas] == -1).all()
    assert not table.valid.any()  # nothing was put in the table


def test_lengths_from_regions_that_set_none(monkeypatch):
    """A region without a general description counts for nothing; one without lengths
    makes every length possible, so no text is refused for its length alone."""

    class Regions:
        def __init__(self, regions):
            self.regions = regions

        def load(self):
            return self.regions

    ten = nanp._Desc(re.compile(r"\d{10}"), (10,))
    free = nanp._Desc(re.compile(r"\d+"), ())
    cases = [
        ([nanp._Region(None, None, ()), nanp._Region(None, ten, ())], frozenset({10})),
        ([nanp._Region(None, ten, ()), nanp._Region(None, free, ())], None),
    ]
    for regions, lengths in cases:
        monkeypatch.setattr(nanp, "_TABLE", Regions(regions))
        nanp.national_lengths.cache_clear()
        try:
            assert nanp.national_lengths() == lengths
            assert nanp.plain_wrong_length("463-02-6868") is (lengths is not None)
        finally:
            nanp.national_lengths.cache_clear()
