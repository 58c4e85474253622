"""Threat-model claims T3/T7: secrets and typed identifiers never reach the audit log or logs."""

from __future__ import annotations

import json
import logging

from sqlalchemy import select

from outguard.accounts.models import ApiToken, Invitation, WebSession
from outguard.accounts.schemas import ApiTokenCreate, InvitationCreate
from outguard.accounts.service import invitations, signin, tokens
from outguard.audit.models import AuditEvent
from outguard.security.permissions import Permission
from outguard.types import RequestContext, Role
from tests.factories.accounts import TEST_PASSWORD

SENTINEL_EMAIL = "sentinel.person.4417@example.test"
SENTINEL_PASSWORD = "Sentinel-Password-123-45-6789"


def _everything(db_session, caplog) -> str:
    events = db_session.execute(select(AuditEvent)).scalars().all()
    rows = [
        json.dumps(
            {
                "tag": e.tag,
                "actor": e.actor_display,
                "details": e.details,
                "subject": e.subject_id,
            }
        )
        for e in events
    ]
    return "\n".join(rows) + "\n" + caplog.text


def test_failed_sign_ins_leak_neither_typed_email_nor_password(
    db_session, world, deps, caplog
):
    caplog.set_level(logging.DEBUG)
    ctx = RequestContext(ip="198.51.100.7")
    for email in (SENTINEL_EMAIL, "owner@example.test"):
        signin.sign_in(
            db_session, email=email, password=SENTINEL_PASSWORD, context=ctx, deps=deps
        )
    text = _everything(db_session, caplog)
    assert SENTINEL_EMAIL not in text
    assert SENTINEL_PASSWORD not in text
    assert "123-45-6789" not in text


def test_bearer_secrets_are_stored_only_as_hmacs(db_session, world, deps, caplog):
    caplog.set_level(logging.DEBUG)
    outcome = signin.sign_in(
        db_session,
        email="staff@example.test",
        password=TEST_PASSWORD,
        context=RequestContext(),
        deps=deps,
    )
    _, raw_token = tokens.create_token(
        db_session,
        world.actor("staff"),
        ApiTokenCreate(name="ci", scopes=frozenset({Permission.ORGS_READ})),
        deps=deps,
    )
    _, link = invitations.invite_user(
        db_session,
        world.actor("owner"),
        InvitationCreate(
            org_id=world.client.id,
            email=SENTINEL_EMAIL,
            display_name="S",
            roles=frozenset({Role.STAFF}),
        ),
        deps=deps,
    )
    raw_invite = link.rsplit("/", 1)[1]
    stored = [
        *db_session.execute(select(WebSession.token_hash)).scalars(),
        *db_session.execute(select(ApiToken.token_hash)).scalars(),
        *db_session.execute(select(Invitation.token_hash)).scalars(),
    ]
    for secret in (outcome.session_token, raw_token, raw_invite):
        assert all(secret not in value for value in stored)
    text = _everything(db_session, caplog)
    for secret in (outcome.session_token, raw_token, raw_invite, SENTINEL_EMAIL):
        assert secret not in text
