"""Input and output shapes of the accounts feature (never return ORM objects)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from outguard.security.permissions import Permission
from outguard.types import OrgKind, Role


def _email(value: str) -> str:
    """Syntax check only (no DNS); reserved domains such as `.example` stay usable for demos."""
    try:
        checked = validate_email(
            value,
            check_deliverability=False,
            globally_deliverable=False,
            test_environment=True,
        )
    except EmailNotValidError as exc:
        msg = "not a valid e-mail address"
        raise ValueError(msg) from exc
    return checked.normalized.lower()


EmailAddress = Annotated[str, Field(max_length=320), AfterValidator(_email)]


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class OrgCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=200)
    kind: OrgKind
    parent_id: uuid.UUID | None = None


class OrgRead(_Read):
    id: uuid.UUID
    name: str
    kind: OrgKind
    parent_id: uuid.UUID | None
    created_at: datetime
    is_demo: bool


class UserCreate(BaseModel):
    """Direct creation by an operator (CLI). People normally join through an invitation."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    org_id: uuid.UUID
    email: EmailAddress
    display_name: str = Field(min_length=1, max_length=200)
    roles: frozenset[Role] = Field(min_length=1)
    password: str = Field(min_length=1, max_length=256, repr=False)


class UserRead(_Read):
    id: uuid.UUID
    org_id: uuid.UUID
    email: str
    display_name: str
    roles: list[Role]
    status: str
    has_mfa: bool
    last_login_at: datetime | None
    created_at: datetime


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    org_id: uuid.UUID
    email: EmailAddress
    display_name: str = Field(min_length=1, max_length=200)
    roles: frozenset[Role] = Field(min_length=1)


class InvitationRead(_Read):
    id: uuid.UUID
    org_id: uuid.UUID
    email: str
    display_name: str
    roles: list[Role]
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=256, repr=False)
    display_name: str | None = Field(default=None, max_length=200)


class ApiTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    scopes: frozenset[Permission] = Field(min_length=1)
    expires_in_days: int = Field(default=90, ge=1, le=3650)

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not value.isprintable():
            msg = "name must be printable text"
            raise ValueError(msg)
        return value


class ApiTokenRead(_Read):
    id: uuid.UUID
    name: str
    hint: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(BaseModel):
    """Returned once, at creation: the only time the token itself is shown."""

    token: str = Field(repr=False)
    info: ApiTokenRead


class MeRead(BaseModel):
    user: UserRead
    organization: OrgRead
    permissions: list[Permission]
