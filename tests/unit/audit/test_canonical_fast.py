"""The hand-assembled canonical encoding equals the plain-json definition, byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from outguard.audit.chain import canonical_event, canonical_event_reference

text = st.none() | st.text(max_size=40)
scalar = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=20)
events = st.fixed_dictionaries(
    {
        "seq": st.integers(1, 2**40),
        "at": st.datetimes(
            min_value=datetime(1970, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
            max_value=datetime(2200, 1, 1),  # noqa: DTZ001
            timezones=st.just(UTC),
        ),
        "actor_kind": st.text(max_size=10),
        "actor_id": st.none() | st.uuids(),
        "actor_display": st.text(max_size=30),
        "org_id": st.none() | st.uuids(),
        "request_id": text,
        "ip": text,
        "user_agent": text,
        "tag": st.text(max_size=20),
        "subject_type": text,
        "subject_id": text,
        "details": st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True),
            scalar | st.lists(scalar, max_size=3),
            max_size=4,
        ),
    }
)


@given(events)
@settings(max_examples=300, deadline=None)
def test_fast_encoding_equals_the_json_definition(event):
    assert canonical_event(event) == canonical_event_reference(event)


def test_non_text_in_a_text_field_is_refused():
    import pytest

    event = {
        "seq": 1,
        "at": datetime(2026, 1, 1, tzinfo=UTC),
        "actor_kind": "user",
        "actor_id": None,
        "actor_display": 5,
        "org_id": None,
        "request_id": None,
        "ip": None,
        "user_agent": None,
        "tag": "x",
        "subject_type": None,
        "subject_id": None,
        "details": {},
    }
    with pytest.raises(TypeError, match="strings or None"):
        canonical_event(event)
