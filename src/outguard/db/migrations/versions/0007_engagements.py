"""engagements: vendors' agents, sites, approvals, agreements, training, attestations

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 03:00:11.924475
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import outguard.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminders_sent",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column(
            "sent_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_reminders_sent")),
    )
    op.create_table(
        "vendor_sites",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("networks", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_vendor_sites_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_sites")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_vendor_sites_org_id")),
    )
    with op.batch_alter_table("vendor_sites", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vendor_sites_org_id"), ["org_id"], unique=False
        )

    op.create_table(
        "agreement_templates",
        sa.Column("client_org_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("published_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "published_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "resign_by", outguard.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_org_id"],
            ["organizations.id"],
            name=op.f("fk_agreement_templates_client_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_agreement_templates_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_templates")),
        sa.UniqueConstraint(
            "client_org_id",
            "kind",
            "version",
            name=op.f("uq_agreement_templates_client_org_id"),
        ),
    )
    with op.batch_alter_table("agreement_templates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_templates_client_org_id"),
            ["client_org_id"],
            unique=False,
        )

    op.create_table(
        "attestations",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("attested_by_id", sa.Uuid(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column(
            "attested_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attested_by_id"],
            ["users.id"],
            name=op.f("fk_attestations_attested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_attestations_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attestations")),
    )
    with op.batch_alter_table("attestations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attestations_user_kind", ["user_id", "kind"], unique=False
        )

    op.create_table(
        "engagements",
        sa.Column("client_org_id", sa.Uuid(), nullable=False),
        sa.Column("vendor_org_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("work_kinds", sa.JSON(), nullable=False),
        sa.Column("data_categories", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("vendor_country", sa.String(length=2), nullable=False),
        sa.Column("processing_countries", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("work_days", sa.JSON(), nullable=False),
        sa.Column("work_start", sa.String(length=5), nullable=False),
        sa.Column("work_end", sa.String(length=5), nullable=False),
        sa.Column("off_hours", sa.String(length=8), nullable=False),
        sa.Column("breach_notice_hours", sa.Integer(), nullable=False),
        sa.Column("return_terms", sa.Text(), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("workstation_valid_days", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_reason", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_org_id"],
            ["organizations.id"],
            name=op.f("fk_engagements_client_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_engagements_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_org_id"],
            ["organizations.id"],
            name=op.f("fk_engagements_vendor_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
    )
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engagements_client_org_id"), ["client_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_engagements_vendor_org_id"), ["vendor_org_id"], unique=False
        )

    op.create_table(
        "training_modules",
        sa.Column("client_org_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("valid_days", sa.Integer(), nullable=False),
        sa.Column("published_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "published_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "retired_at", outguard.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "retake_after", outguard.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_org_id"],
            ["organizations.id"],
            name=op.f("fk_training_modules_client_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_training_modules_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_modules")),
    )
    with op.batch_alter_table("training_modules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_modules_client_org_id"),
            ["client_org_id"],
            unique=False,
        )

    op.create_table(
        "agreement_signatures",
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("client_org_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("engagement_id", sa.Uuid(), nullable=True),
        sa.Column("typed_name", sa.String(length=200), nullable=False),
        sa.Column(
            "signed_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_org_id"],
            ["organizations.id"],
            name=op.f("fk_agreement_signatures_client_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_agreement_signatures_engagement_id_engagements"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_agreement_signatures_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["agreement_templates.id"],
            name=op.f("fk_agreement_signatures_template_id_agreement_templates"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_agreement_signatures_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_signatures")),
    )
    with op.batch_alter_table("agreement_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_signatures_engagement_id"),
            ["engagement_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_signatures_template_id"),
            ["template_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_agreement_signatures_user_kind", ["user_id", "kind"], unique=False
        )

    op.create_table(
        "engagement_agents",
        sa.Column("engagement_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("role_title", sa.String(length=120), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("enrolled_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "enrolled_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "offboarded_at", outguard.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("offboarded_by_id", sa.Uuid(), nullable=True),
        sa.Column("offboard_reason", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_agents_engagement_id_engagements"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["enrolled_by_id"],
            ["users.id"],
            name=op.f("fk_engagement_agents_enrolled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["offboarded_by_id"],
            ["users.id"],
            name=op.f("fk_engagement_agents_offboarded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_engagement_agents_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["vendor_sites.id"],
            name=op.f("fk_engagement_agents_site_id_vendor_sites"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_engagement_agents_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_agents")),
        sa.UniqueConstraint(
            "engagement_id", "user_id", name=op.f("uq_engagement_agents_engagement_id")
        ),
    )
    with op.batch_alter_table("engagement_agents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engagement_agents_engagement_id"),
            ["engagement_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_engagement_agents_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "network_exceptions",
        sa.Column("engagement_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("cidr", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("granted_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "granted_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "revoked_at", outguard.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_network_exceptions_engagement_id_engagements"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["users.id"],
            name=op.f("fk_network_exceptions_granted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_network_exceptions_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_exceptions")),
    )
    with op.batch_alter_table("network_exceptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_exceptions_engagement_id"),
            ["engagement_id"],
            unique=False,
        )

    op.create_table(
        "subcontractor_approvals",
        sa.Column("engagement_id", sa.Uuid(), nullable=False),
        sa.Column("sub_org_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("proposed_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "proposed_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "decided_at", outguard.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_subcontractor_approvals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_subcontractor_approvals_engagement_id_engagements"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["users.id"],
            name=op.f("fk_subcontractor_approvals_proposed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sub_org_id"],
            ["organizations.id"],
            name=op.f("fk_subcontractor_approvals_sub_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subcontractor_approvals")),
        sa.UniqueConstraint(
            "engagement_id",
            "sub_org_id",
            name=op.f("uq_subcontractor_approvals_engagement_id"),
        ),
    )
    with op.batch_alter_table("subcontractor_approvals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subcontractor_approvals_engagement_id"),
            ["engagement_id"],
            unique=False,
        )

    op.create_table(
        "training_results",
        sa.Column("module_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column(
            "taken_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", outguard.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["training_modules.id"],
            name=op.f("fk_training_results_module_id_training_modules"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_training_results_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_results")),
    )
    with op.batch_alter_table("training_results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_results_user_module", ["user_id", "module_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("training_results", schema=None) as batch_op:
        batch_op.drop_index("ix_training_results_user_module")

    op.drop_table("training_results")
    with op.batch_alter_table("subcontractor_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subcontractor_approvals_engagement_id"))

    op.drop_table("subcontractor_approvals")
    with op.batch_alter_table("network_exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_exceptions_engagement_id"))

    op.drop_table("network_exceptions")
    with op.batch_alter_table("engagement_agents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_agents_user_id"))
        batch_op.drop_index(batch_op.f("ix_engagement_agents_engagement_id"))

    op.drop_table("engagement_agents")
    with op.batch_alter_table("agreement_signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_agreement_signatures_user_kind")
        batch_op.drop_index(batch_op.f("ix_agreement_signatures_template_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_signatures_engagement_id"))

    op.drop_table("agreement_signatures")
    with op.batch_alter_table("training_modules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_modules_client_org_id"))

    op.drop_table("training_modules")
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagements_vendor_org_id"))
        batch_op.drop_index(batch_op.f("ix_engagements_client_org_id"))

    op.drop_table("engagements")
    with op.batch_alter_table("attestations", schema=None) as batch_op:
        batch_op.drop_index("ix_attestations_user_kind")

    op.drop_table("attestations")
    with op.batch_alter_table("agreement_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_templates_client_org_id"))

    op.drop_table("agreement_templates")
    with op.batch_alter_table("vendor_sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_sites_org_id"))

    op.drop_table("vendor_sites")
    op.drop_table("reminders_sent")
