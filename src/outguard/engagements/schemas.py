"""Input and output shapes of engagements, validated with messages a person can act on."""

from __future__ import annotations

import ipaddress
import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from outguard.engagements.models import AgreementKind, ApprovalState, OffHours
from outguard.pii.entities import Entity

WORK_KINDS = (
    "bookkeeping",
    "accounts_payable",
    "accounts_receivable",
    "payroll",
    "tax_preparation",
)
SCREENING_CHECKS = ("identity", "criminal_record", "employment_history", "education")
WORKSTATION_CHECKS = {
    "disk_encryption": "Full-disk encryption is on",
    "firewall": "The firewall is on",
    "antivirus": "Antivirus / EDR is running",
    "os_updates": "Operating-system updates are installed automatically",
    "removable_storage_blocked": "USB mass storage is blocked",
}
_HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _country(value: str) -> str:
    value = value.strip().upper()
    if not _COUNTRY.match(value):
        msg = "use a two-letter country code such as US or IN"
        raise ValueError(msg)
    return value


def _cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError as exc:
        msg = f"{value.strip()[:50]!r} is not an IP address or CIDR range such as 203.0.113.0/24"
        raise ValueError(msg) from exc
    if network.prefixlen == 0:
        msg = "a range covering every address is not an office network"
        raise ValueError(msg)
    return str(network)


Country = Annotated[str, AfterValidator(_country)]
Cidr = Annotated[str, AfterValidator(_cidr)]


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    role: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=320)


class EngagementTerms(BaseModel):
    """What the client and the vendor agreed; the vendor itself is fixed at creation."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=3, max_length=200)
    purpose: str = Field(min_length=3, max_length=4000)
    work_kinds: list[str] = Field(min_length=1)
    data_categories: list[Entity] = Field(default_factory=list)
    starts_on: date
    ends_on: date
    vendor_country: Country
    processing_countries: list[Country] = Field(min_length=1)
    timezone: str = "UTC"
    work_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    work_start: str = "08:00"
    work_end: str = "18:00"
    off_hours: OffHours = OffHours.DENY
    breach_notice_hours: int = Field(default=24, ge=1, le=720)
    return_terms: str = Field(
        default="Return or destroy all client data within 30 days of the end date.",
        max_length=4000,
    )
    contacts: list[Contact] = Field(default_factory=list, max_length=20)
    workstation_valid_days: int = Field(default=90, ge=1, le=366)

    @field_validator("work_kinds")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(WORK_KINDS))
        if unknown:
            msg = f"unknown kind of work {unknown[0]!r}; choose from {', '.join(WORK_KINDS)}"
            raise ValueError(msg)
        return sorted(set(value), key=WORK_KINDS.index)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"unknown time zone {value[:64]!r}; use a name such as Asia/Kolkata"
            raise ValueError(msg) from exc
        return value

    @field_validator("work_days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if not value or any(d < 0 or d > 6 for d in value):  # noqa: PLR2004 - weekdays
            msg = "working days are 0 (Monday) to 6 (Sunday), at least one"
            raise ValueError(msg)
        return sorted(set(value))

    @field_validator("work_start", "work_end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            msg = "use a 24-hour time such as 08:00"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _order(self) -> EngagementTerms:
        if self.ends_on < self.starts_on:
            msg = "the end date is before the start date"
            raise ValueError(msg)
        if self.work_end <= self.work_start:
            msg = "working hours end before they start"
            raise ValueError(msg)
        return self


class EngagementCreate(EngagementTerms):
    vendor_org_id: uuid.UUID


class EngagementUpdate(EngagementTerms):
    """New terms for an engagement, with why they changed (kept in the audit log)."""

    reason: str = Field(min_length=3, max_length=500)


class EngagementPatch(BaseModel):
    """Some of the terms (the others stay as they are), with why they changed.

    The merged terms are checked as a whole (an end date before the start, hours that end
    before they begin are refused).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=500)
    name: str | None = None
    purpose: str | None = None
    work_kinds: list[str] | None = None
    data_categories: list[Entity] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    vendor_country: str | None = None
    processing_countries: list[str] | None = None
    timezone: str | None = None
    work_days: list[int] | None = None
    work_start: str | None = None
    work_end: str | None = None
    off_hours: OffHours | None = None
    breach_notice_hours: int | None = None
    return_terms: str | None = None
    contacts: list[Contact] | None = None
    workstation_valid_days: int | None = None


class EngagementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: uuid.UUID
    client_org_id: uuid.UUID
    vendor_org_id: uuid.UUID
    name: str
    purpose: str
    work_kinds: list[str]
    data_categories: list[str]
    starts_on: date
    ends_on: date
    vendor_country: str
    processing_countries: list[str]
    timezone: str
    work_days: list[int]
    work_start: str
    work_end: str
    off_hours: str
    breach_notice_hours: int
    return_terms: str
    contacts: list[dict[str, Any]]
    workstation_valid_days: int
    state: str
    state_reason: str | None
    created_at: datetime
    updated_at: datetime


class StateChange(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: str = Field(pattern="^(activate|suspend|resume|end)$")
    reason: str = Field(min_length=3, max_length=500)


class SiteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    org_id: uuid.UUID
    name: str = Field(min_length=2, max_length=200)
    country: Country
    networks: list[Cidr] = Field(min_length=1, max_length=50)


class AgentEnrol(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    user_id: uuid.UUID
    role_title: str = Field(min_length=2, max_length=120)
    site_id: uuid.UUID | None = None
    starts_on: date
    ends_on: date | None = None

    @model_validator(mode="after")
    def _order(self) -> AgentEnrol:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            msg = "the end date is before the start date"
            raise ValueError(msg)
        return self


class Offboard(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=500)


class ScreeningAttest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    checks: list[str] = Field(min_length=1)
    performed_on: date
    valid_days: int = Field(default=3 * 365, ge=30, le=5 * 366)

    @field_validator("checks")
    @classmethod
    def _checks(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(SCREENING_CHECKS))
        if unknown:
            msg = f"unknown screening check {unknown[0]!r}; choose from {', '.join(SCREENING_CHECKS)}"
            raise ValueError(msg)
        return sorted(set(value), key=SCREENING_CHECKS.index)


class SubcontractorPropose(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sub_org_id: uuid.UUID
    scope: str = Field(min_length=3, max_length=500)


class SubcontractorDecide(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: ApprovalState
    note: str = Field(min_length=3, max_length=500)

    @field_validator("decision")
    @classmethod
    def _decision(cls, value: ApprovalState) -> ApprovalState:
        if value is ApprovalState.PROPOSED:
            msg = "decide approved, rejected or revoked"
            raise ValueError(msg)
        return value


class ExceptionGrant(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    user_id: uuid.UUID | None = None
    cidr: Cidr
    reason: str = Field(min_length=3, max_length=500)
    days: int = Field(ge=1, le=90)


class TemplatePublish(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: AgreementKind
    title: str = Field(min_length=3, max_length=200)
    body: str = Field(min_length=20, max_length=100_000)
    resign_days: int | None = Field(default=None, ge=0, le=365)


class SignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    template_id: uuid.UUID
    typed_name: str = Field(min_length=2, max_length=200)
    agree: bool
    password: str = Field(min_length=1, max_length=1024, repr=False)
    engagement_id: uuid.UUID | None = None

    @field_validator("agree")
    @classmethod
    def _agree(cls, value: bool) -> bool:
        if not value:
            msg = "tick the box to confirm you have read and agree to the text"
            raise ValueError(msg)
        return value


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    question: str = Field(min_length=3, max_length=500)
    options: list[str] = Field(min_length=2, max_length=8)
    answer: int = Field(ge=0)

    @model_validator(mode="after")
    def _answer(self) -> Question:
        if self.answer >= len(self.options):
            msg = "the answer must be one of the options"
            raise ValueError(msg)
        return self


class ModulePublish(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=3, max_length=200)
    content: str = Field(min_length=20, max_length=50_000)
    questions: list[Question] = Field(min_length=1, max_length=50)
    pass_mark: int = Field(default=80, ge=1, le=100)
    valid_days: int = Field(default=365, ge=7, le=3 * 366)


class WorkstationAnswers(BaseModel):
    """The agent's own answers (self-attested), one per check."""

    model_config = ConfigDict(extra="forbid")

    disk_encryption: bool
    firewall: bool
    antivirus: bool
    os_updates: bool
    removable_storage_blocked: bool


class CheckRead(BaseModel):
    code: str
    control: str
    label: str
    status: str
    detail: str
    fix: str | None
    due: datetime | None
    who_fixes: str


class AccessRead(BaseModel):
    engagement_id: uuid.UUID
    user_id: uuid.UUID
    allowed: bool
    colour: str
    checks: list[CheckRead]
