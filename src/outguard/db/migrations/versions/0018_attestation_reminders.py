"""shares: when the vendor was last reminded of a deletion statement still owed

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import outguard.db.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deletion_attestations") as batch:
        batch.add_column(
            sa.Column(
                "reminded_at",
                outguard.db.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("deletion_attestations") as batch:
        batch.drop_column("reminded_at")
