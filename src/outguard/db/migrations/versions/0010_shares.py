"""shares: a dataset version shared with agents of an engagement, and each one's rendition

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import outguard.db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = outguard.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "shares",
        sa.Column("client_org_id", sa.Uuid(), nullable=False),
        sa.Column("engagement_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("policy_name", sa.String(length=80), nullable=False),
        sa.Column("policy_text", sa.Text(), nullable=False),
        sa.Column("policy_changes", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("can_download", sa.Boolean(), nullable=False),
        sa.Column("can_return", sa.Boolean(), nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_reason", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_org_id"],
            ["organizations.id"],
            name=op.f("fk_shares_client_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_shares_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_shares_dataset_id_datasets"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_shares_engagement_id_engagements"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["dataset_versions.id"],
            name=op.f("fk_shares_version_id_dataset_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shares")),
    )
    for column in ("client_org_id", "engagement_id", "dataset_id"):
        op.create_index(op.f(f"ix_shares_{column}"), "shares", [column], unique=False)
    op.create_table(
        "share_recipients",
        sa.Column("share_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("waiting_for", sa.JSON(), nullable=False),
        sa.Column("rendition_id", sa.String(length=32), nullable=True),
        sa.Column("output_name", sa.String(length=255), nullable=True),
        sa.Column("output_kind", sa.String(length=16), nullable=True),
        sa.Column("output_sha256", sa.String(length=64), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("canaries", sa.Integer(), nullable=True),
        sa.Column("columns", sa.JSON(), nullable=True),
        sa.Column("blob_key", sa.String(length=200), nullable=True),
        sa.Column("key_id", sa.String(length=100), nullable=True),
        sa.Column("render_job_id", sa.Uuid(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("ready_at", _TS, nullable=True),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["share_id"],
            ["shares.id"],
            name=op.f("fk_share_recipients_share_id_shares"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_share_recipients_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_recipients")),
        sa.UniqueConstraint(
            "share_id", "user_id", name=op.f("uq_share_recipients_share_id")
        ),
    )
    for column in ("share_id", "user_id"):
        op.create_index(
            op.f(f"ix_share_recipients_{column}"),
            "share_recipients",
            [column],
            unique=False,
        )


def downgrade() -> None:
    for column in ("share_id", "user_id"):
        op.drop_index(
            op.f(f"ix_share_recipients_{column}"), table_name="share_recipients"
        )
    op.drop_table("share_recipients")
    for column in ("client_org_id", "engagement_id", "dataset_id"):
        op.drop_index(op.f(f"ix_shares_{column}"), table_name="shares")
    op.drop_table("shares")
