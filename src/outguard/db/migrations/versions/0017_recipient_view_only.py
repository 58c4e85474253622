"""shares: an agent can be view-only on a share that allows downloads

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("share_recipients") as batch:
        batch.add_column(
            sa.Column(
                "view_only", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("share_recipients") as batch:
        batch.drop_column("view_only")
