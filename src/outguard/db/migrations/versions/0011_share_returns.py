"""share returns: worked files agents send back, and their re-identified results

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import outguard.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = outguard.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "share_returns",
        sa.Column("share_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("blob_key", sa.String(length=200), nullable=False),
        sa.Column("key_id", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("found", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("result_blob_key", sa.String(length=200), nullable=True),
        sa.Column("result_key_id", sa.String(length=100), nullable=True),
        sa.Column("result_name", sa.String(length=255), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("reidentified_by_id", sa.Uuid(), nullable=True),
        sa.Column("reidentified_at", _TS, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reidentified_by_id"],
            ["users.id"],
            name=op.f("fk_share_returns_reidentified_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["share_id"],
            ["shares.id"],
            name=op.f("fk_share_returns_share_id_shares"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_share_returns_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_returns")),
    )
    op.create_index(
        op.f("ix_share_returns_share_id"), "share_returns", ["share_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_share_returns_share_id"), table_name="share_returns")
    op.drop_table("share_returns")
