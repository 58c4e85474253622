"""deletion attestations: the vendor confirms downloaded copies were deleted

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import outguard.db.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = outguard.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "deletion_attestations",
        sa.Column("share_id", sa.Uuid(), nullable=False),
        sa.Column("client_org_id", sa.Uuid(), nullable=False),
        sa.Column("vendor_org_id", sa.Uuid(), nullable=False),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("requested_at", _TS, nullable=False),
        sa.Column("typed_name", sa.String(length=200), nullable=True),
        sa.Column("attested_by_id", sa.Uuid(), nullable=True),
        sa.Column("attested_at", _TS, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attested_by_id"],
            ["users.id"],
            name=op.f("fk_deletion_attestations_attested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["client_org_id"],
            ["organizations.id"],
            name=op.f("fk_deletion_attestations_client_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["share_id"],
            ["shares.id"],
            name=op.f("fk_deletion_attestations_share_id_shares"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_org_id"],
            ["organizations.id"],
            name=op.f("fk_deletion_attestations_vendor_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_attestations")),
    )
    for column in ("share_id", "vendor_org_id"):
        op.create_index(
            op.f(f"ix_deletion_attestations_{column}"),
            "deletion_attestations",
            [column],
            unique=False,
        )


def downgrade() -> None:
    for column in ("share_id", "vendor_org_id"):
        op.drop_index(
            op.f(f"ix_deletion_attestations_{column}"),
            table_name="deletion_attestations",
        )
    op.drop_table("deletion_attestations")
