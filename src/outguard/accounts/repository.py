"""All SQL of the accounts feature. Reads that depend on the actor are actor-scoped."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import Session

from outguard.accounts.models import (
    ApiToken,
    Invitation,
    LoginFailure,
    Organization,
    RecoveryCode,
    User,
    WebSession,
)
from outguard.types import Actor, OrgKind


def visible_org_ids_statement(actor: Actor) -> Select[uuid.UUID]:
    """Own organisation, the organisations it manages, and their sub-contractors."""
    if actor.is_system:
        return select(Organization.id)
    if actor.org_id is None:
        return select(Organization.id).where(Organization.id.is_(None))
    children = select(Organization.id).where(Organization.parent_id == actor.org_id)
    grandchildren = select(Organization.id).where(Organization.parent_id.in_(children))
    return select(Organization.id).where(
        or_(
            Organization.id == actor.org_id,
            Organization.id.in_(children),
            Organization.id.in_(grandchildren),
        )
    )


class OrganizationRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, org: Organization) -> Organization:
        self._s.add(org)
        self._s.flush()  # id needed by the audit event
        return org

    def get_unscoped(self, org_id: uuid.UUID) -> Organization | None:
        return self._s.get(Organization, org_id)

    def visible_ids(self, actor: Actor) -> set[uuid.UUID]:
        return set(self._s.execute(visible_org_ids_statement(actor)).scalars())

    def get_readable(self, actor: Actor, org_id: uuid.UUID) -> Organization | None:
        stmt = select(Organization).where(
            Organization.id == org_id,
            Organization.id.in_(visible_org_ids_statement(actor)),
        )
        return self._s.execute(stmt).scalar_one_or_none()

    def list_readable(self, actor: Actor) -> list[Organization]:
        stmt = (
            select(Organization)
            .where(Organization.id.in_(visible_org_ids_statement(actor)))
            .order_by(Organization.kind, Organization.name)
        )
        return list(self._s.execute(stmt).scalars())

    def name_taken(self, name: str, parent_id: uuid.UUID | None) -> bool:
        stmt = (
            select(func.count())
            .select_from(Organization)
            .where(
                func.lower(Organization.name) == name.lower(),
                Organization.parent_id.is_(None)
                if parent_id is None
                else Organization.parent_id == parent_id,
            )
        )
        return bool(self._s.execute(stmt).scalar_one())

    def count(self) -> int:
        return int(
            self._s.execute(select(func.count()).select_from(Organization)).scalar_one()
        )

    def first_client_unscoped(self) -> Organization | None:
        stmt = select(Organization).where(Organization.kind == OrgKind.CLIENT).limit(1)
        return self._s.execute(
            stmt.order_by(Organization.created_at)
        ).scalar_one_or_none()


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, user: User) -> User:
        self._s.add(user)
        self._s.flush()  # id needed by the audit event
        return user

    def get_unscoped(self, user_id: uuid.UUID) -> User | None:
        return self._s.get(User, user_id)

    def get_by_email_unscoped(self, email: str) -> User | None:
        stmt = select(User).where(User.email == email.strip().lower())
        return self._s.execute(stmt).scalar_one_or_none()

    def email_exists(self, email: str) -> bool:
        return self.get_by_email_unscoped(email) is not None

    def get_readable(self, actor: Actor, user_id: uuid.UUID) -> User | None:
        stmt = select(User).where(
            User.id == user_id,
            or_(
                User.id == actor.user_id,
                User.org_id.in_(visible_org_ids_statement(actor)),
            ),
        )
        return self._s.execute(stmt).scalar_one_or_none()

    def list_readable(
        self, actor: Actor, *, org_id: uuid.UUID | None = None
    ) -> list[User]:
        stmt = select(User).where(User.org_id.in_(visible_org_ids_statement(actor)))
        if org_id is not None:
            stmt = stmt.where(User.org_id == org_id)
        return list(self._s.execute(stmt.order_by(User.display_name)).scalars())

    def list_in_org_unscoped(self, org_id: uuid.UUID) -> list[User]:
        stmt = select(User).where(User.org_id == org_id).order_by(User.display_name)
        return list(self._s.execute(stmt).scalars())

    def count(self) -> int:
        return int(self._s.execute(select(func.count()).select_from(User)).scalar_one())


class RecoveryCodeRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def replace_all(self, user_id: uuid.UUID, hashes: list[str], at: datetime) -> None:
        self._s.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        self._s.add_all(
            RecoveryCode(user_id=user_id, code_hash=h, created_at=at) for h in hashes
        )
        self._s.flush()

    def find_unused(self, user_id: uuid.UUID, code_hash: str) -> RecoveryCode | None:
        stmt = select(RecoveryCode).where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == code_hash,
            RecoveryCode.used_at.is_(None),
        )
        return self._s.execute(stmt).scalar_one_or_none()

    def count_unused(self, user_id: uuid.UUID) -> int:
        stmt = (
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
        return int(self._s.execute(stmt).scalar_one())


class WebSessionRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, web_session: WebSession) -> WebSession:
        self._s.add(web_session)
        self._s.flush()
        return web_session

    def get_by_hash(self, token_hash: str) -> WebSession | None:
        stmt = select(WebSession).where(WebSession.token_hash == token_hash)
        return self._s.execute(stmt).scalar_one_or_none()

    def list_active_for_user(
        self, user_id: uuid.UUID, now: datetime
    ) -> list[WebSession]:
        stmt = (
            select(WebSession)
            .where(
                WebSession.user_id == user_id,
                WebSession.revoked_at.is_(None),
                WebSession.expires_at > now,
            )
            .order_by(WebSession.last_seen_at.desc())
        )
        return list(self._s.execute(stmt).scalars())

    def revoke_all_for_user(self, user_id: uuid.UUID, at: datetime) -> int:
        result = self._s.execute(
            update(WebSession)
            .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


class LoginFailureRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, key_hash: str, at: datetime) -> None:
        self._s.add(LoginFailure(key_hash=key_hash, at=at))
        self._s.flush()

    def count_since(self, key_hash: str, since: datetime) -> int:
        stmt = (
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.key_hash == key_hash, LoginFailure.at >= since)
        )
        return int(self._s.execute(stmt).scalar_one())

    def prune_before(self, before: datetime) -> None:
        self._s.execute(delete(LoginFailure).where(LoginFailure.at < before))


class ApiTokenRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, token: ApiToken) -> ApiToken:
        self._s.add(token)
        self._s.flush()
        return token

    def get_by_hash(self, token_hash: str) -> ApiToken | None:
        stmt = select(ApiToken).where(ApiToken.token_hash == token_hash)
        return self._s.execute(stmt).scalar_one_or_none()

    def get_owned(self, user_id: uuid.UUID, token_id: uuid.UUID) -> ApiToken | None:
        stmt = select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.user_id == user_id
        )
        return self._s.execute(stmt).scalar_one_or_none()

    def list_owned(self, user_id: uuid.UUID) -> list[ApiToken]:
        stmt = (
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.created_at.desc())
        )
        return list(self._s.execute(stmt).scalars())

    def revoke_all_for_user(self, user_id: uuid.UUID, at: datetime) -> None:
        self._s.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=at)
        )


class InvitationRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, invitation: Invitation) -> Invitation:
        self._s.add(invitation)
        self._s.flush()
        return invitation

    def get_by_hash(self, token_hash: str) -> Invitation | None:
        stmt = select(Invitation).where(Invitation.token_hash == token_hash)
        return self._s.execute(stmt).scalar_one_or_none()

    def get_readable(self, actor: Actor, invitation_id: uuid.UUID) -> Invitation | None:
        stmt = select(Invitation).where(
            Invitation.id == invitation_id,
            Invitation.org_id.in_(visible_org_ids_statement(actor)),
        )
        return self._s.execute(stmt).scalar_one_or_none()

    def list_readable(self, actor: Actor) -> list[Invitation]:
        stmt = (
            select(Invitation)
            .where(Invitation.org_id.in_(visible_org_ids_statement(actor)))
            .order_by(Invitation.created_at.desc())
        )
        return list(self._s.execute(stmt).scalars())

    def open_for_email(self, email: str, now: datetime) -> Invitation | None:
        stmt = select(Invitation).where(
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        return self._s.execute(stmt.limit(1)).scalar_one_or_none()

    def claim(self, invitation_id: uuid.UUID, at: datetime) -> bool:
        """Mark accepted only if still open: the row count makes a double-submit lose."""
        result = self._s.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(accepted_at=at)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]
