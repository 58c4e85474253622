"""ORM models of the accounts feature."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outguard.db.base import Base, UUIDPrimaryKey
from outguard.types import OrganizationId, OrgKind, Role, UserId


class UserStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class Organization(UUIDPrimaryKey, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    # A vendor is managed by the client that added it; a sub-contractor by its vendor.
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]

    users: Mapped[list[User]] = relationship(
        back_populates="organization", lazy="raise"
    )

    @property
    def org_kind(self) -> OrgKind:
        return OrgKind(self.kind)

    @property
    def org_id(self) -> OrganizationId:
        return OrganizationId(self.id)


class User(UUIDPrimaryKey, Base):
    __tablename__ = "users"

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=UserStatus.ACTIVE)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    mfa_secret_sealed: Mapped[str | None] = mapped_column(String(255))
    mfa_enrolled_at: Mapped[datetime | None]
    totp_last_counter: Mapped[int | None]
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Sessions and tokens issued before this instant are no longer valid (sign out everywhere).
    sessions_valid_after: Mapped[datetime | None]
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(
        back_populates="users", lazy="raise"
    )

    @property
    def user_id(self) -> UserId:
        return UserId(self.id)

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.roles)

    @property
    def is_active(self) -> bool:
        return self.status == UserStatus.ACTIVE

    @property
    def has_mfa(self) -> bool:
        return self.mfa_enrolled_at is not None


class RecoveryCode(UUIDPrimaryKey, Base):
    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(UUIDPrimaryKey, Base):
    """A server-side browser session. Only the HMAC of the cookie value is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # False between the password step and the second factor.
    is_mfa_complete: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    revoked_at: Mapped[datetime | None]


class LoginFailure(UUIDPrimaryKey, Base):
    """One failed sign-in, keyed by an HMAC of the account or address (no raw e-mail/IP)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key_hash", "at"),)

    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class ApiToken(UUIDPrimaryKey, Base):
    __tablename__ = "api_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Invitation(UUIDPrimaryKey, Base):
    __tablename__ = "invitations"

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.roles)

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
