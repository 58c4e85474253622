"""Invitations: an admin invites someone by e-mail; the link is single-use and expiring."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from outguard.accounts.errors import EmailTakenError, InvitationInvalidError
from outguard.accounts.models import Invitation, Organization, User, UserStatus
from outguard.accounts.policy import can_invite
from outguard.accounts.repository import (
    InvitationRepository,
    OrganizationRepository,
    UserRepository,
)
from outguard.accounts.schemas import InvitationAccept, InvitationCreate
from outguard.accounts.service.deps import AccountsDeps
from outguard.accounts.service.guard import require_permission
from outguard.accounts.service.users import check_roles, hash_new_password
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.errors import NotFoundError, PermissionDeniedError
from outguard.mail import OutgoingMail
from outguard.security.decisions import Deny
from outguard.security.permissions import Permission
from outguard.security.tokens import INVITE_PREFIX, new_token
from outguard.types import Actor, OrgKind, RequestContext, Role, roles_allowed_for

_PURPOSE = "invitation"


@dataclass(frozen=True)
class PendingInvitation:
    """What the accept page may show (the invitee already knows their own address)."""

    invitation: Invitation
    organization: Organization


def invite_user(
    session: Session, actor: Actor, data: InvitationCreate, *, deps: AccountsDeps
) -> tuple[Invitation, str]:
    """Create the invitation and e-mail the link. Returns (invitation, link)."""
    orgs = OrganizationRepository(session)
    org = orgs.get_readable(actor, data.org_id)
    if org is None:
        raise NotFoundError("Organisation not found.")
    check_roles(OrgKind(org.kind), data.roles)
    decision = can_invite(actor, org, data.roles)
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)
    email = str(data.email).lower()
    now = deps.clock.now()
    invitations = InvitationRepository(session)
    if UserRepository(session).email_exists(email) or invitations.open_for_email(
        email, now
    ):
        raise EmailTakenError
    raw = new_token(INVITE_PREFIX)
    invitation = invitations.add(
        Invitation(
            org_id=org.id,
            email=email,
            display_name=data.display_name,
            roles=sorted(r.value for r in data.roles),
            token_hash=deps.hasher.digest(raw, purpose=_PURPOSE),
            invited_by_id=actor.user_id,
            created_at=now,
            expires_at=now + timedelta(hours=deps.auth.invite_ttl_hours),
        )
    )
    record(
        session,
        actor,
        AuditTag.USER_INVITED,
        clock=deps.clock,
        subject_type="invitation",
        subject_id=invitation.id,
        org_id=org.id,
        details={"roles": invitation.roles},
    )
    link = f"{deps.base_url}/invite/{raw}"
    deps.mailer.send(
        OutgoingMail(
            to=email,
            subject=f"You are invited to {org.name} on outguard",
            text=(
                f"Hello {data.display_name},\n\n"
                f"{actor.display.split(' <')[0]} invited you to join {org.name} on outguard.\n"
                f"Open this link to choose your password (it works once, for "
                f"{deps.auth.invite_ttl_hours} hours):\n\n{link}\n\n"
                "If you did not expect this, ignore this message.\n"
            ),
        )
    )
    return invitation, link


def _open_invitation(session: Session, raw: str, *, deps: AccountsDeps) -> Invitation:
    if not raw.startswith(INVITE_PREFIX):
        raise InvitationInvalidError
    invitation = InvitationRepository(session).get_by_hash(
        deps.hasher.digest(raw, purpose=_PURPOSE)
    )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= deps.clock.now()
    ):
        raise InvitationInvalidError
    return invitation


def get_pending_invitation(
    session: Session, raw: str, *, deps: AccountsDeps
) -> PendingInvitation:
    invitation = _open_invitation(session, raw, deps=deps)
    org = OrganizationRepository(session).get_unscoped(invitation.org_id)
    if org is None:
        raise InvitationInvalidError
    return PendingInvitation(invitation=invitation, organization=org)


def accept_invitation(
    session: Session,
    raw: str,
    data: InvitationAccept,
    *,
    context: RequestContext,
    deps: AccountsDeps,
) -> User:
    pending = get_pending_invitation(session, raw, deps=deps)
    invitation = pending.invitation
    password_hash = hash_new_password(deps, data.password)
    now = deps.clock.now()
    if not InvitationRepository(session).claim(invitation.id, now):
        raise InvitationInvalidError  # a concurrent submit won
    users = UserRepository(session)
    if users.email_exists(invitation.email):
        raise EmailTakenError
    user = users.add(
        User(
            org_id=invitation.org_id,
            email=invitation.email,
            display_name=(data.display_name or invitation.display_name).strip()
            or invitation.display_name,
            roles=list(invitation.roles),
            status=UserStatus.ACTIVE,
            password_hash=password_hash,
            created_at=now,
        )
    )
    invitation.user_id = user.id
    record(
        session,
        Actor.anonymous(context),
        AuditTag.INVITATION_ACCEPTED,
        clock=deps.clock,
        subject_type="invitation",
        subject_id=invitation.id,
        org_id=invitation.org_id,
        details={"user_id": str(user.id)},
    )
    return user


@dataclass(frozen=True)
class InviteTarget:
    """An organisation the actor may invite into, with the roles allowed there."""

    organization: Organization
    roles: tuple[Role, ...]


def invite_targets(session: Session, actor: Actor) -> list[InviteTarget]:
    require_permission(actor, Permission.USERS_INVITE)
    targets = []
    for org in OrganizationRepository(session).list_readable(actor):
        roles = tuple(
            role
            for role in sorted(roles_allowed_for(OrgKind(org.kind)))
            if not isinstance(can_invite(actor, org, frozenset({role})), Deny)
        )
        if roles:
            targets.append(InviteTarget(organization=org, roles=roles))
    return targets


def list_invitations(session: Session, actor: Actor) -> list[Invitation]:
    require_permission(actor, Permission.USERS_INVITE)
    return InvitationRepository(session).list_readable(actor)


def revoke_invitation(
    session: Session, actor: Actor, invitation_id: uuid.UUID, *, deps: AccountsDeps
) -> Invitation:
    require_permission(actor, Permission.USERS_INVITE)
    invitation = InvitationRepository(session).get_readable(actor, invitation_id)
    if invitation is None:
        raise NotFoundError("Invitation not found.")
    org = OrganizationRepository(session).get_unscoped(invitation.org_id)
    assert org is not None  # noqa: S101 - foreign key
    decision = can_invite(actor, org, frozenset(invitation.role_set))
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = deps.clock.now()
        record(
            session,
            actor,
            AuditTag.INVITATION_REVOKED,
            clock=deps.clock,
            subject_type="invitation",
            subject_id=invitation.id,
            org_id=invitation.org_id,
        )
    return invitation
