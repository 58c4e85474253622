"""Migrations: one head, up/down/up on an empty database, models == DDL, append-only audit."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

import outguard.accounts.models
import outguard.audit.models
import outguard.jobs.models
import outguard.keystore.models
import outguard.renditions.models
from outguard.db.base import Base
from outguard.db.engine import make_engine
from outguard.db.migrate import (
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)


def test_single_head():
    heads = ScriptDirectory.from_config(alembic_config("sqlite:///x.db")).get_heads()
    assert len(heads) == 1


def test_up_down_up_each_revision(fresh_database_url):
    url = fresh_database_url()
    script = ScriptDirectory.from_config(alembic_config(url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for rev in revisions:
        upgrade(url, rev)
    engine = make_engine(url)
    assert current_revision(engine) == head_revision()
    downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_models_match_migrations(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"


def test_audit_log_rejects_update_and_delete(fresh_database_url):
    url = fresh_database_url()
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_events (seq, at, actor_kind, actor_display, tag, details) "
                "VALUES (1, CURRENT_TIMESTAMP, 'system', 'test', 'org:created', '{}')"
            )
        )
    for statement in ("UPDATE audit_events SET tag = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    engine.dispose()


def test_ledger_migration_backfills_leaf_hashes_and_keeps_the_log_append_only(
    fresh_database_url,
):
    """An instance with events from before 0003 verifies from its first event after it."""
    from outguard.audit.chain import EVENT_FIELDS, MerkleTree, event_leaf_hash
    from outguard.audit.ledger import verify_log
    from outguard.db import make_session_factory, unit_of_work

    url = fresh_database_url()
    upgrade(url, "0002")
    engine = make_engine(url)
    with engine.begin() as conn:
        for seq in (1, 2, 3):
            conn.execute(
                text(
                    "INSERT INTO audit_events (seq, at, actor_kind, actor_display, tag, details)"
                    " VALUES (:seq, '2026-11-24 10:00:00.000000', 'system', 'old', 'user:created', '{}')"
                ),
                {"seq": seq},
            )
        conn.execute(text("UPDATE audit_head SET last_seq = 3 WHERE id = 1"))
    upgrade(url)
    with unit_of_work(make_session_factory(engine)) as session:
        events = session.query(outguard.audit.models.AuditEvent).order_by(
            outguard.audit.models.AuditEvent.seq
        )
        leaves = []
        for event in events:
            fields = {name: getattr(event, name) for name in EVENT_FIELDS}
            assert event.leaf_hash == event_leaf_hash(fields)
            leaves.append(event.leaf_hash)
        report = verify_log(session)
        assert report.ok, report.finding
        assert report.root == MerkleTree(leaves).root()
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET tag = 'x' WHERE seq = 1"))
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 1"))
    engine.dispose()
