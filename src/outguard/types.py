"""Shared value types: typed ids, the acting principal, and the clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import NewType, Protocol

OrganizationId = NewType("OrganizationId", uuid.UUID)
UserId = NewType("UserId", uuid.UUID)
JobId = NewType("JobId", uuid.UUID)


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock for tests and simulations: moves only when told to."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class OrgKind(StrEnum):
    CLIENT = "client"
    VENDOR = "vendor"
    SUBCONTRACTOR = "subcontractor"


class Role(StrEnum):
    OWNER = "owner"  # client owner / admin
    STAFF = "staff"
    SECURITY_OFFICER = "security_officer"
    AUDITOR = "auditor"
    VENDOR_ADMIN = "vendor_admin"
    AGENT = "agent"


CLIENT_ROLES = frozenset({Role.OWNER, Role.STAFF, Role.SECURITY_OFFICER, Role.AUDITOR})
VENDOR_ROLES = frozenset({Role.VENDOR_ADMIN, Role.AGENT})


def roles_allowed_for(kind: OrgKind) -> frozenset[Role]:
    return CLIENT_ROLES if kind is OrgKind.CLIENT else VENDOR_ROLES


class ActorKind(StrEnum):
    USER = "user"
    SYSTEM = "system"  # the CLI's admin commands and the job worker
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class RequestContext:
    """Where an action came from; recorded with every audit event."""

    request_id: str | None = None
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who is acting. Built by the delivery layer after authentication.

    `scopes` is None for a full session; an API token narrows it to its scopes.
    """

    kind: ActorKind
    display: str
    user_id: UserId | None = None
    org_id: OrganizationId | None = None
    org_kind: OrgKind | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    scopes: frozenset[str] | None = None
    context: RequestContext = field(default_factory=RequestContext)

    @property
    def is_system(self) -> bool:
        return self.kind is ActorKind.SYSTEM

    @property
    def is_user(self) -> bool:
        return self.kind is ActorKind.USER

    @classmethod
    def system(
        cls, display: str = "system", context: RequestContext | None = None
    ) -> Actor:
        return cls(
            kind=ActorKind.SYSTEM, display=display, context=context or RequestContext()
        )

    @classmethod
    def anonymous(cls, context: RequestContext | None = None) -> Actor:
        return cls(
            kind=ActorKind.ANONYMOUS,
            display="anonymous",
            context=context or RequestContext(),
        )
