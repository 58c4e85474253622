"""Rendition tables: the recipients, what each rendition sent, and its keyed fingerprints.

Nothing of an original value is stored: a rendition keeps the policy's outcome per column
(names, entities, actions, counts), the token key versions that reverse it, and sorted sets of
64-bit keyed fingerprints (`protect.fingerprints`) of what it tokenized, planted and rendered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from outguard.db.base import Base


class Recipient(Base):
    """Someone a rendition is made for: a vendor agent, or a name given on the CLI."""

    __tablename__ = "recipients"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))  # keystore.recipient_scope
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class Rendition(Base):
    __tablename__ = "renditions"
    __table_args__ = (Index("ix_renditions_tenant_recipient", "tenant", "recipient"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(200))
    policy: Mapped[str] = mapped_column(String(80))
    source_name: Mapped[str] = mapped_column(String(255))
    source_sha256: Mapped[str] = mapped_column(String(64))
    output_name: Mapped[str] = mapped_column(String(255))
    output_sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # "table" | "text"
    rows: Mapped[int]
    canaries: Mapped[int]
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # outcomes, no values
    token_uses: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # what reverses it
    created_at: Mapped[datetime]


class RenditionMark(Base):
    """One fingerprint set of a rendition, per role and field kind.

    Roles: `sent` (originals tokenized), `canary` (planted values as rendered), `rendered`
    (pseudonyms as rendered).
    """

    __tablename__ = "rendition_marks"

    rendition_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("renditions.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    count: Mapped[int]
    digests: Mapped[bytes] = mapped_column(LargeBinary)
