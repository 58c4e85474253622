"""The Hyperscan prefilter: for every ASCII text, at least the detectors Python's pass picks
for that text alone (over joined texts Python also picks for matches across two texts).

Findings must not depend on which pass chose the detectors: the same texts are scanned with
the automaton and without it, and compared finding by finding.
"""

from __future__ import annotations

import pytest
from bench.pii.generate import generate_table, generate_texts
from hypothesis import given, settings
from hypothesis import strategies as st

from outguard.pii import prefilter, text
from outguard.pii.detectors import ALL

pytestmark = pytest.mark.skipif(
    not prefilter.AVAILABLE, reason="no Hyperscan wheel for this machine"
)


@pytest.fixture(scope="module")
def automaton():
    return prefilter.Prefilter(text._JOINABLE, text._WORD_LISTS)


def corpus():
    out = [row[-1] for row in generate_table("payroll", 600, 3).rows]  # the Memo column
    out += [t.text for t in generate_texts(120, 5)]
    out += [
        "",
        "SSN: 123-45-6789",
        "ssn 123456789 and EIN 12-3456789",
        "Call (212) 555-0134 or +1 212 555 0134 ext. 5",
        "Mr. John Smith, 12 Main St, Springfield, IL 62704",
        "card 4111 1111 1111 1111 exp 12/27; IBAN GB82WEST12345698765432",
        "born 1980-02-29, DOB 02/29/1980, passport 123456789",
        "Smith, John paid J. Xqvbn's invoice",
        "a\nb\n123-45-6789\n",
    ]
    return out


def test_every_detector_python_picks_is_picked(automaton):
    texts = [t for t in corpus() if t.isascii()]
    slow = [text._python_per_text([t], ALL)[0] for t in texts]
    fast = text._prefiltered(automaton, texts, ALL)
    for t, s, f in zip(texts, slow, fast, strict=True):
        assert {id(d) for d in s} <= {id(d) for d in f}, t


fragments = st.sampled_from(
    [
        "123-45-6789", "123456789", "ssn", "SSN:", "EIN", "12-3456789", "4111 1111 1111 1111",
        "(212) 555-0134", "+1", "@", "john.smith@example.com", "Mr.", "Dr", "Smith,", "John",
        "Main St", "Apt 4", "62704", "DOB", "born", "02/29/1980", "1980-02-29", "routing",
        "acct", "021000021", "GB82WEST12345698765432", "10.0.0.1", "::1", "passport",
        "license", "D1234567", " ", "\n", ", ", ".", "-", "/", "#", "0", "9",
    ]
)  # fmt: skip


@given(st.lists(st.lists(fragments, max_size=12).map("".join), min_size=1, max_size=8))
@settings(max_examples=300, deadline=None)
def test_random_notes_keep_every_detector(automaton, texts):
    slow = [text._python_per_text([t], ALL)[0] for t in texts]
    fast = text._prefiltered(automaton, texts, ALL)
    for t, s, f in zip(texts, slow, fast, strict=True):
        assert {id(d) for d in s} <= {id(d) for d in f}, t


def test_findings_are_the_same_with_and_without_it(automaton, monkeypatch):
    texts = [
        *corpus(),
        "Zoë Müller, SSN ١٢٣-٤٥-٦٧٨٩",
        "Ｊｏｈｎ 123-45-6789",
    ]  # some not ASCII
    monkeypatch.setattr(prefilter, "shared", lambda *_: None)
    without = text.scan_texts(texts)
    monkeypatch.setattr(prefilter, "shared", lambda *_: automaton)
    assert text.scan_texts(texts) == without


def test_small_jobs_keep_the_python_pass(monkeypatch):
    monkeypatch.setattr(prefilter, "_seen", 0)
    monkeypatch.setattr(prefilter, "_built", None)
    assert prefilter.shared(text._JOINABLE, text._WORD_LISTS, 10) is None
    assert prefilter._seen == 10
