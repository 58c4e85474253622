"""Engine construction: SQLite (WAL, foreign keys, correct transactions) or PostgreSQL."""

from __future__ import annotations

import functools
import json
from typing import Any

from sqlalchemy import Engine, create_engine, event

# Compact JSON: audit details (stored with sorted keys) are then stored as the very text
# their Merkle leaf hashes, which lets verification hash stored rows without parsing them.
_json_text = functools.partial(json.dumps, separators=(",", ":"))


def make_engine(url: str, *, echo: bool = False, reader: bool = False) -> Engine:
    """An engine for `url`.

    `reader`: transactions only read (SQLite: a deferred BEGIN, which takes no lock and
    so runs beside a writer; the audit verifier's worker processes use it).
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo=echo, reader=reader)
    return create_engine(
        url, echo=echo, pool_pre_ping=True, future=True, json_serializer=_json_text
    )


def _sqlite_engine(url: str, *, echo: bool, reader: bool) -> Engine:
    if url in {"sqlite://", "sqlite:///:memory:"}:
        msg = "an in-memory SQLite database is not supported: use a file"
        raise ValueError(msg)
    engine = create_engine(
        url,
        echo=echo,
        future=True,
        # pooled: closing the last connection of a WAL database checkpoints and removes
        # the WAL, which cost ~1 ms per transaction with a connection each (NullPool)
        pool_size=5,
        max_overflow=10,
        json_serializer=_json_text,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN: savepoints and transactional DDL
        # then behave (SQLAlchemy docs, "Serializable isolation / Savepoints / Transactional DDL").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of
        # deadlocking on lock upgrade.
        conn.exec_driver_sql("BEGIN" if reader else "BEGIN IMMEDIATE")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
