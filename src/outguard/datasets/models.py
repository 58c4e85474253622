"""Dataset tables: a named file of the client's, and its versions.

The file itself is a blob encrypted with a data key of its own (keystore); a row keeps only
what is needed to find, check and describe it: the blob key, the data key's id, size and
SHA-256 of the clear content, and the scan report (names, entities, counts, masked
examples — never values). The file name is the uploader's and is shown to the client only;
it never goes into blob keys, URLs or audit events.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from outguard.db.base import Base, UUIDPrimaryKey


class VersionState(StrEnum):
    SCANNING = "scanning"  # stored encrypted; the scan job is queued or running
    SCANNED = "scanned"  # the report is ready
    FAILED = "failed"  # the file could not be read (the reason is kept)
    DESTROYED = "destroyed"  # key destroyed and blob deleted (crypto-shredded)


class Dataset(UUIDPrimaryKey, Base):
    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("client_org_id", "name"),)

    client_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DatasetVersion(UUIDPrimaryKey, Base):
    __tablename__ = "dataset_versions"
    __table_args__ = (UniqueConstraint("dataset_id", "number"),)

    dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("datasets.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))  # csv, xlsx, parquet, pdf, ...
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    sha256: Mapped[str] = mapped_column(String(64))  # of the clear content
    blob_key: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), default=VersionState.SCANNING)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(500))
    scan_job_id: Mapped[uuid.UUID | None]
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime]
    scanned_at: Mapped[datetime | None]
    destroyed_at: Mapped[datetime | None]

    @property
    def version_state(self) -> VersionState:
        return VersionState(self.state)
