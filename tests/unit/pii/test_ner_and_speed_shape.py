"""NER through the port: spaCy finds names patterns miss; it never beats a checksum hit."""

from __future__ import annotations

from outguard.pii.entities import Entity
from outguard.pii.ner import SpacyNames
from outguard.pii.text import scan_text, scan_texts


class FakeNer:
    def __init__(self, spans):
        self.spans = spans
        self.calls = 0

    def names(self, texts):
        self.calls += 1
        return [list(self.spans) for _ in texts]


def test_ner_never_overrides_a_checksum_valid_hit():
    text = "SSN 512-84-3307 filed"
    found = scan_text(text, ner=FakeNer([(0, 15)]))
    assert [(f.entity, text[f.start : f.end]) for f in found] == [
        (Entity.US_SSN, "512-84-3307")
    ]


def test_ner_is_batched_once_for_many_texts():
    ner = FakeNer([])
    scan_texts(["a", "b", "c"], ner=ner)
    assert ner.calls == 1


def test_spacy_finds_names_the_patterns_cannot():
    text = "Please ask Priya Raghunathan to approve the payroll batch."
    found = scan_text(text, ner=SpacyNames())
    assert ("Priya Raghunathan", Entity.PERSON) in [
        (text[f.start : f.end], f.entity) for f in found
    ]
    assert scan_text("", ner=SpacyNames()) == []
