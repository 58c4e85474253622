"""Per-recipient token keys and the pseudonym vault on a real database (both engines)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from outguard.audit.models import AuditEvent
from outguard.errors import ConflictError, DomainValidationError, NotFoundError
from outguard.keystore import service as keys
from outguard.keystore.models import DataKey, VaultEntry
from outguard.keystore.service import KeyDestroyedError
from outguard.keystore.tokens import (
    recipient_key,
    recipient_scope,
    rotate_token_key,
    shred_recipient,
)
from outguard.keystore.vault import pseudonymize, reidentify
from outguard.security.aead import StaticKeyProvider
from outguard.types import Actor

ACTOR = Actor.system("test")
TENANT = "tenant-a"
FIRST = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan"]
LAST = ["Adler", "Brooks", "Carver", "Dalton", "Ellis", "Foster", "Garner", "Hale"]


def candidates(key: bytes, value: str) -> Iterator[str]:
    """A small keyed list source, like the real one: deterministic per (key, value)."""
    for i in range(len(FIRST) * len(LAST)):
        h = hashlib.sha256(key + value.encode() + i.to_bytes(2, "big")).digest()
        yield f"{FIRST[h[0] % len(FIRST)]} {LAST[h[1] % len(LAST)]}"


@pytest.fixture
def provider():
    return StaticKeyProvider()


def _key(db_session, provider, clock, recipient, kind="ssn", **kw):
    return recipient_key(
        db_session,
        provider,
        ACTOR,
        tenant=TENANT,
        recipient=recipient,
        kind=kind,
        clock=clock,
        **kw,
    )


def test_keys_are_random_per_recipient_and_kind_and_stable(db_session, provider, clock):
    a = _key(db_session, provider, clock, "agent-a")
    assert a.version == 1
    assert _key(db_session, provider, clock, "agent-a").material == a.material
    assert _key(db_session, provider, clock, "agent-b").material != a.material
    assert (
        _key(db_session, provider, clock, "agent-a", kind="card").material != a.material
    )
    assert "material" not in repr(a) or a.material.hex() not in repr(a)
    stored = db_session.execute(
        select(DataKey).where(DataKey.purpose == "token")
    ).scalars()
    for row in stored:
        assert (
            recipient_scope(TENANT, "agent-a") in row.key_id
            or "agent" not in row.key_id
        )
        assert a.material not in row.wrapped


def test_first_key_of_a_recipient_is_audited_without_its_name(
    db_session, provider, clock
):
    _key(db_session, provider, clock, "agent-x")
    events = (
        db_session.execute(
            select(AuditEvent).where(AuditEvent.tag == "recipient:keyed")
        )
        .scalars()
        .all()
    )
    assert len(events) == 1
    assert events[0].subject_id == recipient_scope(TENANT, "agent-x")
    assert "agent-x" not in str(events[0].details)


def test_rotation_keeps_old_versions_for_reversal(db_session, provider, clock):
    v1 = _key(db_session, provider, clock, "agent-a")
    v2 = rotate_token_key(
        db_session,
        provider,
        ACTOR,
        tenant=TENANT,
        recipient="agent-a",
        kind="ssn",
        clock=clock,
    )
    assert v2.version == 2
    assert v2.material != v1.material
    assert _key(db_session, provider, clock, "agent-a").version == 2
    assert (
        _key(db_session, provider, clock, "agent-a", version=1).material == v1.material
    )
    with pytest.raises(NotFoundError):
        _key(db_session, provider, clock, "agent-a", version=7)


def test_unknown_recipient_without_create_is_not_found(db_session, provider, clock):
    with pytest.raises(NotFoundError):
        _key(db_session, provider, clock, "nobody", create=False)


@pytest.mark.parametrize(
    ("recipient", "kind"),
    [
        ("", "ssn"),
        ("../etc", "ssn"),
        ("a" * 201, "ssn"),
        ("agent", "SSN"),
        ("agent", ""),
    ],
)
def test_bad_recipient_or_kind_refused(db_session, provider, clock, recipient, kind):
    with pytest.raises(DomainValidationError):
        _key(db_session, provider, clock, recipient, kind=kind)


def test_shredding_one_recipient_leaves_the_others(db_session, provider, clock):
    _key(db_session, provider, clock, "agent-a")
    _key(db_session, provider, clock, "agent-a", kind="card")
    b = _key(db_session, provider, clock, "agent-b")
    pseudonymize(
        db_session,
        provider,
        ACTOR,
        tenant=TENANT,
        recipient="agent-a",
        kind="person",
        values=["Jane Roe"],
        candidates=candidates,
        clock=clock,
    )
    records = shred_recipient(
        db_session, provider, ACTOR, tenant=TENANT, recipient="agent-a", clock=clock
    )
    assert len(records) == 3
    assert {r.purpose for r in records} == {"token", "vault"}
    with pytest.raises(KeyDestroyedError):
        _key(db_session, provider, clock, "agent-a")
    with pytest.raises(KeyDestroyedError):
        _key(db_session, provider, clock, "agent-a", version=1)
    with pytest.raises(KeyDestroyedError):
        rotate_token_key(
            db_session,
            provider,
            ACTOR,
            tenant=TENANT,
            recipient="agent-a",
            kind="ssn",
            clock=clock,
        )
    assert _key(db_session, provider, clock, "agent-b").material == b.material
    scope = recipient_scope(TENANT, "agent-a")
    assert not db_session.execute(
        select(VaultEntry).where(VaultEntry.scope == scope)
    ).first()
    tags = db_session.execute(select(AuditEvent.tag)).scalars().all()
    assert "recipient:shredded" in tags
    with pytest.raises(NotFoundError):
        shred_recipient(
            db_session, provider, ACTOR, tenant=TENANT, recipient="agent-a", clock=clock
        )


def test_token_keys_survive_kek_rotation(db_session, provider, clock):
    a = _key(db_session, provider, clock, "agent-a")
    keys.start_rotation(db_session, ACTOR, provider, tenant=TENANT, clock=clock)
    while keys.rewrap_step(
        db_session, provider, tenant=TENANT, limit=10, clock=clock
    ).remaining:
        pass
    assert _key(db_session, provider, clock, "agent-a").material == a.material


def _pseudo(db_session, provider, clock, values, recipient="agent-a", kind="person"):
    return pseudonymize(
        db_session,
        provider,
        ACTOR,
        tenant=TENANT,
        recipient=recipient,
        kind=kind,
        values=values,
        candidates=candidates,
        clock=clock,
    )


def _reid(db_session, provider, clock, values, recipient="agent-a", kind="person"):
    return reidentify(
        db_session,
        provider,
        ACTOR,
        tenant=TENANT,
        recipient=recipient,
        kind=kind,
        pseudonyms=values,
        clock=clock,
    )


def test_vault_is_deterministic_injective_and_reversible(db_session, provider, clock):
    originals = [f"Person {i} Realname" for i in range(40)]
    first = _pseudo(db_session, provider, clock, [*originals, originals[0]])
    assert first[0] == first[-1]
    assert len(set(first[:-1])) == len(originals)  # no two people share a pseudonym
    assert not set(first) & set(originals)
    again = _pseudo(db_session, provider, clock, list(reversed(originals)))
    assert again == list(reversed(first[:-1]))
    assert _reid(db_session, provider, clock, first) == [*originals, originals[0]]
    assert _reid(db_session, provider, clock, ["Never Issued", None]) == [None, None]


def test_vault_normalises_whitespace_and_keeps_recipients_apart(
    db_session, provider, clock
):
    (a,) = _pseudo(db_session, provider, clock, ["  Jane   Roe "])
    assert _pseudo(db_session, provider, clock, ["Jane Roe"]) == [a]
    many = [f"Name {i}" for i in range(30)]
    pa = _pseudo(db_session, provider, clock, many)
    pb = _pseudo(db_session, provider, clock, many, recipient="agent-b")
    assert pa != pb
    # A pseudonym issued to agent-b does not reverse through agent-a's vault.
    only_b = [p for p in pb if p not in {*pa, a}]
    assert _reid(db_session, provider, clock, only_b) == [None] * len(only_b)


def test_vault_stores_nothing_in_clear(db_session, provider, clock):
    (p,) = _pseudo(db_session, provider, clock, ["Jane Roe"])
    for row in db_session.execute(select(VaultEntry)).scalars():
        blob = (
            row.sealed_original
            + row.sealed_pseudonym
            + row.lookup
            + row.pseudonym_lookup
        )
        assert b"Jane" not in blob
        assert p.split()[0].encode() not in blob


def test_vault_bad_input_changes_nothing(db_session, provider, clock):
    with pytest.raises(DomainValidationError, match="Value 1 is empty"):
        _pseudo(db_session, provider, clock, ["Jane Roe", "  "])
    with pytest.raises(DomainValidationError, match="Value 0 is empty"):
        _pseudo(db_session, provider, clock, [None])
    with pytest.raises(DomainValidationError, match="longer than"):
        _pseudo(db_session, provider, clock, ["x" * 501])
    assert not db_session.execute(select(VaultEntry)).first()
    with pytest.raises(NotFoundError):
        _reid(db_session, provider, clock, ["Anyone"], recipient="agent-z")


def test_vault_reports_an_exhausted_name_list(db_session, provider, clock):
    def tiny(key: bytes, value: str) -> Iterator[str]:
        yield "Only Name"

    pseudonymize(
        db_session,
        provider,
        ACTOR,
        tenant=TENANT,
        recipient="agent-a",
        kind="person",
        values=["A One"],
        candidates=tiny,
        clock=clock,
    )
    with pytest.raises(ConflictError, match="ran out"):
        pseudonymize(
            db_session,
            provider,
            ACTOR,
            tenant=TENANT,
            recipient="agent-a",
            kind="person",
            values=["B Two"],
            candidates=tiny,
            clock=clock,
        )


def test_concurrent_renders_never_give_one_pseudonym_to_two_people(fresh_database_url):
    """Two writers of one vault at once: each original gets one pseudonym, none shared."""
    import threading

    from outguard.db import make_session_factory, unit_of_work
    from outguard.db.engine import make_engine
    from outguard.db.migrate import upgrade
    from outguard.types import FixedClock

    url = fresh_database_url()
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    provider = StaticKeyProvider()
    clock = FixedClock(datetime(2026, 11, 24, tzinfo=UTC))
    with unit_of_work(factory) as session:  # the vault key exists before the race
        recipient_key(
            session,
            provider,
            ACTOR,
            tenant=TENANT,
            recipient="agent-a",
            kind="person",
            clock=clock,
            purpose="vault",
        )
    names = [
        [f"Worker{w} Person{i}" for i in range(25)] + ["Shared Name"] for w in range(2)
    ]
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def render(w: int) -> None:
        try:
            start.wait()
            with unit_of_work(factory) as session:
                results[w] = pseudonymize(
                    session,
                    provider,
                    ACTOR,
                    tenant=TENANT,
                    recipient="agent-a",
                    kind="person",
                    values=names[w],
                    candidates=candidates,
                    clock=clock,
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=render, args=(w,)) for w in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    engine.dispose()
    assert not errors, errors
    assert results[0][-1] == results[1][-1]  # the shared original: one pseudonym
    everyone = {
        **dict(zip(names[0], results[0], strict=True)),
        **dict(zip(names[1], results[1], strict=True)),
    }
    assert len(set(everyone.values())) == len(everyone)
