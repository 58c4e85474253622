"""Share tables: what was shared with whom, under which policy, and each agent's rendition.

A share is a dataset version × an effective policy × agents of one engagement × what they
may do (view; download; return results) × purpose × expiry. Each agent gets a rendition of
their own (tokens keyed to them, canaries, a registered fingerprint), stored sealed under a
data key of its own, so revoking one agent destroys exactly their copy.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from outguard.db.base import Base, UUIDPrimaryKey


class ShareState(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"  # by the owner; every rendition destroyed


class RecipientState(StrEnum):
    WAITING = "waiting"  # not yet eligible (the gate says why); rendered once they are
    QUEUED = "queued"  # eligible; the render job is queued or running
    READY = "ready"  # rendition stored sealed; the agent can open it
    FAILED = "failed"  # the rendition could not be made (the reason is kept)
    REVOKED = "revoked"  # access cut and the rendition destroyed


class Share(UUIDPrimaryKey, Base):
    __tablename__ = "shares"

    client_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    engagement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("engagements.id", ondelete="RESTRICT"), index=True
    )
    dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("datasets.id", ondelete="RESTRICT"), index=True
    )
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="RESTRICT")
    )
    policy_name: Mapped[str] = mapped_column(String(80))
    policy_text: Mapped[str] = mapped_column(Text)  # the effective policy, as YAML
    policy_changes: Mapped[list[str]] = mapped_column(
        JSON
    )  # what the engagement forced
    purpose: Mapped[str] = mapped_column(String(500))
    can_download: Mapped[bool]
    can_return: Mapped[bool]
    # For the engagement's whole team: agents enrolled later get their copy too.
    whole_team: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    expires_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default=ShareState.ACTIVE)
    state_reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def share_state(self) -> ShareState:
        return ShareState(self.state)


class ShareRecipient(UUIDPrimaryKey, Base):
    __tablename__ = "share_recipients"
    __table_args__ = (UniqueConstraint("share_id", "user_id"),)

    share_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shares.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), default=RecipientState.WAITING)
    # This agent may only view, even where the share allows downloads.
    view_only: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    waiting_for: Mapped[list[str]] = mapped_column(JSON, default=list)  # gate codes
    rendition_id: Mapped[str | None] = mapped_column(String(32))
    output_name: Mapped[str | None] = mapped_column(String(255))
    output_kind: Mapped[str | None] = mapped_column(String(16))
    output_sha256: Mapped[str | None] = mapped_column(String(64))
    rows: Mapped[int | None] = mapped_column(Integer)
    canaries: Mapped[int | None] = mapped_column(Integer)
    columns: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    blob_key: Mapped[str | None] = mapped_column(String(200))
    key_id: Mapped[str | None] = mapped_column(String(100))
    render_job_id: Mapped[uuid.UUID | None]
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    ready_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def recipient_state(self) -> RecipientState:
        return RecipientState(self.state)

    def may_download(self, share: Share) -> bool:
        return share.can_download and not self.view_only


class ReturnState(StrEnum):
    RECEIVED = "received"  # stored sealed and scanned; waiting for the owner
    REIDENTIFIED = "reidentified"  # the owner turned the tokens back into real values
    FAILED = "failed"  # could not be read or re-identified (the reason is kept)


class ShareReturn(UUIDPrimaryKey, Base):
    """A worked file an agent sent back against a share, and its re-identified result."""

    __tablename__ = "share_returns"

    share_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shares.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), default=ReturnState.RECEIVED)
    found: Mapped[dict[str, int]] = mapped_column(JSON)  # entity -> values the scan saw
    error: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime]
    result_blob_key: Mapped[str | None] = mapped_column(String(200))
    result_key_id: Mapped[str | None] = mapped_column(String(100))
    result_name: Mapped[str | None] = mapped_column(String(255))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # counts, canary rows
    reidentified_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    reidentified_at: Mapped[datetime | None]

    @property
    def return_state(self) -> ReturnState:
        return ReturnState(self.state)


class LeakTrace(UUIDPrimaryKey, Base):
    """A file found outside, traced: what it is (hash, size, kind) and whom it names.

    The found file itself is not kept (it may be full of personal data): its SHA-256 ties
    this record to it, and the attribution is the evidence.
    """

    __tablename__ = "leak_traces"

    client_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(500))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]


class DestructionCertificate(UUIDPrimaryKey, Base):
    """What was destroyed, when, why, and how to check it.

    A document whose SHA-256 is in the tamper-evident audit log (event `share:destroyed`),
    under a signed checkpoint.
    """

    __tablename__ = "destruction_certificates"

    client_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    share_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shares.id", ondelete="RESTRICT"), index=True
    )
    reason: Mapped[str] = mapped_column(String(500))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    audit_seq: Mapped[int | None]
    # C2SP signed note over the digest, by the instance's audit key: see shares.certificates.
    signed_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class DeletionAttestation(UUIDPrimaryKey, Base):
    """The vendor's statement that copies its agents downloaded were deleted.

    outguard destroys what it holds; what left as a download it can only have attested:
    requested when a share whose copies were downloaded ends, answered by the vendor admin.
    """

    __tablename__ = "deletion_attestations"

    share_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shares.id", ondelete="RESTRICT"), index=True
    )
    client_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    vendor_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    downloads: Mapped[int]
    requested_at: Mapped[datetime]
    typed_name: Mapped[str | None] = mapped_column(String(200))
    attested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    attested_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]  # the last e-mail to the vendor's admins
