"""Key-store tables. No key material is ever stored unwrapped."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary, String, UniqueConstraint
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


class VaultEntry(Base):
    """One original ↔ pseudonym pair of a recipient's vault; both sealed, looked up by HMAC."""

    __tablename__ = "vault_entries"
    __table_args__ = (
        UniqueConstraint(
            "scope", "kind", "pseudonym_lookup", name="uq_vault_pseudonym"
        ),
    )

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    lookup: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    pseudonym_lookup: Mapped[bytes] = mapped_column(LargeBinary(32))
    sealed_original: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_pseudonym: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
