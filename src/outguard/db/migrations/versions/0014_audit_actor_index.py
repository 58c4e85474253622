"""audit: an index on (actor, time) for per-agent rate limits on viewing and downloading

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 00:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # An index is not an update: the append-only triggers are untouched.
    op.create_index(
        "ix_audit_events_actor_at", "audit_events", ["actor_id", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_actor_at", table_name="audit_events")
