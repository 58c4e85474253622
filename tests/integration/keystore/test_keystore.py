"""Key store on a real database: data keys, rotation, retirement, crypto-shredding."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from outguard.audit.models import AuditEvent
from outguard.errors import AlreadyExistsError, NotFoundError, TamperDetectedError
from outguard.keystore import service as keys
from outguard.keystore.models import DataKey, KekState, TenantKek
from outguard.security.aead import LocalKeyProvider, StaticKeyProvider, new_key
from outguard.types import Actor

ACTOR = Actor.system("test")


@pytest.fixture
def provider():
    return StaticKeyProvider()


def _make(db_session, provider, clock, n=5, tenant="tenant-a"):
    return {
        f"blob/{i}": keys.create_data_key(
            db_session,
            provider,
            tenant=tenant,
            key_id=f"blob/{i}",
            purpose="blob",
            clock=clock,
        )
        for i in range(n)
    }


def test_data_key_round_trip_and_is_stored_wrapped(db_session, provider, clock):
    made = _make(db_session, provider, clock)
    for key_id, dek in made.items():
        assert (
            keys.load_data_key(db_session, provider, tenant="tenant-a", key_id=key_id)
            == dek
        )
        stored = db_session.get(DataKey, key_id).wrapped
        assert dek not in stored


def test_other_tenant_cannot_load(db_session, provider, clock):
    _make(db_session, provider, clock, n=1)
    with pytest.raises(NotFoundError):
        keys.load_data_key(db_session, provider, tenant="tenant-b", key_id="blob/0")


def test_duplicate_key_id_refused(db_session, provider, clock):
    _make(db_session, provider, clock, n=1)
    with pytest.raises(AlreadyExistsError):
        keys.create_data_key(
            db_session,
            provider,
            tenant="tenant-a",
            key_id="blob/0",
            purpose="blob",
            clock=clock,
        )


def test_wrong_root_key_fails_closed(db_session, provider, clock):
    _make(db_session, provider, clock, n=1)
    with pytest.raises(TamperDetectedError):
        keys.load_data_key(
            db_session, LocalKeyProvider(new_key()), tenant="tenant-a", key_id="blob/0"
        )


def test_wrapped_key_moved_to_another_row_fails(db_session, provider, clock):
    _make(db_session, provider, clock, n=2)
    a, b = db_session.get(DataKey, "blob/0"), db_session.get(DataKey, "blob/1")
    b.wrapped = a.wrapped
    with pytest.raises(TamperDetectedError):
        keys.load_data_key(db_session, provider, tenant="tenant-a", key_id="blob/1")


def test_rotation_is_resumable_and_keeps_every_key(db_session, provider, clock):
    made = _make(db_session, provider, clock, n=7)
    assert (
        keys.start_rotation(db_session, ACTOR, provider, tenant="tenant-a", clock=clock)
        == 2
    )
    # New keys go under the new version while the old ones drain.
    made.update(_make(db_session, provider, clock, n=0))
    progress = keys.rewrap_step(
        db_session, provider, tenant="tenant-a", limit=3, clock=clock
    )
    assert (progress.rewrapped, progress.remaining) == (3, 4)
    assert keys.retire_unused(db_session, ACTOR, tenant="tenant-a", clock=clock) == []
    while progress.remaining:
        progress = keys.rewrap_step(
            db_session, provider, tenant="tenant-a", limit=3, clock=clock
        )
    for key_id, dek in made.items():
        assert (
            keys.load_data_key(db_session, provider, tenant="tenant-a", key_id=key_id)
            == dek
        )
    assert keys.retire_unused(db_session, ACTOR, tenant="tenant-a", clock=clock) == [1]
    old = db_session.get(TenantKek, ("tenant-a", 1))
    assert old.state == KekState.RETIRED
    assert old.wrapped is None
    tags = db_session.execute(select(AuditEvent.tag)).scalars().all()
    assert "keys:rotated" in tags
    assert "kek:retired" in tags


def test_destroying_a_key_makes_its_data_unrecoverable(db_session, provider, clock):
    _make(db_session, provider, clock, n=2)
    record = keys.destroy_data_key(
        db_session, ACTOR, tenant="tenant-a", key_id="blob/0", clock=clock
    )
    assert record.key_id == "blob/0"
    assert len(record.fingerprint) == 32
    with pytest.raises(keys.KeyDestroyedError):
        keys.load_data_key(db_session, provider, tenant="tenant-a", key_id="blob/0")
    with pytest.raises(keys.KeyDestroyedError):
        keys.destroy_data_key(
            db_session, ACTOR, tenant="tenant-a", key_id="blob/0", clock=clock
        )
    assert keys.load_data_key(db_session, provider, tenant="tenant-a", key_id="blob/1")
    event = db_session.execute(
        select(AuditEvent).where(AuditEvent.tag == "key:destroyed")
    ).scalar_one()
    assert event.details["fingerprint"] == record.fingerprint


def test_one_large_step_rewraps_everything(db_session, provider, clock):
    _make(db_session, provider, clock, n=50)
    keys.start_rotation(db_session, ACTOR, provider, tenant="tenant-a", clock=clock)
    progress = keys.rewrap_step(
        db_session, provider, tenant="tenant-a", limit=500, clock=clock
    )
    assert (progress.rewrapped, progress.remaining) == (50, 0)
