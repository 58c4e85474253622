"""Leaves from rows as stored (`stored_leaves`): the JSON definition's bytes, or None.

The verifier reads the columns untyped (times and ids as text, details as their JSON
text) and spells them without parsing. That is only sound if every stored spelling the
application would read as another value is refused: each such trick is tried here.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, reject, settings
from hypothesis import strategies as st

from outguard.audit.chain import EVENT_FIELDS, event_leaf_hash
from outguard.audit.leaves import stored_leaves

from .test_batch_leaves import events

AT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
ACTOR = uuid.UUID("0123abcd-4567-89ef-0123-456789abcdef")


def stored(event: dict[str, Any], *, engine: str = "sqlite") -> tuple[Any, ...]:
    """The row as `AuditRepository.stored_event_rows_in_order` hands it over."""
    values = dict(event)
    at = event["at"]
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    values["at"] = at.isoformat(sep=" ", timespec="microseconds")  # as SQLAlchemy
    for name in ("actor_id", "org_id"):
        if event[name] is not None:
            values[name] = event[name].hex if engine == "sqlite" else str(event[name])
    values["details"] = json.dumps(
        dict(sorted(event["details"].items())), separators=(",", ":")
    )
    return (*(values[name] for name in EVENT_FIELDS), event_leaf_hash(event))


def an_event(seq: int = 1, **changes: Any) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": AT,
        "actor_kind": "user",
        "actor_id": ACTOR,
        "actor_display": "Agent 7",
        "org_id": None,
        "request_id": "req-1",
        "ip": "203.0.113.9",
        "user_agent": "Mozilla/5.0",
        "tag": "rendition:downloaded",
        "subject_type": "share",
        "subject_id": "sh-1",
        "details": {"rows": 3, "format": "csv"},
    } | changes


def with_column(row: tuple[Any, ...], name: str, value: object) -> tuple[Any, ...]:
    i = EVENT_FIELDS.index(name)
    return (*row[:i], value, *row[i + 1 :])


@given(st.lists(events, min_size=1, max_size=5), st.sampled_from(["sqlite", "pg"]))
@settings(max_examples=300, deadline=None)
def test_stored_rows_give_the_definitions_leaves_or_step_aside(batch, engine):
    batch = [e | {"seq": i} for i, e in enumerate(batch, start=1)]
    try:
        for event in batch:
            event_leaf_hash(event)
    except (TypeError, ValueError):  # not an event the log could hold (NaN, say)
        reject()
    rows = [stored(e, engine=engine) for e in batch]
    leaves = stored_leaves(rows, 0)
    assert leaves is None or leaves == [row[-1] for row in rows]
    # details stored as their canonical text (flat, ASCII): the stored way must take them
    if all(stored_details(e) == canonical_details(e) for e in batch):
        assert leaves == [row[-1] for row in rows]


def stored_details(event: dict[str, Any]) -> str:
    return str(stored(event)[EVENT_FIELDS.index("details")])


def canonical_details(event: dict[str, Any]) -> str:
    return json.dumps(
        event["details"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def test_a_plain_batch_is_read_the_stored_way_on_both_engines():
    batch = [an_event(seq, subject_id=f"sh-{seq}") for seq in range(8, 13)]
    for engine in ("sqlite", "pg"):
        rows = [stored(e, engine=engine) for e in batch]
        assert stored_leaves(rows, 7) == [event_leaf_hash(e) for e in batch]
    assert stored_leaves([], 7) == []


def test_rows_out_of_place_are_refused():
    rows = [stored(an_event(seq)) for seq in (1, 2, 4)]
    assert stored_leaves(rows, 0) is None  # a gap
    assert stored_leaves(rows[:2], 1) is None  # not where the tree is
    assert stored_leaves([rows[1], rows[0]], 0) is None  # swapped


def test_spellings_read_as_another_value_are_refused():
    row = stored(an_event())
    assert stored_leaves([row], 0) is not None
    tricks = {
        # SQLAlchemy reads '2026-03-04T05:...' as midnight: the time must be refused
        "at": [
            "2026-03-04T05:06:07.890123",
            "2026-03-04 05:06:07.890123 ",
            "2026-03-04 05:06:07.89012",
            "２026-03-04 05:06:07.890123",
            None,
        ],
        "actor_id": [
            ACTOR.hex.upper(),
            ACTOR.hex + "0",
            "{" + ACTOR.hex + "}",
            ACTOR.hex[:-1] + "g",
            "",
            ACTOR.bytes,
        ],
        "details": [
            '{"format":"csv","rows":3},"ip":"203.0.113.9"',
            '{"format":"csv", "rows":3}',
            {"format": "csv", "rows": 3},
            None,
        ],
        "actor_display": ['Agent "7"', 7, b"Agent 7"],
        "seq": ["1", 1.0],
    }
    for name, values in tricks.items():
        for value in values:
            assert stored_leaves([with_column(row, name, value)], 0) is None, (
                name,
                value,
            )


def test_details_cannot_borrow_the_text_of_the_next_column():
    """The details text ends where the canonical one did: no shifting text across `ip`."""
    event = an_event(ip=None)
    row = stored(event)
    shifted = with_column(
        with_column(row, "details", '{"format":"csv","rows":3},"ip":null'), "ip", None
    )
    assert stored_leaves([shifted], 0) is None
    loud = an_event(ip='x","org_id":null')
    assert stored_leaves([stored(loud)], 0) is None or stored_leaves(
        [stored(loud)], 0
    ) == [event_leaf_hash(loud)]
