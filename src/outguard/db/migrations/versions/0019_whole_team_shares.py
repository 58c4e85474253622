"""shares: a share can go to the engagement's whole team, agents enrolled later included

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shares") as batch:
        batch.add_column(
            sa.Column(
                "whole_team", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("shares") as batch:
        batch.drop_column("whole_team")
