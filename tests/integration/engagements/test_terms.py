"""Changing an engagement's terms, on both databases: who may, what is refused, what the
audit log keeps (old and new values of facts; only "changed" for texts that may hold names),
and that the gate applies the new terms at the next access."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from outguard.engagements.schemas import (
    EngagementCreate,
    EngagementPatch,
    EngagementUpdate,
    StateChange,
)
from outguard.engagements.service import engagements, gate
from outguard.errors import (
    AlreadyExistsError,
    ConflictError,
    DomainValidationError,
    NotFoundError,
    PermissionDeniedError,
)


def _terms(s, **changes) -> EngagementUpdate:
    e = s.engagement
    base = {
        "name": e.name,
        "purpose": e.purpose,
        "work_kinds": e.work_kinds,
        "data_categories": e.data_categories,
        "starts_on": e.starts_on,
        "ends_on": e.ends_on,
        "vendor_country": e.vendor_country,
        "processing_countries": e.processing_countries,
        "timezone": e.timezone,
        "work_days": e.work_days,
        "work_start": e.work_start,
        "work_end": e.work_end,
        "off_hours": e.off_hours,
        "breach_notice_hours": e.breach_notice_hours,
        "return_terms": e.return_terms,
        "contacts": e.contacts,
        "workstation_valid_days": e.workstation_valid_days,
        "reason": "Contract amendment 2",
    }
    return EngagementUpdate.model_validate({**base, **changes})


def _update(s, who="owner", **changes):
    return engagements.update_engagement(
        s.world_session,
        s.actor(who),
        s.engagement.id,
        _terms(s, **changes),
        clock=s.deps.clock,
    )


def _last_update(s):
    return engagements.history(s.world_session, s.actor("owner"), s.engagement.id)[0]


def test_changed_terms_are_kept_with_old_and_new_values(setup):
    s = setup
    new_end = s.engagement.ends_on + timedelta(days=30)
    _update(
        s,
        ends_on=new_end,
        data_categories=["PERSON"],
        work_kinds=["payroll", "bookkeeping"],
        breach_notice_hours=48,
    )
    assert s.engagement.ends_on == new_end
    assert s.engagement.data_categories == ["PERSON"]
    event = _last_update(s)
    assert event.tag == "engagement:updated"
    d = event.details
    assert sorted(d["changed"]) == [
        "breach_notice_hours",
        "data_categories",
        "ends_on",
        "work_kinds",
    ]
    assert d["ends_on_now"] == new_end.isoformat()
    assert d["data_categories_was"] == ["PERSON", "EMAIL"]
    assert d["data_categories_now"] == ["PERSON"]
    assert (d["breach_notice_hours_was"], d["breach_notice_hours_now"]) == (24, 48)
    assert d["reason"] == "Contract amendment 2"
    assert event.actor_display


def test_texts_and_contacts_are_listed_as_changed_without_their_values(setup):
    s = setup
    _update(
        s,
        purpose="Payroll and year-end forms for Maria Ortega's staff.",
        contacts=[
            {"name": "Maria Ortega", "role": "Owner", "email": "maria@example.com"}
        ],
    )
    event = _last_update(s)
    assert sorted(event.details["changed"]) == ["contacts", "purpose"]
    text = json.dumps(event.details)
    assert "Ortega" not in text
    assert "maria@example.com" not in text


def test_the_gate_applies_new_terms_at_the_next_access(setup):
    s = setup
    today = s.deps.clock.now().date()
    assert gate.enforce(
        s.world_session, s.actor("agent"), s.engagement.id, clock=s.deps.clock
    ).allowed
    _update(s, ends_on=today, starts_on=today - timedelta(days=10))
    s.deps.clock.advance(timedelta(days=1))
    result = gate.enforce(
        s.world_session, s.actor("agent"), s.engagement.id, clock=s.deps.clock
    )
    assert not result.allowed
    assert any(r.startswith("dates") for r in result.reasons())


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("vadmin", PermissionDeniedError),
        ("agent", PermissionDeniedError),
        ("staff", PermissionDeniedError),
        ("auditor", PermissionDeniedError),
        ("other_owner", NotFoundError),  # another client does not learn it exists
    ],
)
def test_only_the_clients_manager_changes_terms(setup, who, refusal):
    s = setup
    before = s.engagement.ends_on
    with pytest.raises(refusal):
        _update(s, who=who, ends_on=before + timedelta(days=1))
    with pytest.raises(refusal):
        engagements.amend_engagement(
            s.world_session,
            s.actor(who),
            s.engagement.id,
            EngagementPatch(reason="Extend", ends_on=before + timedelta(days=1)),
            clock=s.deps.clock,
        )
    assert s.engagement.ends_on == before
    assert _last_update(s).tag != "engagement:updated"


def test_nothing_changed_is_refused(setup):
    with pytest.raises(DomainValidationError, match="Nothing changed"):
        _update(setup)


def test_an_ended_engagement_cannot_be_changed(setup):
    s = setup
    engagements.change_state(
        s.world_session,
        s.actor("owner"),
        s.engagement.id,
        StateChange(action="end", reason="Work finished"),
        clock=s.deps.clock,
    )
    assert not engagements.may_edit(s.actor("owner"), s.engagement)
    with pytest.raises(ConflictError, match="ended"):
        _update(s, breach_notice_hours=12)


def test_an_active_engagement_cannot_end_in_the_past(setup):
    s = setup
    yesterday = s.deps.clock.now().date() - timedelta(days=1)
    with pytest.raises(DomainValidationError, match="past"):
        _update(s, ends_on=yesterday)


def test_a_name_taken_by_another_engagement_is_refused(setup):
    s = setup
    other = engagements.create_engagement(
        s.world_session,
        s.actor("owner"),
        EngagementCreate(
            vendor_org_id=s.world.vendor.id,
            name="Bookkeeping 2027",
            purpose="Books.",
            work_kinds=["bookkeeping"],
            starts_on=s.engagement.starts_on,
            ends_on=s.engagement.ends_on,
            vendor_country="IN",
            processing_countries=["IN"],
        ),
        clock=s.deps.clock,
    )
    with pytest.raises(AlreadyExistsError):
        _update(s, name=other.name.upper())
    _update(s, name=s.engagement.name.upper())  # its own name in other case is fine
    assert s.engagement.name == "PAYROLL 2027"


def test_patch_merges_the_given_terms_and_checks_the_whole(setup):
    s = setup
    owner = s.actor("owner")
    engagements.amend_engagement(
        s.world_session,
        owner,
        s.engagement.id,
        EngagementPatch(reason="Night shift agreed", work_end="23:00"),
        clock=s.deps.clock,
    )
    assert (s.engagement.work_start, s.engagement.work_end) == ("08:00", "23:00")
    with pytest.raises(DomainValidationError, match="end before they start"):
        engagements.amend_engagement(
            s.world_session,
            owner,
            s.engagement.id,
            EngagementPatch(reason="Typo", work_start="23:30"),
            clock=s.deps.clock,
        )
    assert s.engagement.work_start == "08:00"
    with pytest.raises(DomainValidationError, match="time zone"):
        engagements.amend_engagement(
            s.world_session,
            owner,
            s.engagement.id,
            EngagementPatch(reason="Move", timezone="Mars/Olympus"),
            clock=s.deps.clock,
        )


def test_history_is_newest_first_and_visible_to_the_vendor(setup):
    s = setup
    _update(s, breach_notice_hours=36)
    tags = [
        e.tag
        for e in engagements.history(
            s.world_session, s.actor("vadmin"), s.engagement.id
        )
    ]
    assert tags == [
        "engagement:updated",
        "engagement:state_changed",
        "engagement:created",
    ]


def test_another_order_of_the_same_categories_is_no_change(setup):
    s = setup
    with pytest.raises(DomainValidationError, match="Nothing changed"):
        _update(s, data_categories=["EMAIL", "PERSON"], work_days=[4, 3, 2, 1, 0])
