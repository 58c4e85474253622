"""Key-store use cases: data keys, rotation (online, resumable), retirement, crypto-shredding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.errors import AlreadyExistsError, NotFoundError
from outguard.keystore.models import DataKey, KekState, TenantKek
from outguard.keystore.repository import KeyRepository
from outguard.security.aead import (
    KeyContext,
    KeyProvider,
    key_fingerprint,
    new_key,
    unwrap,
    wrap,
)
from outguard.types import Actor, Clock


class KeyDestroyedError(NotFoundError):
    code = "key_destroyed"
    default_message = (
        "The key was destroyed: the data it protected cannot be recovered."
    )


@dataclass(frozen=True)
class DestructionRecord:
    """What a signed destruction certificate states about one destroyed key."""

    key_id: str
    tenant: str
    purpose: str
    fingerprint: str  # of the wrapped key as it was: proves which key, reveals nothing
    destroyed_at: datetime


@dataclass(frozen=True)
class RotationProgress:
    tenant: str
    active_version: int
    remaining: int  # data keys still wrapped under older versions
    rewrapped: int  # in this step


def _kek_context(tenant: str, version: int) -> KeyContext:
    return KeyContext(
        tenant=tenant, object_id=f"kek/{version}", purpose="kek", key_version=version
    )


def _dek_context(*, tenant: str, key_id: str, purpose: str, version: int) -> KeyContext:
    return KeyContext(
        tenant=tenant, object_id=key_id, purpose=purpose, key_version=version
    )


def _unwrap_kek(provider: KeyProvider, kek: TenantKek) -> bytes:
    if kek.wrapped is None:
        raise KeyDestroyedError("That key-encryption key was retired.")
    return provider.unwrap(kek.wrapped, _kek_context(kek.tenant, kek.version))


def _new_kek(
    repo: KeyRepository, provider: KeyProvider, tenant: str, version: int, clock: Clock
) -> TenantKek:
    kek = TenantKek(
        tenant=tenant,
        version=version,
        state=KekState.ACTIVE,
        wrapped=provider.wrap(new_key(), _kek_context(tenant, version)),
        root_key_id=provider.key_id,
        created_at=clock.now(),
    )
    repo.add(kek)
    return kek


def active_kek(
    session: Session, provider: KeyProvider, tenant: str, *, clock: Clock
) -> TenantKek:
    repo = KeyRepository(session)
    kek = repo.active_kek(tenant)
    return kek if kek is not None else _new_kek(repo, provider, tenant, 1, clock)


def create_data_key(
    session: Session,
    provider: KeyProvider,
    *,
    tenant: str,
    key_id: str,
    purpose: str,
    clock: Clock,
) -> bytes:
    """A fresh random data key, stored wrapped; the plaintext is returned to the caller only."""
    repo = KeyRepository(session)
    if repo.data_key(key_id) is not None:
        raise AlreadyExistsError("A data key with that id already exists.")
    kek = active_kek(session, provider, tenant, clock=clock)
    dek = new_key()
    context = _dek_context(
        tenant=tenant, key_id=key_id, purpose=purpose, version=kek.version
    )
    repo.add(
        DataKey(
            key_id=key_id,
            tenant=tenant,
            purpose=purpose,
            kek_version=kek.version,
            wrapped=wrap(_unwrap_kek(provider, kek), dek, context),
            created_at=clock.now(),
        )
    )
    return dek


def load_data_key(
    session: Session, provider: KeyProvider, *, tenant: str, key_id: str
) -> bytes:
    repo = KeyRepository(session)
    data_key = repo.data_key(key_id)
    if data_key is None or data_key.tenant != tenant:
        raise NotFoundError("No such key.")
    if data_key.wrapped is None:
        raise KeyDestroyedError
    kek = repo.kek(tenant, data_key.kek_version)
    if kek is None:
        raise NotFoundError("No such key.")
    context = _dek_context(
        tenant=tenant,
        key_id=key_id,
        purpose=data_key.purpose,
        version=data_key.kek_version,
    )
    return unwrap(_unwrap_kek(provider, kek), data_key.wrapped, context)


def start_rotation(
    session: Session, actor: Actor, provider: KeyProvider, *, tenant: str, clock: Clock
) -> int:
    """New KEK version becomes active; older ones drain as their data keys are rewrapped."""
    repo = KeyRepository(session)
    current = repo.active_kek(tenant, lock=True)
    if current is None:
        return active_kek(session, provider, tenant, clock=clock).version
    current.state = KekState.DRAINING
    session.flush()  # one ACTIVE row per tenant at any instant
    new = _new_kek(repo, provider, tenant, current.version + 1, clock)
    record(
        session,
        actor,
        AuditTag.KEYS_ROTATED,
        clock=clock,
        subject_type="tenant",
        subject_id=tenant,
        details={"new_version": new.version},
    )
    return new.version


def rewrap_step(
    session: Session, provider: KeyProvider, *, tenant: str, limit: int, clock: Clock
) -> RotationProgress:
    """Rewrap up to `limit` data keys under the active version (call until remaining == 0).

    Each step is its own transaction: rotation is online and can stop and resume anywhere.
    """
    repo = KeyRepository(session)
    active = repo.active_kek(tenant)
    if active is None:
        raise NotFoundError("This tenant has no keys yet.")
    active_material = _unwrap_kek(provider, active)
    old_material: dict[int, bytes] = {}
    batch = repo.stale_data_keys(tenant, active.version, limit)
    for data_key in batch:
        if data_key.kek_version not in old_material:
            old = repo.kek(tenant, data_key.kek_version)
            assert old is not None  # noqa: S101 - a data key's KEK is kept until it drains
            old_material[data_key.kek_version] = _unwrap_kek(provider, old)
        assert data_key.wrapped is not None  # noqa: S101 - filtered by the query
        old_ctx = _dek_context(
            tenant=tenant,
            key_id=data_key.key_id,
            purpose=data_key.purpose,
            version=data_key.kek_version,
        )
        dek = unwrap(old_material[data_key.kek_version], data_key.wrapped, old_ctx)
        new_ctx = _dek_context(
            tenant=tenant,
            key_id=data_key.key_id,
            purpose=data_key.purpose,
            version=active.version,
        )
        data_key.wrapped = wrap(active_material, dek, new_ctx)
        data_key.kek_version = active.version
        data_key.rewrapped_at = clock.now()
    session.flush()
    remaining = sum(
        n for v, n in repo.count_by_version(tenant).items() if v < active.version
    )
    return RotationProgress(tenant, active.version, remaining, len(batch))


def retire_unused(
    session: Session, actor: Actor, *, tenant: str, clock: Clock
) -> list[int]:
    """Erase the wrapped material of every non-active KEK that no data key uses any more."""
    repo = KeyRepository(session)
    in_use = repo.count_by_version(tenant)
    retired = []
    for kek in repo.keks(tenant):
        if kek.state == KekState.DRAINING and not in_use.get(kek.version):
            kek.state = KekState.RETIRED
            kek.wrapped = None
            kek.retired_at = clock.now()
            retired.append(kek.version)
    if retired:
        record(
            session,
            actor,
            AuditTag.KEK_RETIRED,
            clock=clock,
            subject_type="tenant",
            subject_id=tenant,
            details={"versions": retired},
        )
    return retired


def destroy_data_key(
    session: Session, actor: Actor, *, tenant: str, key_id: str, clock: Clock
) -> DestructionRecord:
    """Crypto-shredding: the wrapped key is erased, so its data can never be decrypted again."""
    repo = KeyRepository(session)
    data_key = repo.data_key(key_id)
    if data_key is None or data_key.tenant != tenant:
        raise NotFoundError("No such key.")
    if data_key.wrapped is None:
        raise KeyDestroyedError("That key was already destroyed.")
    fingerprint = key_fingerprint(data_key.wrapped)
    now = clock.now()
    data_key.wrapped = None
    data_key.destroyed_at = now
    record(
        session,
        actor,
        AuditTag.KEY_DESTROYED,
        clock=clock,
        subject_type="data_key",
        subject_id=key_id[:64],
        details={"purpose": data_key.purpose, "fingerprint": fingerprint},
    )
    return DestructionRecord(key_id, tenant, data_key.purpose, fingerprint, now)


def status(session: Session, *, tenant: str) -> dict[str, object]:
    repo = KeyRepository(session)
    return {
        "tenant": tenant,
        "keks": [
            {
                "version": k.version,
                "state": k.state,
                "root_key_id": k.root_key_id,
                "created_at": k.created_at,
            }
            for k in repo.keks(tenant)
        ],
        "data_keys_by_version": repo.count_by_version(tenant),
    }


def tenants(session: Session) -> list[str]:
    return KeyRepository(session).tenants()
