"""destruction certificates: what was crypto-shredded, when and why, anchored in the log

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import outguard.db.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "destruction_certificates",
        sa.Column("client_org_id", sa.Uuid(), nullable=False),
        sa.Column("share_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_org_id"],
            ["organizations.id"],
            name=op.f("fk_destruction_certificates_client_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["share_id"],
            ["shares.id"],
            name=op.f("fk_destruction_certificates_share_id_shares"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_destruction_certificates")),
    )
    for column in ("client_org_id", "share_id"):
        op.create_index(
            op.f(f"ix_destruction_certificates_{column}"),
            "destruction_certificates",
            [column],
            unique=False,
        )


def downgrade() -> None:
    for column in ("client_org_id", "share_id"):
        op.drop_index(
            op.f(f"ix_destruction_certificates_{column}"),
            table_name="destruction_certificates",
        )
    op.drop_table("destruction_certificates")
