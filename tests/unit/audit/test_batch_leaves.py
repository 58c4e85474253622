"""The verifier's fast path: the same leaf bytes as `canonical_event`, or it steps aside."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outguard.audit.chain import (
    EVENT_FIELDS,
    Frontier,
    canonical_event_reference,
    event_leaf_hash,
    leaf_hash,
)
from outguard.audit.leaves import batch_leaves

text = st.none() | st.text(max_size=30)
scalar = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
zones = st.sampled_from(
    [None, UTC, UTC, timezone(timedelta(0)), timezone(timedelta(hours=-5))]
)
events = st.fixed_dictionaries(
    {
        "seq": st.just(1),
        "at": st.datetimes(
            min_value=datetime(1, 1, 2),  # noqa: DTZ001 - hypothesis wants naive bounds
            max_value=datetime(9999, 12, 30),  # noqa: DTZ001
            timezones=zones,
        ),
        "actor_kind": text,
        "actor_id": st.none() | st.uuids(),
        "actor_display": text,
        "org_id": st.none() | st.uuids(),
        "request_id": text,
        "ip": text,
        "user_agent": text,
        "tag": text,
        "subject_type": text,
        "subject_id": text,
        "details": st.dictionaries(
            st.text(max_size=8),
            scalar | st.lists(scalar, max_size=3) | st.dictionaries(st.text(), scalar),
            max_size=4,
        ),
    }
)


def row(event: dict[str, Any], stored: bytes | None) -> tuple[Any, ...]:
    return (*(event[name] for name in EVENT_FIELDS), stored)


@given(events)
@settings(max_examples=400, deadline=None)
def test_fast_leaves_equal_the_json_definition(event):
    try:
        expected = leaf_hash(canonical_event_reference(event))
    except (TypeError, ValueError):  # e.g. a lone surrogate: refused both ways
        assert batch_leaves([row(event, b"")], 0) is None
        return
    assert batch_leaves([row(event, expected)], 0) == [expected]
    assert batch_leaves([row(event, b"\x00" * 32)], 0) is None


BASE: dict[str, Any] = {
    "seq": 1,
    "at": datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=UTC),
    "actor_kind": "user",
    "actor_id": uuid.UUID(int=3),
    "actor_display": "Zoë",
    "org_id": uuid.UUID(int=7),
    "request_id": "r",
    "ip": None,
    "user_agent": None,
    "tag": "share:created",
    "subject_type": "share",
    "subject_id": "s1",
    "details": {"b": [1, "\n"], "a": None},
}


def good_rows(n: int, start: int = 1) -> list[tuple[Any, ...]]:
    out = []
    for seq in range(start, start + n):
        event = BASE | {"seq": seq, "at": BASE["at"] + timedelta(seconds=seq)}
        out.append(row(event, event_leaf_hash(event)))
    return out


def test_a_batch_in_place_gives_its_leaves():
    rows = good_rows(10, start=6)
    assert batch_leaves(rows, 5) == [r[-1] for r in rows]
    assert batch_leaves([], 5) == []


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 5},  # out of place
        {"seq": True},
        {"seq": "4"},
        {"actor_display": "someone else"},  # edited, stored hash kept
        {"at": "2026-03-04 05:06:07"},
        {"actor_id": "not a uuid"},
        {"details": {"x": float("nan")}},
        {"details": {"x": object()}},
        {"tag": 5},
        {"ip": "\ud800"},
    ],
)
def test_anything_off_sends_the_batch_the_slow_way(change):
    rows = good_rows(5)
    event = dict(zip(EVENT_FIELDS, rows[3][:-1], strict=True)) | change
    rows[3] = row(event, rows[3][-1])
    assert batch_leaves(rows, 0) is None


def test_short_rows_and_missing_stored_hashes_are_refused():
    rows = good_rows(2)
    assert batch_leaves([rows[0][:-1]], 0) is None
    assert batch_leaves([(*rows[0][:-1], None)], 0) is None


def test_text_ids_and_odd_times_take_the_exact_path():
    event = BASE | {
        "actor_id": str(BASE["actor_id"]),
        "at": "2026-03-04T05:06:07.000089Z",
    }
    assert batch_leaves([row(event, event_leaf_hash(event))], 0) == [
        event_leaf_hash(BASE)
    ]
    whole = BASE | {"at": datetime(2026, 3, 4, 5, 6, 7)}  # noqa: DTZ001 - as SQLite
    assert batch_leaves([row(whole, event_leaf_hash(whole))], 0) is not None


@given(st.integers(0, 70), st.lists(st.integers(0, 40), max_size=5))
@settings(deadline=None)
def test_frontier_extend_equals_append(start, chunks):
    leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(start + sum(chunks))]
    one, many = Frontier(), Frontier()
    for leaf in leaves:
        one.append(leaf)
    many.extend(leaves[:start])
    done = start
    for size in chunks:
        many.extend(leaves[done : done + size])
        done += size
        assert many.size == done
    assert many.root() == one.root()
    assert many.to_bytes() == one.to_bytes()


def test_frontier_extend_refuses_short_hashes():
    with pytest.raises(ValueError, match="32 bytes"):
        Frontier().extend([b"x" * 31, b"y" * 33])
