"""Alembic environment: online migrations only, batch mode on SQLite."""

from alembic import context

# Model modules register their tables on Base.metadata. This file is the migration
# tool's composition root, the one place in db/ allowed to know every feature.
import outguard.accounts.models
import outguard.audit.models
import outguard.datasets.models
import outguard.engagements.models
import outguard.jobs.models
import outguard.keystore.models
import outguard.renditions.models
import outguard.shares.models  # noqa: F401
from outguard.db.base import Base
from outguard.db.engine import make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None  # noqa: S101
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # type: ignore[attr-defined]
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    msg = "offline (SQL script) migrations are not supported"
    raise SystemExit(msg)
run_migrations_online()
