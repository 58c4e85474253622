"""Verifying on several processes: the same report as one process, tampering still named.

Chunks of 8 events here (the product uses 2^17), on a committed database of its own, since
the worker processes read what is committed.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from outguard.audit import ledger
from outguard.audit.chain import Problem
from outguard.db import make_engine, make_session_factory, unit_of_work
from outguard.db.migrate import upgrade

from .test_ledger import _checkpoints_at, _fill, _lift_triggers

EVENTS = 45  # five whole chunks and a part


@pytest.fixture
def log(fresh_database_url, clock, monkeypatch):
    monkeypatch.setattr(ledger, "_CHUNK", 8)
    url = fresh_database_url()
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        _fill(session, clock, n=EVENTS)
        _checkpoints_at(session, clock, (5, 8, 19, 40, 45))  # in and across chunks
    yield factory
    engine.dispose()


def _verify(factory, **kwargs):
    with unit_of_work(factory) as session:
        return ledger.verify_log(session, **kwargs)


def _tamper(factory, sql):
    with unit_of_work(factory) as session:
        _lift_triggers(session)
        session.execute(text(sql))


def test_two_processes_give_the_report_of_one(log):
    seen = []
    together = _verify(log, workers=2, progress=lambda done, _: seen.append(done))
    alone = _verify(log)
    assert together.ok, together.finding
    assert together == alone
    assert (together.events, together.checkpoints) == (EVENTS, 5)
    assert seen[:5] == [8, 16, 24, 32, 40]  # a chunk at a time, in order


@pytest.mark.parametrize("seq", [1, 13, 16, 44])
def test_an_edit_in_any_chunk_is_named(log, seq):
    _tamper(log, f"UPDATE audit_events SET actor_display = 'x' WHERE seq = {seq}")  # noqa: S608
    report = _verify(log, workers=2)
    assert (report.finding.problem, report.finding.seq) == (Problem.EDITED, seq)


def test_a_deleted_row_and_a_bad_checkpoint_are_named(log):
    _tamper(
        log,
        "UPDATE audit_checkpoints SET root_hash ="
        " (SELECT leaf_hash FROM audit_events WHERE seq = 1) WHERE tree_size = 19",
    )
    report = _verify(log, workers=2)
    assert (report.finding.problem, report.finding.seq) == (Problem.BAD_CHECKPOINT, 19)
    _tamper(log, "DELETE FROM audit_checkpoints WHERE tree_size = 19")
    _tamper(log, "DELETE FROM audit_events WHERE seq = 30")
    report = _verify(log, workers=2)
    assert (report.finding.problem, report.finding.seq) == (Problem.DELETED, 30)
