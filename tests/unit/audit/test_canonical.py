"""The canonical leaf encoding: one byte string per event, whatever the engine returns."""

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outguard.audit.chain import (
    CANONICAL_PREFIX,
    EVENT_FIELDS,
    canonical_event,
    event_leaf_hash,
    format_at,
    leaf_hash,
)

ORG = uuid.UUID("6f1c1f40-4a3e-4d8e-9a7c-0d1e2f3a4b5c")
AT = datetime(2026, 11, 24, 9, 0, 0, 123456, tzinfo=UTC)


def event(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "seq": 7,
        "at": AT,
        "actor_kind": "user",
        "actor_id": ORG,
        "actor_display": "Zoë Ångström",
        "org_id": ORG,
        "request_id": "req-1",
        "ip": "192.0.2.1",
        "user_agent": "curl/8",
        "tag": "share:created",
        "subject_type": "share",
        "subject_id": "s-1",
        "details": {"fields": ["email", "ssn"], "count": 2},
    }
    return base | overrides


def test_layout_is_versioned_sorted_compact_utf8():
    data = canonical_event(event())
    assert data.startswith(CANONICAL_PREFIX)
    body = data[len(CANONICAL_PREFIX) :]
    doc = json.loads(body)
    assert list(doc) == sorted(EVENT_FIELDS)
    assert b" " not in body.replace(b"Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m", b"")
    assert "Zoë Ångström".encode() in body  # not \u-escaped
    assert doc["at"] == "2026-11-24T09:00:00.123456Z"
    assert doc["actor_id"] == str(ORG)
    assert event_leaf_hash(event()) == leaf_hash(data)


def test_engine_differences_do_not_change_the_bytes():
    naive = AT.replace(tzinfo=None)  # SQLite drops the zone
    paris = AT.astimezone(timezone(timedelta(hours=1)))
    texts = event(at="2026-11-24T09:00:00.123456Z", actor_id=str(ORG), org_id=str(ORG))
    reordered = dict(
        reversed(list(event(details={"count": 2, "fields": ["email", "ssn"]}).items()))
    )
    expected = canonical_event(event())
    for variant in (event(at=naive), event(at=paris), texts, reordered):
        assert canonical_event(variant) == expected


def test_whole_seconds_keep_their_microseconds():
    assert format_at(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00.000000Z"


@given(st.sampled_from([f for f in EVENT_FIELDS if f not in {"seq", "at", "details"}]))
def test_every_field_is_hashed(field):
    changed = event(**{field: None if field.endswith("_id") else "other"})
    assert canonical_event(changed) != canonical_event(event())


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"seq": 0}, ValueError),
        ({"seq": True}, ValueError),
        ({"seq": "7"}, ValueError),
        ({"at": "2026-11-24 09:00:00"}, ValueError),
        ({"at": 1700000000}, TypeError),
        ({"actor_id": "6F1C1F40-4A3E-4D8E-9A7C-0D1E2F3A4B5C"}, ValueError),
        ({"org_id": 5}, ValueError),
        ({"details": ["not", "a", "dict"]}, TypeError),
        ({"tag": 3}, TypeError),
        ({"details": {"x": float("nan")}}, ValueError),
        ({"details": {"x": datetime.now(UTC)}}, TypeError),
        ({"actor_display": "\ud800"}, UnicodeEncodeError),
    ],
)
def test_malformed_events_are_refused(overrides, error):
    with pytest.raises(error):
        canonical_event(event(**overrides))


def test_exactly_the_catalogued_fields():
    with pytest.raises(ValueError, match=r"missing \['tag'\]"):
        canonical_event({k: v for k, v in event().items() if k != "tag"})
    with pytest.raises(ValueError, match=r"unknown \['leaf_hash'\]"):
        canonical_event(event(leaf_hash="x"))
