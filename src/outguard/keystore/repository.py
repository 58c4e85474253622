"""All SQL of the key store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Table, delete, func, insert, select
from sqlalchemy.orm import Session

from outguard.keystore.models import DataKey, KekState, TenantKek, VaultEntry

_IN_CHUNK = (
    500  # bound the size of IN (...) lists: SQLite's variable limit, PG plan size
)


class KeyRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def active_kek(self, tenant: str, *, lock: bool = False) -> TenantKek | None:
        stmt = select(TenantKek).where(
            TenantKek.tenant == tenant, TenantKek.state == KekState.ACTIVE
        )
        if lock:
            stmt = stmt.with_for_update()
        return self._s.execute(stmt).scalar_one_or_none()

    def kek(self, tenant: str, version: int) -> TenantKek | None:
        return self._s.get(TenantKek, (tenant, version))

    def keks(self, tenant: str) -> list[TenantKek]:
        stmt = (
            select(TenantKek)
            .where(TenantKek.tenant == tenant)
            .order_by(TenantKek.version)
        )
        return list(self._s.execute(stmt).scalars())

    def tenants(self) -> list[str]:
        return list(self._s.execute(select(TenantKek.tenant).distinct()).scalars())

    def add(self, obj: TenantKek | DataKey | VaultEntry) -> None:
        self._s.add(obj)
        self._s.flush()  # a duplicate key id must fail here, inside the caller's transaction

    def data_key(self, key_id: str) -> DataKey | None:
        return self._s.get(DataKey, key_id)

    def data_keys_with_prefix(self, prefix: str) -> list[DataKey]:
        # LIKE, not a range: under a non-C collation "/" does not sort where bytes do.
        stmt = (
            select(DataKey)
            .where(DataKey.key_id.startswith(prefix, autoescape=True))
            .order_by(DataKey.key_id)
        )
        return list(self._s.execute(stmt).scalars())

    def stale_data_keys(
        self, tenant: str, below_version: int, limit: int
    ) -> list[DataKey]:
        stmt = (
            select(DataKey)
            .where(
                DataKey.tenant == tenant,
                DataKey.kek_version < below_version,
                DataKey.wrapped.is_not(None),
            )
            .order_by(DataKey.key_id)
            .limit(limit)
        )
        return list(self._s.execute(stmt).scalars())

    def count_by_version(self, tenant: str) -> dict[int, int]:
        stmt = (
            select(DataKey.kek_version, func.count())
            .where(DataKey.tenant == tenant, DataKey.wrapped.is_not(None))
            .group_by(DataKey.kek_version)
        )
        return {int(v): int(n) for v, n in self._s.execute(stmt).all()}

    def lock_data_key(self, key_id: str) -> None:
        """Serialise writers of one key's dependants (a vault) on PostgreSQL; SQLite already is."""
        self._s.execute(
            select(DataKey.key_id).where(DataKey.key_id == key_id).with_for_update()
        )

    def vault_pseudonyms_by_lookup(
        self, scope: str, kind: str, lookups: list[bytes]
    ) -> dict[bytes, bytes]:
        """Lookup -> sealed pseudonym of the entries that exist (rows, not objects)."""
        found: dict[bytes, bytes] = {}
        for i in range(0, len(lookups), _IN_CHUNK):
            stmt = select(VaultEntry.lookup, VaultEntry.sealed_pseudonym).where(
                VaultEntry.scope == scope,
                VaultEntry.kind == kind,
                VaultEntry.lookup.in_(lookups[i : i + _IN_CHUNK]),
            )
            found.update((r[0], r[1]) for r in self._s.execute(stmt))
        return found

    def vault_by_pseudonym(
        self, scope: str, kind: str, lookups: list[bytes]
    ) -> dict[bytes, VaultEntry]:
        found: dict[bytes, VaultEntry] = {}
        for i in range(0, len(lookups), _IN_CHUNK):
            stmt = select(VaultEntry).where(
                VaultEntry.scope == scope,
                VaultEntry.kind == kind,
                VaultEntry.pseudonym_lookup.in_(lookups[i : i + _IN_CHUNK]),
            )
            found.update(
                (e.pseudonym_lookup, e) for e in self._s.execute(stmt).scalars()
            )
        return found

    def taken_pseudonyms(
        self, scope: str, kind: str, lookups: list[bytes]
    ) -> set[bytes]:
        """Which of these pseudonym lookups the vault already holds (a column, not rows)."""
        taken: set[bytes] = set()
        for i in range(0, len(lookups), _IN_CHUNK):
            stmt = select(VaultEntry.pseudonym_lookup).where(
                VaultEntry.scope == scope,
                VaultEntry.kind == kind,
                VaultEntry.pseudonym_lookup.in_(lookups[i : i + _IN_CHUNK]),
            )
            taken.update(self._s.execute(stmt).scalars())
        return taken

    def vault_entries(self, scope: str, kind: str) -> list[tuple[bytes, bytes, bytes]]:
        """(lookup, sealed original, sealed pseudonym) of every entry: rows, not objects."""
        stmt = select(
            VaultEntry.lookup, VaultEntry.sealed_original, VaultEntry.sealed_pseudonym
        ).where(VaultEntry.scope == scope, VaultEntry.kind == kind)
        return [(r[0], r[1], r[2]) for r in self._s.execute(stmt)]

    def add_vault_entries(self, rows: list[dict[str, Any]]) -> None:
        """New vault rows (VaultEntry's columns), as one Core executemany: no ORM at all."""
        if rows:
            table = VaultEntry.__table__
            assert isinstance(table, Table)  # noqa: S101 - a declarative model's table
            self._s.execute(insert(table), rows)

    def delete_vault(self, scope: str) -> int:
        """Erase a shredded recipient's vault rows (their key is already gone)."""
        stmt = delete(VaultEntry).where(VaultEntry.scope == scope)
        result: CursorResult[Any] = self._s.execute(stmt)  # type: ignore[assignment]
        return int(result.rowcount or 0)
