"""The column path of `batch_leaves`: whole batches, byte-identical to the JSON definition."""

from __future__ import annotations

import enum
import json
import sys
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outguard.audit.chain import (
    EVENT_FIELDS,
    canonical_event_reference,
    event_leaf_hash,
    leaf_hash,
)
from outguard.audit.leaves import _column_leaves, batch_leaves

from .test_batch_leaves import BASE, events, row


def expected_leaf(event: dict[str, Any]) -> bytes | None:
    try:
        return leaf_hash(canonical_event_reference(event))
    except (TypeError, ValueError):
        return None


@given(st.lists(events, min_size=1, max_size=6), st.integers(0, 2**40))
@settings(max_examples=400, deadline=None)
def test_batches_equal_the_json_definition(batch, prev):
    batch = [e | {"seq": prev + i} for i, e in enumerate(batch, start=1)]
    leaves = [expected_leaf(e) for e in batch]
    if None in leaves:  # one malformed event: the whole batch is refused
        assert batch_leaves([row(e, b"") for e in batch], prev) is None
        return
    rows = [row(e, leaf) for e, leaf in zip(batch, leaves, strict=True)]
    assert batch_leaves(rows, prev) == leaves
    column = _column_leaves(rows, prev)
    assert column is None or column == leaves  # None: handed to the row path
    tampered = [*rows[:-1], row(batch[-1], b"\x01" * 32)]
    assert batch_leaves(tampered, prev) is None


def test_orjson_escapes_every_code_point_as_chain_does():
    escape = json.encoder.encode_basestring
    for start in range(0, sys.maxunicode + 1, 4096):
        text = "".join(
            chr(c) for c in range(start, start + 4096) if not 0xD800 <= c <= 0xDFFF
        )
        assert orjson.dumps(text) == escape(text).encode()


@given(st.dictionaries(st.text(), st.integers(-5, 5)))
def test_orjson_sorts_keys_as_json_does(details):
    assert orjson.dumps(details, option=orjson.OPT_SORT_KEYS).decode() == json.dumps(
        details, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def batch_of(*changes: dict[str, Any]) -> list[tuple[Any, ...]]:
    out = []
    for seq, change in enumerate(changes, start=1):
        event = BASE | {"seq": seq, "at": BASE["at"] + timedelta(seconds=seq)} | change
        out.append(row(event, event_leaf_hash(event)))
    return out


class Colour(enum.Enum):
    RED = "red"


class Text(str):
    __slots__ = ()


@pytest.mark.parametrize(
    "change",
    [
        {"at": datetime(2026, 1, 1, tzinfo=UTC)},  # whole second: orjson drops .000000
        {"at": datetime(2026, 1, 1, 1, 2, 3, 4)},  # noqa: DTZ001 - naive, as SQLite
        {"at": datetime(2026, 1, 1, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=2)))},
        {"at": "2026-03-04T05:06:07.000089Z"},
        {"details": {"x": 1e-05, "y": 1e16, "z": -0.0}},  # floats: json's spelling
        {"details": {"a": "},{", "b": "x"}},  # flat, but the split mark inside
        {"details": {"a": "},{", "b": {"c": [{}, {}]}}},
        {"details": {10: "int keys", 2: "sorted as ints"}},
        {"details": {"big": 2**64, "small": -(2**63) - 1}},
        {"details": {"s": Text("sub"), Text("k"): 1}},
        {"details": {}},
        {"actor_display": 'quote " back \\ tab \t bell \x07'},
        {"actor_display": "line\u2028sep Zoë 😀"},
        {"actor_display": Text("a subclass")},
        {"ip": None, "user_agent": None, "request_id": None},
        {"actor_id": None, "org_id": None},
        {"actor_id": "00000000-0000-0000-0000-000000000003"},
    ],
)
def test_unusual_values_in_a_batch_keep_the_exact_bytes(change):
    rows = batch_of({}, change, {}, change | {"tag": "x"})
    assert batch_leaves(rows, 0) == [r[-1] for r in rows]


@pytest.mark.parametrize(
    "change",
    [
        {"seq": True},
        {"details": {"x": float("inf")}},
        {"details": {"x": uuid.UUID(int=1)}},
        {"details": {"x": Colour.RED}},
        {"details": {"x": datetime(2026, 1, 1, tzinfo=UTC)}},
        {"details": {"x": orjson.Fragment(b"1")}},
        {"details": []},  # an empty list is not an empty mapping
        {"details": None},
        {"tag": uuid.UUID(int=1)},
        {"tag": Colour.RED},
        {"tag": b"bytes"},
        {"actor_id": "00000000-0000-0000-0000-00000000000A"},
        {"at": datetime(2026, 1, 1, 1, 2, 3, 4).date()},  # noqa: DTZ001
        {"subject_id": "\udc80"},
    ],
)
def test_what_json_refuses_is_refused_in_a_batch(change):
    rows = batch_of({}, {}, {})
    event = dict(zip(EVENT_FIELDS, rows[1][:-1], strict=True)) | change
    rows[1] = row(event, rows[1][-1])
    assert batch_leaves(rows, 0) is None


def test_a_tampered_column_value_is_refused():
    rows = batch_of({}, {}, {})
    event = dict(zip(EVENT_FIELDS, rows[2][:-1], strict=True))
    rows[2] = row(event | {"details": {"a": None, "b": [1, "\n", 2]}}, rows[2][-1])
    assert batch_leaves(rows, 0) is None


def test_rows_of_other_lengths_go_the_row_way():
    rows = batch_of({}, {})
    assert _column_leaves([rows[0], rows[1][:-1]], 0) is None
    assert batch_leaves([rows[0], rows[1][:-1]], 0) is None


@pytest.mark.parametrize("stand_in", [[], None, "", 0, ()])
def test_empty_details_of_another_type_do_not_pass_for_an_empty_mapping(stand_in):
    rows = batch_of({"details": {}}, {"details": {}}, {"details": {}})
    event = dict(zip(EVENT_FIELDS, rows[1][:-1], strict=True))
    rows[1] = row(event | {"details": stand_in}, rows[1][-1])
    assert batch_leaves(rows, 0) is None
