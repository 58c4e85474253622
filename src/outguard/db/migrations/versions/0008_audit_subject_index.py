"""audit: an index for the history of one subject (an engagement's changes, a share's trail)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # An index is not an update: the append-only triggers are untouched.
    op.create_index(
        "ix_audit_events_subject",
        "audit_events",
        ["subject_type", "subject_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_subject", table_name="audit_events")
