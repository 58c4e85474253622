"""key store

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 19:06:47.984755
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import outguard.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("key_id", sa.String(length=128), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column(
            "created_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "rewrapped_at", outguard.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "destroyed_at", outguard.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_data_keys")),
    )
    with op.batch_alter_table("data_keys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_data_keys_tenant_kek_version", ["tenant", "kek_version"], unique=False
        )

    op.create_table(
        "tenant_keks",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("root_key_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "retired_at", outguard.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("tenant", "version", name=op.f("pk_tenant_keks")),
    )


def downgrade() -> None:
    op.drop_table("tenant_keks")
    with op.batch_alter_table("data_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_data_keys_tenant_kek_version")

    op.drop_table("data_keys")
