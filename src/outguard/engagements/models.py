"""ORM models of engagements: the agreed framework between a client and one vendor.

An engagement names the vendor, the work, the data it may see and the rules (dates, countries,
working hours, agreements, training, workstations, networks). The agents enrolled in it, the
sub-contractors approved for it, and every signature, quiz result and attestation are rows
here, so the gate (`engagements.gate`) can answer "may this agent access this data now?".
Nothing here holds the client's personal data.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outguard.db.base import Base, UUIDPrimaryKey


class EngagementState(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


class OffHours(StrEnum):
    DENY = "deny"  # access outside working hours is refused
    FLAG = (
        "flag"  # allowed, but recorded as an off-hours access for the security officer
    )


class AgreementKind(StrEnum):
    VENDOR_NDA = "vendor_nda"  # client–vendor non-disclosure agreement (GV-05)
    DPA = "dpa"  # client–vendor data-processing terms (GV-05)
    AGENT_NDA = "agent_nda"  # per-agent confidentiality undertaking (PS-02)
    NON_SOLICIT = "non_solicit"  # per-agent non-solicitation undertaking (PS-02)
    AUP = "aup"  # per-agent acceptable-use acknowledgement (PS-05)

    @property
    def is_vendor_level(self) -> bool:
        return self in {AgreementKind.VENDOR_NDA, AgreementKind.DPA}


class ApprovalState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


class AttestationKind(StrEnum):
    SCREENING = "screening"  # background check, attested by the vendor admin (PS-03)
    WORKSTATION = "workstation"  # the agent's workstation (VE-01, AC-04)


class AttestationMethod(StrEnum):
    VENDOR = "vendor"  # attested by the vendor's administrator
    SCRIPT = "script"  # measured by the signed check script
    SELF = "self"  # answered by the agent


class Engagement(UUIDPrimaryKey, Base):
    __tablename__ = "engagements"

    client_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    vendor_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    work_kinds: Mapped[list[str]] = mapped_column(JSON)
    data_categories: Mapped[list[str]] = mapped_column(JSON)  # entity kinds allowed
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    vendor_country: Mapped[str] = mapped_column(String(2))
    processing_countries: Mapped[list[str]] = mapped_column(JSON)
    timezone: Mapped[str] = mapped_column(String(64))
    work_days: Mapped[list[int]] = mapped_column(JSON)  # 0 = Monday
    work_start: Mapped[str] = mapped_column(String(5))  # "08:00", local to `timezone`
    work_end: Mapped[str] = mapped_column(String(5))
    off_hours: Mapped[str] = mapped_column(String(8), default=OffHours.DENY)
    breach_notice_hours: Mapped[int]
    return_terms: Mapped[str] = mapped_column(Text)
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    workstation_valid_days: Mapped[int]
    state: Mapped[str] = mapped_column(String(16), default=EngagementState.DRAFT)
    state_reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def engagement_state(self) -> EngagementState:
        return EngagementState(self.state)


class Site(UUIDPrimaryKey, Base):
    """A delivery site of a vendor or sub-contractor, with its office networks (AC-04)."""

    __tablename__ = "vendor_sites"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    networks: Mapped[list[str]] = mapped_column(JSON)  # CIDR ranges, normalised
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class EngagementAgent(UUIDPrimaryKey, Base):
    """One named agent enrolled in one engagement (PS-01), until offboarded (PS-06)."""

    __tablename__ = "engagement_agents"
    __table_args__ = (UniqueConstraint("engagement_id", "user_id"),)

    engagement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("engagements.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    role_title: Mapped[str] = mapped_column(String(120))
    site_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("vendor_sites.id", ondelete="RESTRICT")
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]  # notice given / contract end
    enrolled_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    enrolled_at: Mapped[datetime]
    offboarded_at: Mapped[datetime | None]
    offboarded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    offboard_reason: Mapped[str | None] = mapped_column(String(500))


class SubcontractorApproval(UUIDPrimaryKey, Base):
    """A vendor's proposal to use a sub-contractor on an engagement, and the owner's decision."""

    __tablename__ = "subcontractor_approvals"
    __table_args__ = (UniqueConstraint("engagement_id", "sub_org_id"),)

    engagement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("engagements.id", ondelete="RESTRICT"), index=True
    )
    sub_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    scope: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16), default=ApprovalState.PROPOSED)
    proposed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    proposed_at: Mapped[datetime]
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(String(500))


class NetworkException(UUIDPrimaryKey, Base):
    """An explicit, expiring permission to reach an engagement from outside the office."""

    __tablename__ = "network_exceptions"

    engagement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("engagements.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(  # None: every agent
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    cidr: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(500))
    granted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    granted_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AgreementTemplate(UUIDPrimaryKey, Base):
    """One version of one agreement text a client asks its vendor and agents to sign."""

    __tablename__ = "agreement_templates"
    __table_args__ = (UniqueConstraint("client_org_id", "kind", "version"),)

    client_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime]
    # Signatures of the previous version stay valid until then (None: at once).
    resign_by: Mapped[datetime | None]

    @property
    def agreement_kind(self) -> AgreementKind:
        return AgreementKind(self.kind)


class Signature(UUIDPrimaryKey, Base):
    """A signature of one template version, by a person (for themselves or for their vendor)."""

    __tablename__ = "agreement_signatures"
    __table_args__ = (Index("ix_agreement_signatures_user_kind", "user_id", "kind"),)

    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agreement_templates.id", ondelete="RESTRICT"), index=True
    )
    client_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    engagement_id: Mapped[uuid.UUID | None] = mapped_column(  # vendor-level agreements
        ForeignKey("engagements.id", ondelete="RESTRICT"), index=True
    )
    typed_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class TrainingModule(UUIDPrimaryKey, Base):
    """Short training content and a quiz with a pass mark; results expire (PS-04)."""

    __tablename__ = "training_modules"

    client_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    # [{"question": str, "options": [str, ...], "answer": int}]; answers never leave the server
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    pass_mark: Mapped[int]  # percent
    valid_days: Mapped[int]
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]
    # Results taken before this instant no longer count (e.g. after an incident).
    retake_after: Mapped[datetime | None]


class TrainingResult(UUIDPrimaryKey, Base):
    __tablename__ = "training_results"
    __table_args__ = (Index("ix_training_results_user_module", "user_id", "module_id"),)

    module_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("training_modules.id", ondelete="RESTRICT")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    score: Mapped[int]  # percent
    passed: Mapped[bool]
    taken_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class Attestation(UUIDPrimaryKey, Base):
    """A dated statement about an agent: screening (by the vendor) or workstation checks."""

    __tablename__ = "attestations"
    __table_args__ = (Index("ix_attestations_user_kind", "user_id", "kind"),)

    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    attested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    method: Mapped[str] = mapped_column(String(16))
    checks: Mapped[dict[str, Any]] = mapped_column(
        JSON
    )  # check name -> bool / short fact
    passed: Mapped[bool]
    attested_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ReminderSent(Base):
    """One reminder e-mail already sent, so a daily run does not repeat itself."""

    __tablename__ = "reminders_sent"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    sent_at: Mapped[datetime]
