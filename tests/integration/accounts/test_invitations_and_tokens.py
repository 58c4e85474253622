from datetime import timedelta

import pytest

from outguard.accounts.errors import (
    ApiTokenInvalidError,
    EmailTakenError,
    InvitationInvalidError,
    RoleNotAllowedError,
)
from outguard.accounts.policy import has_permission
from outguard.accounts.schemas import ApiTokenCreate, InvitationAccept, InvitationCreate
from outguard.accounts.service import invitations, tokens
from outguard.errors import DomainValidationError, PermissionDeniedError
from outguard.security.decisions import Deny
from outguard.security.permissions import Permission
from outguard.types import RequestContext, Role

CTX = RequestContext(ip="192.0.2.10")


def _invite(
    db_session,
    world,
    deps,
    who="owner",
    org=None,
    roles=(Role.STAFF,),
    email="new@example.test",
):
    data = InvitationCreate(
        org_id=(org or world.client).id,
        email=email,
        display_name="New Person",
        roles=frozenset(roles),
    )
    return invitations.invite_user(db_session, world.actor(who), data, deps=deps)


class TestInvitations:
    def test_invite_sends_a_single_use_link(self, db_session, world, deps, mailer):
        invitation, link = _invite(db_session, world, deps)
        assert len(mailer.sent) == 1
        assert link in mailer.sent[0].text
        raw = link.rsplit("/", 1)[1]
        user = invitations.accept_invitation(
            db_session,
            raw,
            InvitationAccept(password="a long new passphrase"),
            context=CTX,
            deps=deps,
        )
        assert user.role_set == {Role.STAFF}
        with pytest.raises(InvitationInvalidError):
            invitations.accept_invitation(
                db_session,
                raw,
                InvitationAccept(password="a long new passphrase"),
                context=CTX,
                deps=deps,
            )

    def test_expired_invite_refused(self, db_session, world, deps):
        _, link = _invite(db_session, world, deps)
        deps.clock.advance(timedelta(hours=deps.auth.invite_ttl_hours + 1))
        with pytest.raises(InvitationInvalidError, match="expired"):
            invitations.get_pending_invitation(
                db_session, link.rsplit("/", 1)[1], deps=deps
            )

    def test_garbage_token_refused(self, db_session, world, deps):
        with pytest.raises(InvitationInvalidError):
            invitations.get_pending_invitation(
                db_session, "ogi_not-a-real-token", deps=deps
            )

    def test_vendor_role_in_client_org_refused(self, db_session, world, deps):
        with pytest.raises(RoleNotAllowedError):
            _invite(db_session, world, deps, roles=(Role.AGENT,))

    def test_agent_cannot_invite(self, db_session, world, deps):
        with pytest.raises(PermissionDeniedError):
            _invite(
                db_session,
                world,
                deps,
                who="agent",
                org=world.vendor,
                roles=(Role.AGENT,),
            )

    def test_owner_may_invite_only_a_vendor_admin_into_its_vendor(
        self, db_session, world, deps
    ):
        _invite(db_session, world, deps, org=world.vendor, roles=(Role.VENDOR_ADMIN,))
        with pytest.raises(PermissionDeniedError):
            _invite(
                db_session,
                world,
                deps,
                org=world.vendor,
                roles=(Role.AGENT,),
                email="x@example.test",
            )

    def test_duplicate_email_refused(self, db_session, world, deps):
        with pytest.raises(EmailTakenError):
            _invite(db_session, world, deps, email="staff@example.test")

    def test_weak_password_changes_nothing(self, db_session, world, deps):
        _, link = _invite(db_session, world, deps)
        raw = link.rsplit("/", 1)[1]
        with pytest.raises(DomainValidationError):
            invitations.accept_invitation(
                db_session,
                raw,
                InvitationAccept(password="short"),
                context=CTX,
                deps=deps,
            )
        assert invitations.get_pending_invitation(
            db_session, raw, deps=deps
        ).invitation.is_open


class TestApiTokens:
    def test_token_authenticates_with_its_scopes_only(self, db_session, world, deps):
        token, raw = tokens.create_token(
            db_session,
            world.actor("owner"),
            ApiTokenCreate(name="ci", scopes=frozenset({Permission.ORGS_READ})),
            deps=deps,
        )
        assert raw.startswith("og_")
        assert token.token_hash != raw and raw not in token.hint
        actor = tokens.authenticate_token(db_session, raw, context=CTX, deps=deps)
        assert not isinstance(has_permission(actor, Permission.ORGS_READ), Deny)
        assert isinstance(has_permission(actor, Permission.USERS_INVITE), Deny)

    def test_scope_beyond_roles_refused(self, db_session, world, deps):
        with pytest.raises(DomainValidationError):
            tokens.create_token(
                db_session,
                world.actor("staff"),
                ApiTokenCreate(name="x", scopes=frozenset({Permission.USERS_INVITE})),
                deps=deps,
            )

    def test_revoked_and_expired_tokens_fail(self, db_session, world, deps):
        token, raw = tokens.create_token(
            db_session,
            world.actor("owner"),
            ApiTokenCreate(
                name="a", scopes=frozenset({Permission.ORGS_READ}), expires_in_days=1
            ),
            deps=deps,
        )
        deps.clock.advance(timedelta(days=2))
        with pytest.raises(ApiTokenInvalidError):
            tokens.authenticate_token(db_session, raw, context=CTX, deps=deps)
        token2, raw2 = tokens.create_token(
            db_session,
            world.actor("owner"),
            ApiTokenCreate(name="b", scopes=frozenset({Permission.ORGS_READ})),
            deps=deps,
        )
        tokens.revoke_token(db_session, world.actor("owner"), token2.id, deps=deps)
        with pytest.raises(ApiTokenInvalidError):
            tokens.authenticate_token(db_session, raw2, context=CTX, deps=deps)

    def test_token_cannot_mint_tokens(self, db_session, world, deps):
        _, raw = tokens.create_token(
            db_session,
            world.actor("owner"),
            ApiTokenCreate(name="a", scopes=frozenset({Permission.TOKENS_MANAGE})),
            deps=deps,
        )
        actor = tokens.authenticate_token(db_session, raw, context=CTX, deps=deps)
        with pytest.raises(PermissionDeniedError):
            tokens.create_token(
                db_session,
                actor,
                ApiTokenCreate(name="b", scopes=frozenset({Permission.ORGS_READ})),
                deps=deps,
            )
