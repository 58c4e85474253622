"""shares: each destruction certificate carries its signed note (Ed25519, the audit key)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: certificates issued before signing existed stay as they were (still
    # anchored in the audit log by their SHA-256).
    with op.batch_alter_table("destruction_certificates") as batch:
        batch.add_column(sa.Column("signed_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("destruction_certificates") as batch:
        batch.drop_column("signed_note")
