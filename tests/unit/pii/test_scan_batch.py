"""A column's texts scanned as a batch find exactly what scanning each alone finds."""

from __future__ import annotations

import random
import re

import pytest

from outguard.pii import text as scan
from outguard.pii.detectors import ALL
from outguard.pii.detectors.base import joinable
from outguard.pii.dictionary import Dictionary
from outguard.pii.entities import Entity

_PIECES = [
    "123-45-6789", "912-78-1234", "123456789", "12-3456789", "4111 1111 1111 1111",
    "021000021", "GB82 WEST 1234 5698 7654 32", "jane.roe@example.com", "(212) 555-0143",
    "+44 20 7946 0958", "2125550143", "03/14/1985", "1985-03-14", "Mar 14, 1985",
    "192.168.10.20", "2001:db8::1", "D1234567", "N72908781", "42 Elm Street, Springfield, IL 62704",
    "Roe, Jane", "Mr. John Smith", "Jane Roe", "Jane Roe <jr@x.org>", "acct 000123456789",
    "DOB", "routing", "SSN", "phone", "passport", "invoice", "PO", "ok", "Approved", "-", "/",
    "x282", "ext. 12", "2024", "47.04", "(4,156.09)", "Van Der Berg, Anna",
]  # fmt: skip
_SEPS = [" ", " ", ", ", "\n", "\t", "", ": ", "-", "."]


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(
            rng.choice(_PIECES) + rng.choice(_SEPS) for _ in range(rng.randint(0, 6))
        ).strip(rng.choice(["", " ", "\n"]))
        for _ in range(count)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_scan_equals_one_by_one(seed, monkeypatch):
    texts = _texts(seed, 1500)
    dictionary = Dictionary.from_values(
        [("Jane Roe", Entity.PERSON), ("42 Elm Street", Entity.ADDRESS)]
    )
    batched = scan.scan_texts(texts, dictionary=dictionary)
    monkeypatch.setattr(scan, "_JOIN_CHARS", 0)  # no joined pre-pass
    alone = scan.scan_texts(texts, dictionary=dictionary)
    assert batched == alone
    assert sum(map(len, batched)) > 1000  # the corpus has plenty to find


def test_every_detector_joins_and_risky_patterns_do_not():
    assert all(d.joinable for d in ALL)  # else that detector scans every text alone
    for risky in [
        r"^\d+",
        r"\d+$",
        r"\A\d",
        r"(?<![\s\d])\d",
        r"(?!\d\s)",
        r"(?:a|b)++",
    ]:
        assert not joinable(re.compile(risky)), risky
    for safe in [r"(?m)^\d+$", r"\bfoo\b", r"(?<![\d-])\d{9}(?![\d-])", r"\d(?=\s)"]:
        assert joinable(re.compile(safe)), safe


_CONTEXT_PIECES = [
    *_PIECES[:24],
    "ssn:123456789", "xssn 123456789", "SSN#123456789", "Soc Sec No", "DL# A1234567",
    "driver's licence", "licenſe", "Zoë", "ſsn", "\u212aelvin", "١٢٣-٤٥-٦٧٨٩", "café",
    "routing 021000021", "birth date", "date of birth 03/14/1985", "passport no",
]  # fmt: skip


@pytest.mark.parametrize("seed", [4, 5])
def test_context_words_narrow_the_pre_pass_without_changing_findings(seed, monkeypatch):
    rng = random.Random(seed)
    texts = [
        "".join(
            rng.choice(_CONTEXT_PIECES) + rng.choice(_SEPS)
            for _ in range(rng.randint(0, 6))
        )
        for _ in range(1200)
    ]
    ascii_only = [t for t in texts if t.isascii()]
    for batch in (texts, ascii_only):  # the lower-cased word search and the Unicode one
        batched = scan.scan_texts(batch)
        monkeypatch.setattr(scan, "_JOIN_CHARS", 0)
        alone = scan.scan_texts(batch)
        monkeypatch.undo()
        assert batched == alone
        assert sum(map(len, batched)) > 500
    assert scan.scan_texts(["no context here", "nor here"]) == [[], []]
