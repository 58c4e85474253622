"""Test harness: real SQLite or PostgreSQL migrated to head, one savepoint per test."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from outguard.db.engine import make_engine
from outguard.db.migrate import upgrade
from outguard.settings import (
    AuthSettings,
    Environment,
    Settings,
    StorageSettings,
    WebSettings,
)
from outguard.types import FixedClock
from tests.support import postgres

pytest_plugins = ["tests.support.accounts_world"]

TEST_SECRET = "test-secret-key-that-is-at-least-32-characters-long"
CHROMIUM = "/usr/bin/chromium"
TEST_NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="database engine for integration tests",
    )
    parser.addoption(
        "--e2e", action="store_true", default=False, help="run browser tests"
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    chromium = "not installed"
    if shutil.which(CHROMIUM):
        out = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, check=False
        )
        chromium = out.stdout.strip()
    return [
        f"database: {config.getoption('--db')}",
        f"SQLite: {sqlite3.sqlite_version}",
        f"PostgreSQL: {postgres.server_version()}",
        f"chromium: {chromium}",
    ]


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    run_e2e = config.getoption("--e2e")
    skip_e2e = pytest.mark.skip(reason="browser tests run with --e2e")
    for item in items:
        path = str(item.path)
        for kind in (
            "unit",
            "integration",
            "web",
            "cli",
            "migrations",
            "security",
            "e2e",
        ):
            if f"/tests/{kind}/" in path:
                item.add_marker(getattr(pytest.mark, kind))
        if "e2e" in item.keywords and not run_e2e:
            item.add_marker(skip_e2e)


@pytest.fixture(scope="session")
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def pg_server(db_kind: str) -> Iterator[postgres.PostgresServer | None]:
    if db_kind != "postgresql":
        yield None
        return
    server = postgres.start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def fresh_database_url(
    pg_server: postgres.PostgresServer | None, tmp_path_factory: pytest.TempPathFactory
) -> object:
    """A factory of empty databases on the selected engine (for migration tests)."""
    counter = iter(range(1_000_000))

    def make() -> str:
        n = next(counter)
        if pg_server is None:
            return f"sqlite:///{tmp_path_factory.mktemp('fresh')}/fresh_{n}.db"
        return pg_server.create_database(f"fresh_{n}")

    return make


@pytest.fixture(scope="session")
def database_url(
    pg_server: postgres.PostgresServer | None,
    tmp_path_factory: pytest.TempPathFactory,
    worker_id: str,
) -> str:
    if pg_server is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / f'test_{worker_id}.db'}"
    else:
        url = pg_server.create_database(f"tests_{worker_id}")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session whose every commit is a savepoint inside one outer, rolled-back transaction."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        environment=Environment.TEST,
        home=tmp_path / "home",
        secret_key=TEST_SECRET,  # type: ignore[arg-type]
        database={"url": database_url},  # type: ignore[arg-type]
        auth=AuthSettings(
            argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1
        ),
        web=WebSettings(base_url="http://testserver"),
        storage=StorageSettings(backend="memory"),
        jobs={"run_in_process": False},  # type: ignore[arg-type]
        mail={"backend": "null"},  # type: ignore[arg-type]
    )
