"""Key-store tables. No key material is ever stored unwrapped."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from outguard.db.base import Base


class KekState(StrEnum):
    ACTIVE = "active"  # wraps new data keys
    DRAINING = "draining"  # older version: data keys still being rewrapped away from it
    RETIRED = "retired"  # no data key uses it; its wrapped material was erased


class TenantKek(Base):
    __tablename__ = "tenant_keks"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    root_key_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class DataKey(Base):
    __tablename__ = "data_keys"
    __table_args__ = (
        Index("ix_data_keys_tenant_kek_version", "tenant", "kek_version"),
    )

    key_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(40))
    kek_version: Mapped[int]
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    rewrapped_at: Mapped[datetime | None]
    destroyed_at: Mapped[datetime | None]
