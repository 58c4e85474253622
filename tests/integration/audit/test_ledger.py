"""The stored audit log verifies, and every kind of tampering is named at its exact seq.

Tampering needs the append-only triggers out of the way: the tests lift them inside the
test's transaction, as an attacker with owner access to the database could.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from outguard.audit.chain import MerkleTree, Problem
from outguard.audit.ledger import verify_log
from outguard.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.types import Actor

ACTOR = Actor.system("test")


def _fill(session, clock, n=12):
    for i in range(n):
        record(
            session,
            ACTOR,
            AuditTag.USER_CREATED,
            clock=clock,
            subject_type="user",
            subject_id=f"u{i}",
            details={"n": i},
        )
    session.flush()


def _checkpoints_at(session, clock, sizes):
    """Unsigned checkpoints (roots only) at `sizes`; the tree of the whole log."""
    leaves = [e.leaf_hash for e in session.query(AuditEvent).order_by(AuditEvent.seq)]
    tree = MerkleTree(leaves)
    for size in sizes:
        session.add(
            AuditCheckpoint(
                tree_size=size,
                root_hash=tree.root(size),
                note="t",
                created_at=clock.now(),
            )
        )
    session.flush()
    return tree


def _lift_triggers(session):
    if session.bind.dialect.name == "postgresql":
        session.execute(
            text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        )
    else:
        session.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
        session.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))


def test_an_untouched_log_verifies_and_its_head_holds_the_tree(db_session, clock):
    _fill(db_session, clock)
    report = verify_log(db_session)
    assert report.ok, report.finding
    assert report.events == 12
    leaves = [
        e.leaf_hash for e in db_session.query(AuditEvent).order_by(AuditEvent.seq)
    ]
    assert report.root == MerkleTree(leaves).root()
    assert db_session.get(AuditHead, 1).frontier is not None


def test_an_edited_field_is_named(db_session, clock):
    _fill(db_session, clock)
    _lift_triggers(db_session)
    db_session.execute(
        text("UPDATE audit_events SET subject_id = 'someone-else' WHERE seq = 5")
    )
    db_session.expire_all()
    report = verify_log(db_session)
    assert not report.ok
    assert report.finding.problem is Problem.EDITED
    assert report.finding.seq == 5


def test_a_deleted_row_is_named(db_session, clock):
    _fill(db_session, clock)
    _lift_triggers(db_session)
    db_session.execute(text("DELETE FROM audit_events WHERE seq = 7"))
    db_session.expire_all()
    report = verify_log(db_session)
    assert report.finding.problem is Problem.DELETED
    assert report.finding.seq == 7


def test_a_deleted_tail_is_named(db_session, clock):
    _fill(db_session, clock)
    _lift_triggers(db_session)
    db_session.execute(text("DELETE FROM audit_events WHERE seq >= 11"))
    db_session.expire_all()
    report = verify_log(db_session)
    assert report.finding.problem is Problem.DELETED
    assert report.finding.seq == 11


def test_a_swapped_pair_is_named(db_session, clock):
    _fill(db_session, clock)
    _lift_triggers(db_session)
    for a, b in ((4, -1), (8, 4), (-1, 8)):
        db_session.execute(
            text("UPDATE audit_events SET seq = :b WHERE seq = :a"), {"a": a, "b": b}
        )
    db_session.expire_all()
    report = verify_log(db_session)
    assert report.finding.problem is Problem.REORDERED
    assert report.finding.seq == 4


def test_an_inserted_row_is_named(db_session, clock):
    _fill(db_session, clock)
    _lift_triggers(db_session)
    # shift 6.. up by one (from the top, to keep the primary key unique), forge a new 6
    for seq in range(12, 5, -1):
        db_session.execute(
            text("UPDATE audit_events SET seq = :new WHERE seq = :old"),
            {"new": seq + 1, "old": seq},
        )
    db_session.execute(
        text(
            "INSERT INTO audit_events (seq, at, actor_kind, actor_display, tag, details) "
            "SELECT 6, at, actor_kind, actor_display, tag, details FROM audit_events WHERE seq = 5"
        )
    )
    db_session.expire_all()
    report = verify_log(db_session)
    assert report.finding.problem in {Problem.INSERTED, Problem.MALFORMED}
    assert report.finding.seq == 6


def test_rewritten_hashes_are_caught_by_the_head_and_checkpoints(db_session, clock):
    _fill(db_session, clock)
    tree = MerkleTree(
        [e.leaf_hash for e in db_session.query(AuditEvent).order_by(AuditEvent.seq)]
    )
    db_session.add(
        AuditCheckpoint(
            tree_size=8, root_hash=tree.root(8), note="test", created_at=clock.now()
        )
    )
    db_session.flush()
    assert verify_log(db_session).checkpoints == 1
    # An attacker who edits an event *and* recomputes its stored leaf hash:
    event = db_session.get(AuditEvent, 3)
    from outguard.audit.chain import EVENT_FIELDS, event_leaf_hash

    fields = {name: getattr(event, name) for name in EVENT_FIELDS}
    fields["subject_id"] = "forged"
    _lift_triggers(db_session)
    db_session.execute(
        text(
            "UPDATE audit_events SET subject_id = 'forged', leaf_hash = :h WHERE seq = 3"
        ),
        {"h": event_leaf_hash(fields)},
    )
    db_session.expire_all()
    report = verify_log(db_session)
    assert report.finding.problem is Problem.BAD_CHECKPOINT
    assert report.finding.seq == 8


def test_appends_refuse_a_head_that_disagrees_with_its_frontier(db_session, clock):
    _fill(db_session, clock, n=2)
    db_session.execute(
        text("UPDATE audit_head SET last_seq = last_seq + 1 WHERE id = 1")
    )
    db_session.expire_all()
    from outguard.errors import TamperDetectedError

    with pytest.raises(TamperDetectedError):
        _fill(db_session, clock, n=1)


def test_parallel_writers_leave_no_gap_no_duplicate_and_a_verifying_tree(
    fresh_database_url,
):
    import threading

    from outguard.db import make_session_factory, unit_of_work
    from outguard.db.engine import make_engine
    from outguard.db.migrate import upgrade
    from outguard.types import SystemClock

    url = fresh_database_url()
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(w: int) -> None:
        try:
            start.wait()
            for i in range(25):
                with unit_of_work(factory) as session:
                    record(
                        session,
                        ACTOR,
                        AuditTag.USER_CREATED,
                        clock=SystemClock(),
                        subject_type="user",
                        subject_id=f"w{w}-{i}",
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with unit_of_work(factory) as session:
        seqs = [e.seq for e in session.query(AuditEvent).order_by(AuditEvent.seq)]
        assert seqs == list(range(1, 101))
        report = verify_log(session)
        assert report.ok, report.finding
    engine.dispose()


def test_signed_checkpoints_verify_and_forgeries_fail(db_session, clock):
    from outguard.audit.ledger import make_checkpoint
    from outguard.instance.audit_keys import signer_from, verifier_of
    from outguard.security.signing import SigningKey

    signer = signer_from(SigningKey.generate())
    trusted = [verifier_of(signer)]
    assert make_checkpoint(db_session, signer, clock=clock) is None  # empty log
    _fill(db_session, clock, n=5)
    first = make_checkpoint(db_session, signer, clock=clock)
    assert first.tree_size == 5
    assert make_checkpoint(db_session, signer, clock=clock) is None
    _fill(db_session, clock, n=3)
    assert make_checkpoint(db_session, signer, clock=clock, min_new_events=10) is None
    assert make_checkpoint(db_session, signer, clock=clock).tree_size == 8
    report = verify_log(db_session, trusted=trusted)
    assert report.ok and report.checkpoints == 2
    stranger = [verifier_of(signer_from(SigningKey.generate()))]
    assert (
        verify_log(db_session, trusted=stranger).finding.problem
        is Problem.BAD_CHECKPOINT
    )
    db_session.execute(
        text("UPDATE audit_checkpoints SET root_hash = :r WHERE tree_size = 5"),
        {"r": b"\x00" * 32},
    )
    db_session.expire_all()
    altered = verify_log(db_session, trusted=trusted)
    assert altered.finding.problem is Problem.BAD_CHECKPOINT
    assert "altered" in altered.finding.detail


def test_an_untouched_log_is_verified_the_fast_way(db_session, clock, monkeypatch):
    """Rows straight from the engine (times, UUIDs, JSON) go through `batch_leaves`."""
    from outguard.audit import ledger

    def not_called(*_args, **_kwargs):
        raise AssertionError("the slow path was taken")

    monkeypatch.setattr(ledger, "read_event", not_called)
    monkeypatch.setattr(ledger, "_BATCH", 5)
    _fill(db_session, clock, n=23)
    tree = _checkpoints_at(db_session, clock, (3, 5, 11, 23))  # in and across batches
    report = verify_log(db_session)
    assert report.ok, report.finding
    assert (report.events, report.checkpoints, report.root) == (23, 4, tree.root())


@pytest.mark.parametrize("seq", [1, 5, 6, 13, 23])
def test_an_edit_in_any_batch_is_named(db_session, clock, monkeypatch, seq):
    from outguard.audit import ledger

    monkeypatch.setattr(ledger, "_BATCH", 5)
    _fill(db_session, clock, n=23)
    _lift_triggers(db_session)
    db_session.execute(
        text("UPDATE audit_events SET actor_display = 'x' WHERE seq = :s"), {"s": seq}
    )
    db_session.expire_all()
    report = verify_log(db_session)
    assert (report.finding.problem, report.finding.seq) == (Problem.EDITED, seq)
    assert report.events == seq - 1


def test_a_fresh_log_is_verified_from_stored_rows(db_session, clock, monkeypatch):
    """No typed read at all: times, ids and details are hashed as the database holds them."""
    from outguard.audit import ledger

    def not_called(*_args, **_kwargs):
        raise AssertionError("a typed read was taken")

    monkeypatch.setattr(ledger, "batch_leaves", not_called)
    monkeypatch.setattr(ledger, "read_event", not_called)
    monkeypatch.setattr(ledger, "_BATCH", 4)
    _fill(db_session, clock, n=10)
    record(
        db_session,
        ACTOR,
        AuditTag.USER_CREATED,
        clock=clock,
        details={"zeta": "z", "alpha": 1, "mid": None, "flag": True},
    )
    db_session.flush()
    report = verify_log(db_session)
    assert report.ok, report.finding
    assert report.events == 11


def test_details_stored_the_old_way_still_verify(db_session, clock):
    """Spaces and unsorted keys (as logs written before compact JSON hold them): typed."""
    _fill(db_session, clock, n=9)
    _lift_triggers(db_session)
    db_session.execute(
        text("UPDATE audit_events SET details = '{\"n\": 4}' WHERE seq = 5")
    )
    db_session.expire_all()
    report = verify_log(db_session)
    assert report.ok, report.finding
    assert report.events == 9


def test_a_respelled_time_is_read_as_the_application_reads_it(db_session, clock):
    """SQLite only: '...T09:30' is the same time to the application, so it verifies;
    the stored way refuses the spelling and the typed way decides. Another hour is named.
    """
    if db_session.bind.dialect.name != "sqlite":
        pytest.skip("PostgreSQL stores a timestamp, not its spelling")
    _fill(db_session, clock, n=6)
    _lift_triggers(db_session)
    db_session.execute(
        text("UPDATE audit_events SET at = replace(at, ' ', 'T') WHERE seq = 3")
    )
    assert verify_log(db_session).ok
    db_session.execute(
        text("UPDATE audit_events SET at = replace(at, 'T', 'T1') WHERE seq = 3")
    )
    report = verify_log(db_session)
    assert (report.finding.problem, report.finding.seq) == (Problem.MALFORMED, 3)
    db_session.execute(
        text(
            "UPDATE audit_events SET at = substr(at, 1, 11) || '23' || substr(at, 15)"
            " WHERE seq = 3"
        )
    )
    report = verify_log(db_session)
    assert (report.finding.problem, report.finding.seq) == (Problem.EDITED, 3)


def test_details_that_borrow_the_next_column_are_named(db_session, clock):
    """SQLite only (PostgreSQL refuses text that is not JSON): details ending in an ip."""
    if db_session.bind.dialect.name != "sqlite":
        pytest.skip("a json column holds one JSON value on PostgreSQL")
    _fill(db_session, clock, n=6)
    _lift_triggers(db_session)
    db_session.execute(
        text("UPDATE audit_events SET details = :d, ip = NULL WHERE seq = 2"),
        {"d": '{"n":1},"ip":"203.0.113.9"'},
    )
    db_session.expire_all()
    report = verify_log(db_session)  # not JSON to the application: named, not a crash
    assert (report.finding.problem, report.finding.seq) == (Problem.MALFORMED, 2)
