"""People: direct creation (operators), listing, disabling, password changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from outguard.accounts.errors import (
    EmailTakenError,
    RoleNotAllowedError,
    WeakPasswordError,
)
from outguard.accounts.models import Organization, User, UserStatus
from outguard.accounts.policy import can_manage_user, can_view_user
from outguard.accounts.repository import (
    ApiTokenRepository,
    OrganizationRepository,
    UserRepository,
    WebSessionRepository,
)
from outguard.accounts.schemas import UserCreate
from outguard.accounts.service.deps import AccountsDeps
from outguard.accounts.service.guard import require_permission
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.errors import AuthenticationError, NotFoundError, PermissionDeniedError
from outguard.security.decisions import Deny
from outguard.security.passwords import PasswordPolicyError
from outguard.security.permissions import Permission, permissions_for
from outguard.types import Actor, OrgKind, Role, roles_allowed_for


def hash_new_password(deps: AccountsDeps, password: str) -> str:
    try:
        return deps.passwords.hash(password)
    except PasswordPolicyError as exc:
        raise WeakPasswordError(str(exc)) from exc


def check_roles(kind: OrgKind, roles: frozenset[Role]) -> None:
    if not roles or not roles <= roles_allowed_for(kind):
        allowed = ", ".join(sorted(r.value for r in roles_allowed_for(kind)))
        raise RoleNotAllowedError(
            f"Roles allowed in a {kind.value} organisation: {allowed}."
        )


def create_user(
    session: Session, actor: Actor, data: UserCreate, *, deps: AccountsDeps
) -> User:
    """Operator path (CLI `user add`): a system actor creates an active account."""
    if not actor.is_system:
        raise PermissionDeniedError(
            "Only an operator can create accounts directly; invite people instead."
        )
    org = OrganizationRepository(session).get_unscoped(data.org_id)
    if org is None:
        raise NotFoundError("Organisation not found.")
    check_roles(OrgKind(org.kind), data.roles)
    users = UserRepository(session)
    email = str(data.email).lower()
    if users.email_exists(email):
        raise EmailTakenError
    now = deps.clock.now()
    user = users.add(
        User(
            org_id=org.id,
            email=email,
            display_name=data.display_name,
            roles=sorted(r.value for r in data.roles),
            status=UserStatus.ACTIVE,
            password_hash=hash_new_password(deps, data.password),
            created_at=now,
        )
    )
    record(
        session,
        actor,
        AuditTag.USER_CREATED,
        clock=deps.clock,
        subject_type="user",
        subject_id=user.id,
        org_id=org.id,
        details={"roles": user.roles},
    )
    return user


def _audit(
    session: Session, actor: Actor, tag: AuditTag, user: User, deps: AccountsDeps
) -> None:
    record(
        session,
        actor,
        tag,
        clock=deps.clock,
        subject_type="user",
        subject_id=user.id,
        org_id=user.org_id,
    )


def get_user(session: Session, actor: Actor, user_id: uuid.UUID) -> User:
    user = UserRepository(session).get_readable(actor, user_id)
    visible = OrganizationRepository(session).visible_ids(actor)
    if user is None or isinstance(can_view_user(actor, user, visible), Deny):
        raise NotFoundError("User not found.")
    return user


def list_users(
    session: Session, actor: Actor, *, org_id: uuid.UUID | None = None
) -> list[User]:
    users = UserRepository(session).list_readable(actor, org_id=org_id)
    visible = OrganizationRepository(session).visible_ids(actor)
    return [u for u in users if not isinstance(can_view_user(actor, u, visible), Deny)]


@dataclass(frozen=True)
class UserEntry:
    """A row of the people directory: the person, their organisation, what the actor may do."""

    user: User
    organization: Organization
    can_manage: bool


@dataclass(frozen=True)
class Me:
    user: User
    organization: Organization
    permissions: frozenset[Permission]


def whoami(session: Session, actor: Actor) -> Me:
    """The signed-in person, their organisation and their effective permissions."""
    if not actor.is_user or actor.user_id is None:
        raise AuthenticationError
    user = UserRepository(session).get_unscoped(actor.user_id)
    org = OrganizationRepository(session).get_unscoped(user.org_id) if user else None
    if user is None or org is None:
        raise AuthenticationError
    granted = permissions_for(actor.roles)
    if actor.scopes is not None:
        granted = frozenset(p for p in granted if p in actor.scopes)
    return Me(user=user, organization=org, permissions=granted)


def directory(
    session: Session, actor: Actor, *, org_id: uuid.UUID | None = None
) -> list[UserEntry]:
    """People the actor may see, for actors allowed to read people at all (else 403)."""
    require_permission(actor, Permission.USERS_READ)
    by_id = {o.id: o for o in OrganizationRepository(session).list_readable(actor)}
    return [
        UserEntry(
            user=user,
            organization=by_id[user.org_id],
            can_manage=not isinstance(
                can_manage_user(actor, user, by_id[user.org_id]), Deny
            ),
        )
        for user in list_users(session, actor, org_id=org_id)
        if user.org_id in by_id
    ]


def read_user(session: Session, actor: Actor, user_id: uuid.UUID) -> User:
    """`get_user` behind a role gate: anyone may read themself; others need users:read."""
    if not actor.is_user or actor.user_id != user_id:
        require_permission(actor, Permission.USERS_READ)
    return get_user(session, actor, user_id)


def _managed_user(session: Session, actor: Actor, user_id: uuid.UUID) -> User:
    require_permission(actor, Permission.USERS_MANAGE)
    user = get_user(session, actor, user_id)
    org = OrganizationRepository(session).get_unscoped(user.org_id)
    assert org is not None  # noqa: S101 - foreign key
    decision = can_manage_user(actor, user, org)
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)
    return user


def disable_user(
    session: Session, actor: Actor, user_id: uuid.UUID, *, deps: AccountsDeps
) -> User:
    """Cuts access at once: every session and API token of the user stops working."""
    user = _managed_user(session, actor, user_id)
    if user.status == UserStatus.DISABLED:
        return user
    now = deps.clock.now()
    user.status = UserStatus.DISABLED
    user.disabled_at = now
    user.sessions_valid_after = now
    WebSessionRepository(session).revoke_all_for_user(user.id, now)
    ApiTokenRepository(session).revoke_all_for_user(user.id, now)
    _audit(session, actor, AuditTag.USER_DISABLED, user, deps)
    return user


def enable_user(
    session: Session, actor: Actor, user_id: uuid.UUID, *, deps: AccountsDeps
) -> User:
    user = _managed_user(session, actor, user_id)
    if user.status == UserStatus.ACTIVE:
        return user
    user.status = UserStatus.ACTIVE
    user.disabled_at = None
    user.failed_login_count = 0
    user.locked_until = None
    _audit(session, actor, AuditTag.USER_ENABLED, user, deps)
    return user


def reset_mfa(
    session: Session, actor: Actor, user_id: uuid.UUID, *, deps: AccountsDeps
) -> User:
    """For a lost phone: the user must enrol again at next sign-in; their sessions end."""
    user = _managed_user(session, actor, user_id)
    now = deps.clock.now()
    user.mfa_secret_sealed = None
    user.mfa_enrolled_at = None
    user.totp_last_counter = None
    user.sessions_valid_after = now
    WebSessionRepository(session).revoke_all_for_user(user.id, now)
    _audit(session, actor, AuditTag.MFA_RESET, user, deps)
    return user


def change_password(
    session: Session, actor: Actor, *, current: str, new: str, deps: AccountsDeps
) -> None:
    if actor.user_id is None:
        raise AuthenticationError
    user = UserRepository(session).get_unscoped(actor.user_id)
    if user is None or not deps.passwords.verify(user.password_hash, current).ok:
        raise AuthenticationError("The current password is not correct.")
    user.password_hash = hash_new_password(deps, new)
    _audit(session, actor, AuditTag.PASSWORD_CHANGED, user, deps)


def find_user_for_operator(session: Session, actor: Actor, email_or_id: str) -> User:
    """Operator lookup by e-mail or id (CLI admin commands run as a system actor)."""
    if not actor.is_system:
        raise PermissionDeniedError("Only an operator can look people up by e-mail.")
    repo = UserRepository(session)
    user = None
    try:
        user = repo.get_unscoped(uuid.UUID(email_or_id))
    except ValueError:
        user = repo.get_by_email_unscoped(email_or_id)
    if user is None:
        raise NotFoundError("No user with that e-mail address or id.")
    return user


def count_users(session: Session) -> int:
    return UserRepository(session).count()


def user_unscoped(session: Session, user_id: uuid.UUID) -> User | None:
    """Internal lookup for other features, which decide visibility themselves."""
    return UserRepository(session).get_unscoped(user_id)


def users_in_org_unscoped(session: Session, org_id: uuid.UUID) -> list[User]:
    """Internal lookup for other features, which decide visibility themselves."""
    return UserRepository(session).list_in_org_unscoped(org_id)


def reauthenticate(
    session: Session, actor: Actor, password: str, *, deps: AccountsDeps
) -> User:
    """Ask for the password again before a consequential act (a signature, a re-identify)."""
    if actor.user_id is None:
        raise AuthenticationError
    user = UserRepository(session).get_unscoped(actor.user_id)
    if (
        user is None
        or not user.is_active
        or not deps.passwords.verify(user.password_hash, password).ok
    ):
        raise AuthenticationError("The password is not correct.")
    return user
