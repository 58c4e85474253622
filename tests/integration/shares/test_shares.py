"""Shares on both databases: create (gate per agent, waiting until eligible), render in
memory and seal, the agent opens their copy through the gate, revoke shreds it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from outguard.accounts.schemas import UserCreate
from outguard.accounts.service import mfa, users
from outguard.audit.models import AuditEvent
from outguard.datasets.service import scan_version, upload
from outguard.engagements.service import training
from outguard.errors import (
    ConflictError,
    DomainValidationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from outguard.keystore.service import KeyDestroyedError, load_data_key
from outguard.pii.entities import Entity
from outguard.protect.policy import Action, parse_policy
from outguard.security import totp
from outguard.shares.protection import restrict_to
from outguard.shares.revoking import revoke
from outguard.shares.service import (
    ShareCreate,
    create_share,
    get_share,
    render_progress,
    render_recipient,
)
from outguard.shares.workspace import my_shares, open_rendition, page_of, record_access
from outguard.types import Actor, Role
from tests.factories.accounts import TEST_PASSWORD
from tests.integration.engagements.conftest import HOME_IP

SSN = "536-22-8726"
NAME = "Quintessa Marchbanks"


@pytest.fixture
def version(setup, ddeps):
    rows = "employee,ssn,email,amount\n" + "".join(
        f"{NAME if i == 0 else f'Person {i}'},536-22-{8726 + i:04d},p{i}@example.com,{100 + i}\n"
        for i in range(30)
    )
    v = upload(
        setup.world_session,
        setup.actor("owner"),
        org_id=setup.world.client.id,
        filename="payroll.csv",
        name="Payroll",
        chunks=[rows.encode()],
        deps=ddeps,
    )
    return scan_version(setup.world_session, v.id, deps=ddeps)


def _share(s, ddeps, version, who="owner", **kw):
    data = {
        "engagement_id": s.engagement.id,
        "version_id": version.id,
        "policy": "payroll",
        "agent_ids": [s.world.people["agent"].id],
        "purpose": "December payroll run",
        "expires_on": s.deps.clock.now().date() + timedelta(days=30),
        **kw,
    }
    return create_share(s.world_session, s.actor(who), ShareCreate(**data), deps=ddeps)


def test_share_render_view_and_revoke(setup, ddeps, version):
    s = setup
    view = _share(s, ddeps, version)
    [recipient] = view.recipients
    assert recipient.state == "queued"
    render_recipient(s.world_session, recipient.id, deps=ddeps)
    assert recipient.state == "ready"
    assert recipient.rows >= 30
    sealed = b"".join(ddeps.blobs.open(recipient.blob_key))
    assert SSN.encode() not in sealed
    agent = s.actor("agent")
    opened = open_rendition(
        s.world_session, agent, view.share.id, deps=ddeps, purpose="view"
    )
    assert opened.result.allowed
    page = page_of(opened, 1)
    assert page.columns[:2] == ["employee", "ssn"]
    text = json.dumps(page.rows)
    assert SSN not in text
    assert NAME not in text
    record_access(
        s.world_session,
        agent,
        opened,
        deps=ddeps,
        download=False,
        page=1,
        rows=len(page.rows),
    )
    with pytest.raises(PermissionDeniedError, match="view-only"):
        open_rendition(
            s.world_session, agent, view.share.id, deps=ddeps, purpose="download"
        )
    assert [
        sh.id
        for sh, _ in my_shares(s.world_session, agent, s.engagement.id, deps=ddeps)
    ] == [view.share.id]
    revoke(
        s.world_session,
        s.actor("owner"),
        view.share.id,
        reason="Work moved in-house",
        deps=ddeps,
        user_id=s.world.people["agent"].id,
    )
    assert recipient.state == "revoked"
    assert not ddeps.blobs.exists(recipient.blob_key)
    with pytest.raises(KeyDestroyedError):
        load_data_key(
            s.world_session,
            ddeps.keys,
            tenant=str(s.world.client.id),
            key_id=recipient.key_id,
        )
    with pytest.raises(PermissionDeniedError, match="revoked"):
        open_rendition(
            s.world_session, agent, view.share.id, deps=ddeps, purpose="view"
        )
    assert my_shares(s.world_session, agent, s.engagement.id, deps=ddeps) == []


def test_the_gate_decides_every_opening_and_the_denial_is_recorded(
    setup, ddeps, version
):
    s = setup
    view = _share(s, ddeps, version, can_download=True)
    render_recipient(s.world_session, view.recipients[0].id, deps=ddeps)
    away = s.actor("agent", ip=HOME_IP)
    opened = open_rendition(
        s.world_session, away, view.share.id, deps=ddeps, purpose="download"
    )
    assert not opened.result.allowed
    assert opened.data is None
    assert any(r.startswith("network") for r in opened.result.reasons())
    last = s.world_session.execute(
        select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
    ).scalar_one()
    assert last.tag == "access:denied"
    allowed = open_rendition(
        s.world_session, s.actor("agent"), view.share.id, deps=ddeps, purpose="download"
    )
    assert allowed.data is not None


def test_an_agent_not_yet_eligible_waits_then_gets_it(setup, ddeps, version):
    s = setup
    s.deps.clock.advance(timedelta(days=61))  # the training (valid 60 days) lapsed
    view = _share(s, ddeps, version)
    [recipient] = view.recipients
    assert recipient.state == "waiting"
    assert any(code.startswith("training") for code in recipient.waiting_for)
    events = [
        e
        for e in s.world_session.execute(select(AuditEvent)).scalars()
        if e.tag == "share:created"
    ]
    assert events[-1].details["waiting"] == 1
    training.take_quiz(
        s.world_session, s.actor("agent"), s.module_id, [1, 0], clock=s.deps.clock
    )
    get_share(s.world_session, s.actor("owner"), view.share.id, deps=ddeps)
    assert recipient.state == "queued"


def test_who_may_share_and_what(setup, ddeps, version):
    s = setup
    for who, refusal in (
        ("vadmin", PermissionDeniedError),  # a party to the engagement, not its owner
        ("auditor", PermissionDeniedError),
        ("other_owner", NotFoundError),
    ):
        with pytest.raises(refusal):
            _share(s, ddeps, version, who=who)
    assert _share(s, ddeps, version, who="staff").share.policy_name == "payroll"
    with pytest.raises(DomainValidationError, match="enrolled"):
        _share(s, ddeps, version, agent_ids=[s.world.people["subagent"].id])
    with pytest.raises(DomainValidationError, match="expire"):
        _share(s, ddeps, version, expires_on=s.engagement.ends_on + timedelta(days=1))
    with pytest.raises(DomainValidationError, match="No protection template"):
        _share(s, ddeps, version, policy="no-such-template")


def test_only_a_scanned_version_of_this_client_can_be_shared(setup, ddeps):
    s = setup
    fresh = upload(
        s.world_session,
        s.actor("owner"),
        org_id=s.world.client.id,
        filename="new.csv",
        name="New",
        chunks=[b"a,b\n1,2\n"],
        deps=ddeps,
    )
    with pytest.raises(ConflictError, match="scan"):
        _share(s, ddeps, fresh)


def test_the_owner_reads_shares_others_do_not(setup, ddeps, version):
    s = setup
    view = _share(s, ddeps, version)
    assert get_share(s.world_session, s.actor("auditor"), view.share.id, deps=ddeps)
    for who in ("vadmin", "agent", "other_owner"):
        with pytest.raises(NotFoundError):
            get_share(s.world_session, s.actor(who), view.share.id, deps=ddeps)
    with pytest.raises(NotFoundError):  # not a recipient
        open_rendition(
            s.world_session,
            s.actor("vadmin"),
            view.share.id,
            deps=ddeps,
            purpose="view",
        )


def test_revoking_the_whole_share_and_twice(setup, ddeps, version):
    s = setup
    view = _share(s, ddeps, version)
    render_recipient(s.world_session, view.recipients[0].id, deps=ddeps)
    revoke(
        s.world_session,
        s.actor("owner"),
        view.share.id,
        reason="Contract ended",
        deps=ddeps,
    )
    assert view.share.state == "revoked"
    with pytest.raises(ConflictError):
        revoke(
            s.world_session, s.actor("owner"), view.share.id, reason="again", deps=ddeps
        )
    with pytest.raises(NotFoundError):  # the vendor never sees the client's shares
        revoke(
            s.world_session, s.actor("vadmin"), view.share.id, reason="mine", deps=ddeps
        )
    # a render job that runs after the revocation makes nothing
    assert (
        render_recipient(s.world_session, view.recipients[0].id, deps=ddeps).state
        == "revoked"
    )


def test_the_engagement_forbids_keeping_what_it_does_not_allow():
    policy = parse_policy(
        "version: 1\nname: open\ndefault: redact\nentities:\n"
        "  EMAIL: {action: keep}\n  PERSON: {action: keep}\n  US_SSN: {action: tokenize}\n"
    )
    restricted, changes = restrict_to(policy, ["PERSON"])
    assert restricted.rule_for(Entity.EMAIL).action is Action.REDACT
    assert restricted.rule_for(Entity.PERSON).action is Action.KEEP
    assert changes == ["EMAIL: keep → redact (not allowed on this engagement)"]
    assert restrict_to(policy, ["PERSON", "EMAIL"]) == (policy, [])


def test_agents_are_rate_limited(setup, ddeps, version):
    s = setup
    tight = replace(ddeps, pages_per_minute=3, downloads_per_hour=2)
    view = _share(s, tight, version, can_download=True)
    render_recipient(s.world_session, view.recipients[0].id, deps=tight)
    agent = s.actor("agent")
    for _ in range(2):
        opened = open_rendition(
            s.world_session, agent, view.share.id, deps=tight, purpose="download"
        )
        record_access(s.world_session, agent, opened, deps=tight, download=True)
    with pytest.raises(RateLimitedError, match="downloads"):
        open_rendition(
            s.world_session, agent, view.share.id, deps=tight, purpose="download"
        )
    for _ in range(3):
        opened = open_rendition(
            s.world_session, agent, view.share.id, deps=tight, purpose="view"
        )
        record_access(
            s.world_session, agent, opened, deps=tight, download=False, page=1, rows=1
        )
    with pytest.raises(RateLimitedError, match="pages"):
        open_rendition(
            s.world_session, agent, view.share.id, deps=tight, purpose="view"
        )
    s.deps.clock.advance(timedelta(minutes=2))
    assert open_rendition(
        s.world_session, agent, view.share.id, deps=tight, purpose="view"
    ).result.allowed


def test_one_agent_can_be_view_only_on_a_share_that_allows_downloads(
    setup, ddeps, version
):
    s = setup
    agent = s.world.people["agent"]
    view = _share(s, ddeps, version, can_download=True, view_only_ids=[agent.id])
    [recipient] = view.recipients
    assert recipient.view_only
    render_recipient(s.world_session, recipient.id, deps=ddeps)
    seen = open_rendition(
        s.world_session, s.actor("agent"), view.share.id, deps=ddeps, purpose="view"
    )
    assert seen.data
    with pytest.raises(PermissionDeniedError, match="view-only for you"):
        open_rendition(
            s.world_session,
            s.actor("agent"),
            view.share.id,
            deps=ddeps,
            purpose="download",
        )


def test_a_whole_team_share_reaches_agents_enrolled_later(setup, ddeps, version):
    s = setup
    with pytest.raises(ValidationError, match="at least one agent, or the whole team"):
        ShareCreate(
            engagement_id=s.engagement.id,
            version_id=version.id,
            policy="payroll",
            purpose="Payroll",
            expires_on=s.deps.clock.now().date() + timedelta(days=5),
        )
    view = _share(s, ddeps, version, agent_ids=[], whole_team=True)
    assert [r.user_id for r in view.recipients] == [s.world.people["agent"].id]
    assert view.share.whole_team
    newbie = users.create_user(
        s.world_session,
        Actor.system("test"),
        UserCreate(
            org_id=s.world.vendor.id,
            email="newbie@example.test",
            display_name="Newbie",
            roles=frozenset({Role.AGENT}),
            password=TEST_PASSWORD,
        ),
        deps=s.deps,
    )
    mfa.enrol_for_demo(newbie, totp.new_totp_secret(), deps=s.deps)
    s.world.people["newbie"] = newbie
    s.comply("newbie")
    [(share, mine)] = my_shares(
        s.world_session, s.actor("newbie"), s.engagement.id, deps=ddeps
    )
    assert share.id == view.share.id
    assert mine.user_id == newbie.id
    assert mine.state == "queued"  # compliant: the copy is being made
    joined = s.world_session.execute(
        select(AuditEvent).where(AuditEvent.tag == "share:joined")
    ).scalar_one()
    assert joined.details["recipient_user_id"] == str(newbie.id)
    # The owner's view shows them; asking again adds no one twice.
    again = get_share(s.world_session, s.actor("owner"), view.share.id, deps=ddeps)
    assert sorted(r.user_id for r in again.recipients) == sorted(
        [s.world.people["agent"].id, newbie.id]
    )
    # Someone who is not an agent of the engagement never joins.
    assert (
        my_shares(s.world_session, s.actor("staff"), s.engagement.id, deps=ddeps) == []
    )


def test_a_render_reports_its_progress_in_rows(setup, ddeps, version):
    s = setup
    view = _share(s, ddeps, version)
    [recipient] = view.recipients
    assert render_progress(s.world_session, recipient) is None  # the job has not run
    seen: list[tuple[float, str]] = []
    render_recipient(
        s.world_session,
        recipient.id,
        deps=ddeps,
        progress=lambda f, note: seen.append((f, note)),
    )
    assert seen
    assert all(0 < f < 1 for f, _ in seen)
    assert seen[-1][1].endswith("of 30 rows")
    assert render_progress(s.world_session, recipient) is None  # ready: nothing to show


def test_the_owners_protection_changes_are_checked_and_named():
    from outguard.pii.entities import Entity
    from outguard.protect.templates import load_template
    from outguard.shares.protection import customise

    payroll = load_template("payroll")
    for bad, message in (
        ({"US_SSN": "explode"}, "not a protection outguard knows"),
        ({"NOT_AN_ENTITY": "drop"}, "not a protection outguard knows"),
        ({"PERSON": "tokenize"}, "PERSON cannot be tokenized"),
        ({"US_SSN": "pseudonymize"}, "US_SSN cannot be pseudonymized"),
    ):
        with pytest.raises(DomainValidationError, match=message):
            customise(payroll, bad)
    current = payroll.rule_for(Entity.US_SSN).action.value
    same, none = customise(payroll, {"US_SSN": current})
    assert none == []
    assert same is payroll
    dob, changes = customise(payroll, {"DATE_OF_BIRTH": "drop"})
    assert changes == ["DATE_OF_BIRTH: generalize → drop (by the owner)"]
    assert dob.document.name == "payroll-custom"
    assert dob.rule_for(Entity.DATE_OF_BIRTH).action.value == "drop"
