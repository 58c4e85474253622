"""Detection accuracy against labelled data, with the issue's targets as floors.

Two sources: the seeded generator of `bench/pii/generate.py` (exports of five kinds, notes,
e-mails) and the hand-written texts of `tests/data/pii` that no generator produced. `make
bench` runs the same scoring on larger corpora, side by side with Presidio.
"""

from __future__ import annotations

import pytest
from bench.pii.generate import TABLE_KINDS, generate_table, generate_texts
from bench.pii.metrics import ColumnScore, SpanScore

from outguard.pii.entities import CHECKSUM_BEARING
from outguard.pii.text import scan_text
from outguard.scanning import scan_table
from tests.accuracy.labelled import handwritten

pytestmark = pytest.mark.unit


def _score(corpus, ner=None) -> SpanScore:
    score = SpanScore()
    for text, gold in corpus:
        found = [(f.start, f.end, f.entity.value) for f in scan_text(text, ner=ner)]
        score.add(text, gold, found)
    return score


def _generated(n: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
    return [
        (t.text, [(s, e, str(ent)) for s, e, ent in t.spans])
        for t in generate_texts(n, seed=5)
    ]


def test_free_text_meets_the_targets_on_the_validator_path() -> None:
    score = _score(_generated(300))
    by = score.by_entity
    assert score.micro.f1 >= 0.95, score.table()
    assert score.fully_redacted() >= 0.95, score.table()
    assert score.fully_redacted([e.value for e in CHECKSUM_BEARING]) >= 0.99
    assert by["US_EIN"].recall >= 0.95
    assert by["ABA_ROUTING"].recall >= 0.99
    assert by["DATE_OF_BIRTH"].precision >= 0.90
    assert score.fully_redacted(["ADDRESS"]) >= 0.90


def test_hand_written_texts_with_ner() -> None:
    from outguard.pii.ner import SpacyNames

    score = _score(handwritten(), ner=SpacyNames())
    assert score.micro.f1 >= 0.95, score.table()
    assert score.fully_redacted() >= 0.97, score.table()
    assert score.fully_redacted([e.value for e in CHECKSUM_BEARING]) == 1.0


@pytest.mark.parametrize("kind", TABLE_KINDS)
def test_every_column_right_and_no_non_pii_column_flagged(kind: str) -> None:
    table = generate_table(kind, 1_500, seed=TABLE_KINDS.index(kind))
    report = scan_table(
        {name: [r[i] for r in table.rows] for i, name in enumerate(table.header)}
    )
    got = [
        "free_text" if c.kind == "free_text" else (c.entity.value if c.entity else None)
        for c in report.columns
    ]
    score = ColumnScore()
    score.add(
        table.header,
        [str(v) if v else None for v in table.labels],
        table.free_text,
        got,
        kind,
    )
    assert score.wrong == []
    assert score.non_pii_flagged == 0
