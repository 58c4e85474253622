"""pseudonym vault

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-24 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import outguard.db.types

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vault_entries",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("lookup", sa.LargeBinary(length=32), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("pseudonym_lookup", sa.LargeBinary(length=32), nullable=False),
        sa.Column("sealed_original", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_pseudonym", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint(
            "scope", "kind", "lookup", name=op.f("pk_vault_entries")
        ),
        sa.UniqueConstraint(
            "scope", "kind", "pseudonym_lookup", name="uq_vault_pseudonym"
        ),
    )


def downgrade() -> None:
    op.drop_table("vault_entries")
