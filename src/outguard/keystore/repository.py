"""All SQL of the key store."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outguard.keystore.models import DataKey, KekState, TenantKek


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

    def add(self, obj: TenantKek | DataKey) -> None:
        self._s.add(obj)
        self._s.flush()  # a duplicate key id must fail here, inside the caller's transaction

    def data_key(self, key_id: str) -> DataKey | None:
        return self._s.get(DataKey, key_id)

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
