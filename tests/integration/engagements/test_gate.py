"""The gate on both databases: a compliant agent is allowed; without any one precondition,
access is denied, the reason is named, and the denial is in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from outguard.accounts.service import users
from outguard.accounts.service.demo import seed_demo
from outguard.audit.repository import AuditRepository
from outguard.engagements.models import AgreementKind, ApprovalState
from outguard.engagements.schemas import (
    AgentEnrol,
    ExceptionGrant,
    Offboard,
    SiteCreate,
    StateChange,
    SubcontractorDecide,
    SubcontractorPropose,
    TemplatePublish,
    WorkstationAnswers,
)
from outguard.engagements.service import (
    agreements,
    engagements,
    gate,
    roster,
    training,
    workstation,
)
from outguard.engagements.service.demo import seed_engagement_demo
from outguard.errors import ConflictError, NotFoundError, PermissionDeniedError
from outguard.types import Actor
from tests.integration.engagements.conftest import HOME_IP, OFFICE_IP, approve_sub


def _events(s):
    return list(
        reversed(AuditRepository(s.world_session).list_recent(org_ids=None, limit=500))
    )


def _enforce(s, name="agent", ip=OFFICE_IP):
    return gate.enforce(
        s.world_session, s.actor(name, ip), s.engagement.id, clock=s.deps.clock
    )


def _denied_for(s, code_prefix: str, name="agent", ip=OFFICE_IP):
    result = _enforce(s, name, ip)
    assert not result.allowed
    codes = result.reasons()
    assert any(c.startswith(code_prefix) for c in codes), codes
    events = [e for e in _events(s) if e.tag == "access:denied"]
    assert events, "the denial was not audited"
    assert any(r.startswith(code_prefix) for r in events[-1].details["reasons"])
    return result


def test_a_compliant_agent_is_allowed(setup):
    result = _enforce(setup)
    assert result.allowed, result.reasons()
    assert result.colour == "green"


def test_engagement_not_active(setup):
    engagements.change_state(
        setup.world_session,
        setup.actor("owner"),
        setup.engagement.id,
        StateChange(action="suspend", reason="Audit finding"),
        clock=setup.deps.clock,
    )
    _denied_for(setup, "engagement")


@pytest.mark.parametrize("days", [-20, 300])
def test_outside_the_engagement_dates(setup, days):
    setup.deps.clock.advance(timedelta(days=days))
    _denied_for(setup, "dates")


def test_vendor_agreements_missing(setup):
    agreements.publish_template(
        setup.world_session,
        setup.actor("owner"),
        TemplatePublish(
            kind=AgreementKind.DPA, title="DPA v2", body="New processing terms, long."
        ),
        clock=setup.deps.clock,
    )
    _denied_for(setup, "vendor_agreement:dpa")


@pytest.mark.parametrize("kind", [AgreementKind.AGENT_NDA, AgreementKind.AUP])
def test_agent_agreement_not_signed(setup, kind):
    s = setup
    approve_sub(s)
    # A second agent who signs everything but this one text.
    roster.enrol_agent(
        s.world_session,
        s.actor("vadmin"),
        s.engagement.id,
        AgentEnrol(
            user_id=s.world.people["subagent"].id,
            role_title="Clerk",
            starts_on=s.engagement.starts_on,
        ),
        clock=s.deps.clock,
    )
    other = next(k for k in (AgreementKind.AGENT_NDA, AgreementKind.AUP) if k != kind)
    s.sign("subagent", other)
    result = _enforce(s, "subagent")
    assert f"agreement:{kind.value}" in result.reasons()


def test_new_version_must_be_re_signed_by_its_deadline(setup):
    s = setup
    agreements.publish_template(
        s.world_session,
        s.actor("owner"),
        TemplatePublish(
            kind=AgreementKind.AGENT_NDA,
            title="NDA v2",
            body="Revised undertaking text.",
            resign_days=14,
        ),
        clock=s.deps.clock,
    )
    during = _enforce(s)
    assert during.allowed
    assert any(c.code == "agreement:agent_nda" for c in during.due)
    s.deps.clock.advance(timedelta(days=15))
    _denied_for(s, "agreement:agent_nda")


def test_training_not_passed_or_expired(setup):
    s = setup
    s.deps.clock.advance(timedelta(days=63))  # valid 60 days; a Tuesday again
    _denied_for(s, "training:")
    # Retaking with a wrong answer does not help; a pass restores access.
    training.take_quiz(
        s.world_session, s.actor("agent"), s.module_id, [0, 0], clock=s.deps.clock
    )
    _denied_for(s, "training:")
    training.take_quiz(
        s.world_session, s.actor("agent"), s.module_id, [1, 0], clock=s.deps.clock
    )
    assert _enforce(s).allowed


def test_screening_expired(setup):
    setup.deps.clock.advance(timedelta(days=3 * 365 + 5))
    # The engagement would end first; move its end out of the way.
    setup.engagement.ends_on = setup.deps.clock.now().date() + timedelta(days=10)
    result = _enforce(setup)
    assert "screening" in result.reasons()


def test_mfa_off(setup):
    user = setup.world.people["agent"]
    users.reset_mfa(
        setup.world_session, setup.actor("vadmin"), user.id, deps=setup.deps
    )
    _denied_for(setup, "mfa")


def test_workstation_failed_or_stale(setup):
    s = setup
    s.deps.clock.advance(timedelta(minutes=1))
    workstation.self_attest(
        s.world_session,
        s.actor("agent"),
        WorkstationAnswers(
            disk_encryption=True,
            firewall=False,
            antivirus=True,
            os_updates=True,
            removable_storage_blocked=True,
        ),
        clock=s.deps.clock,
    )
    result = _denied_for(s, "workstation")
    assert "firewall" in next(c.detail for c in result.unmet if c.code == "workstation")
    s.deps.clock.advance(timedelta(minutes=1))
    workstation.self_attest(
        s.world_session,
        s.actor("agent"),
        WorkstationAnswers(
            disk_encryption=True,
            firewall=True,
            antivirus=True,
            os_updates=True,
            removable_storage_blocked=True,
        ),
        clock=s.deps.clock,
    )
    assert _enforce(s).allowed
    s.deps.clock.advance(timedelta(days=91))  # valid 90 days on this engagement
    s.engagement.ends_on = s.deps.clock.now().date() + timedelta(days=100)
    training.take_quiz(
        s.world_session, s.actor("agent"), s.module_id, [1, 0], clock=s.deps.clock
    )
    _denied_for(s, "workstation")


def test_outside_the_office_network_and_the_exception(setup):
    s = setup
    _denied_for(s, "network", ip=HOME_IP)
    _denied_for(s, "network", ip=None)
    roster.grant_exception(
        s.world_session,
        s.actor("owner"),
        s.engagement.id,
        ExceptionGrant(
            user_id=s.world.people["agent"].id,
            cidr=HOME_IP,
            reason="Flood at the office",
            days=2,
        ),
        clock=s.deps.clock,
    )
    allowed = _enforce(s, ip=HOME_IP)
    assert allowed.allowed
    flagged = [e for e in _events(s) if e.tag == "access:flagged"]
    assert flagged
    assert flagged[-1].details["flags"] == ["network"]
    s.deps.clock.advance(timedelta(days=3))
    _denied_for(s, "network", ip=HOME_IP)


def test_outside_working_hours_denied_or_flagged(setup):
    s = setup
    s.deps.clock.advance(timedelta(hours=12))  # 21:00 UTC on a Tuesday
    _denied_for(s, "hours")
    s.engagement.off_hours = "flag"
    result = _enforce(s)
    assert result.allowed
    assert [c.code for c in result.due] == ["hours"]


def test_sub_contractor_not_approved_cannot_be_enrolled_and_revocation_blocks(setup):
    s = setup
    enrol = AgentEnrol(
        user_id=s.world.people["subagent"].id,
        role_title="Clerk",
        starts_on=s.engagement.starts_on,
    )
    with pytest.raises(ConflictError, match="not an approved sub-contractor"):
        roster.enrol_agent(
            s.world_session,
            s.actor("vadmin"),
            s.engagement.id,
            enrol,
            clock=s.deps.clock,
        )
    proposal = approve_sub(s)
    roster.register_site(
        s.world_session,
        s.actor("vadmin"),
        SiteCreate(
            org_id=s.world.sub.id,
            name="Manila",
            country="PH",
            networks=["203.0.113.0/28"],
        ),
        clock=s.deps.clock,
    )
    s.comply("subagent")
    assert _enforce(s, "subagent").allowed, _enforce(s, "subagent").reasons()
    roster.decide_subcontractor(
        s.world_session,
        s.actor("owner"),
        s.engagement.id,
        proposal.id,
        SubcontractorDecide(decision=ApprovalState.REVOKED, note="Audit finding"),
        clock=s.deps.clock,
    )
    _denied_for(s, "employer", name="subagent")


def test_offboarded_or_never_enrolled(setup):
    s = setup
    roster.offboard_agent(
        s.world_session,
        s.actor("vadmin"),
        s.engagement.id,
        s.world.people["agent"].id,
        Offboard(reason="Left the company"),
        clock=s.deps.clock,
    )
    _denied_for(s, "enrolment")


def test_disabled_account(setup):
    users.disable_user(
        setup.world_session,
        setup.actor("vadmin"),
        setup.world.people["agent"].id,
        deps=setup.deps,
    )
    _denied_for(setup, "account")


def test_client_rules_no_one_else_can_change(setup):
    s = setup
    with pytest.raises(PermissionDeniedError):
        engagements.change_state(
            s.world_session,
            s.actor("vadmin"),
            s.engagement.id,
            StateChange(action="end", reason="Done"),
            clock=s.deps.clock,
        )
    with pytest.raises(PermissionDeniedError):
        roster.enrol_agent(
            s.world_session,
            s.actor("agent"),
            s.engagement.id,
            AgentEnrol(
                user_id=s.world.people["agent"].id,
                role_title="Me",
                starts_on=s.engagement.starts_on,
            ),
            clock=s.deps.clock,
        )
    with pytest.raises(NotFoundError):  # another client cannot even see it
        engagements.get_engagement(
            s.world_session, s.actor("other_owner"), s.engagement.id
        )
    proposal = roster.propose_subcontractor(
        s.world_session,
        s.actor("vadmin"),
        s.engagement.id,
        SubcontractorPropose(sub_org_id=s.world.sub.id, scope="Data entry"),
        clock=s.deps.clock,
    )
    with pytest.raises(PermissionDeniedError):  # the vendor cannot approve its own sub
        roster.decide_subcontractor(
            s.world_session,
            s.actor("vadmin"),
            s.engagement.id,
            proposal.id,
            SubcontractorDecide(decision=ApprovalState.APPROVED, note="Self-approved"),
            clock=s.deps.clock,
        )


def test_matrix_and_checklist_agree_with_the_gate(setup):
    s = setup
    rows = gate.matrix(
        s.world_session, s.actor("owner"), s.engagement.id, clock=s.deps.clock
    )
    assert [r.result.colour for r in rows] == ["green"]
    s.deps.clock.advance(timedelta(days=35))  # training expires within 30 days: amber
    rows = gate.matrix(
        s.world_session, s.actor("owner"), s.engagement.id, clock=s.deps.clock
    )
    assert rows[0].result.colour == "amber"
    items = gate.checklist(s.world_session, s.actor("agent"), clock=s.deps.clock)
    assert [e.id for e, _ in items] == [s.engagement.id]
    with pytest.raises(PermissionDeniedError):
        gate.matrix(
            s.world_session, s.actor("agent"), s.engagement.id, clock=s.deps.clock
        )


def test_the_demo_data_shows_one_of_each(db_session, deps):
    seed_demo(db_session, Actor.system("test"), deps=deps)
    engagement = seed_engagement_demo(db_session, deps=deps)
    rows = gate.matrix(
        db_session, Actor.system("test"), engagement.id, clock=deps.clock
    )
    by_name = {r.user.display_name: r.result for r in rows}
    assert by_name["Asha Agent"].allowed
    assert [c.kind for c in by_name["Ben Agent"].unmet] == ["training"]
    assert [c.kind for c in by_name["Hugo Sub-Agent"].unmet] == ["employer"]


def test_required_retake_blocks_until_passed_again(setup):
    s = setup
    s.deps.clock.advance(timedelta(minutes=1))
    training.require_retake(
        s.world_session, s.actor("owner"), s.module_id, clock=s.deps.clock
    )
    result = _denied_for(s, "training:")
    assert "retake required" in result.unmet[0].detail
    with pytest.raises(PermissionDeniedError):
        training.require_retake(
            s.world_session, s.actor("vadmin"), s.module_id, clock=s.deps.clock
        )
    s.deps.clock.advance(timedelta(minutes=5))
    training.take_quiz(
        s.world_session, s.actor("agent"), s.module_id, [1, 0], clock=s.deps.clock
    )
    assert _enforce(s).allowed
