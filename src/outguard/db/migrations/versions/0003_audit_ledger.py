"""audit ledger: leaf hashes, the Merkle frontier, checkpoints

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 21:30:00

Existing events get their leaf hash computed here (the append-only triggers are lifted for
the backfill only, inside this migration's transaction, and restored), so an upgraded
instance verifies from its first event.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import outguard.db.types
from outguard.audit.chain import EVENT_FIELDS, Frontier, event_leaf_hash

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_events = sa.table(
    "audit_events",
    sa.column("seq", sa.BigInteger),
    sa.column("at", outguard.db.types.UTCDateTime(timezone=True)),
    sa.column("actor_kind", sa.String),
    sa.column("actor_id", sa.Uuid),
    sa.column("actor_display", sa.String),
    sa.column("org_id", sa.Uuid),
    sa.column("request_id", sa.String),
    sa.column("ip", sa.String),
    sa.column("user_agent", sa.String),
    sa.column("tag", sa.String),
    sa.column("subject_type", sa.String),
    sa.column("subject_id", sa.String),
    sa.column("details", sa.JSON),
    sa.column("leaf_hash", sa.LargeBinary),
)
_head = sa.table(
    "audit_head", sa.column("id", sa.Integer), sa.column("frontier", sa.LargeBinary)
)


def _triggers(create: bool) -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    if not create:
        if pg:
            op.execute(
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"
            )
        else:
            op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        return
    if pg:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
    else:
        op.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )


def upgrade() -> None:
    op.add_column(
        "audit_events", sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=True)
    )
    op.add_column("audit_head", sa.Column("frontier", sa.LargeBinary(), nullable=True))
    op.create_table(
        "audit_checkpoints",
        sa.Column(
            "tree_size",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "created_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_audit_checkpoints")),
    )
    bind = op.get_bind()
    frontier = Frontier()
    rows = bind.execute(sa.select(_events).order_by(_events.c.seq)).mappings().all()
    if rows:
        _triggers(create=False)
        for row in rows:
            leaf = event_leaf_hash({k: row[k] for k in EVENT_FIELDS})
            frontier.append(leaf)
            bind.execute(
                sa.update(_events)
                .where(_events.c.seq == row["seq"])
                .values(leaf_hash=leaf)
            )
        _triggers(create=True)
    bind.execute(
        sa.update(_head).where(_head.c.id == 1).values(frontier=frontier.to_bytes())
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("frontier")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("audit_events", "leaf_hash")
    else:
        # SQLite rebuilds the table to drop a column, which would drop its triggers.
        _triggers(create=False)
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        with op.batch_alter_table("audit_events", schema=None) as batch_op:
            batch_op.drop_column("leaf_hash")
        _triggers(create=True)
        op.execute(
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )
