"""Agreements, their versioned obligations, violations with their evidence, re-check runs.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from peacewatch.store.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "compliance_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("since", UTCDateTime(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_runs")),
    )
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=True),
        sa.Column("entry_into_force", UTCDateTime(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_agreements_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_agreements_mission_id_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("mission_id", "code", name=op.f("uq_agreements_mission_id")),
    )
    op.create_index(op.f("ix_agreements_label_id"), "agreements", ["label_id"], unique=False)
    op.create_index(op.f("ix_agreements_mission_id"), "agreements", ["mission_id"], unique=False)
    op.create_table(
        "obligations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("clause", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("zones", sa.JSON(), nullable=False),
        sa.Column("prohibited", sa.JSON(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_to", UTCDateTime(), nullable=True),
        sa.Column("deadline", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreements.id"], name=op.f("fk_obligations_agreement_id_agreements")
        ),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_obligations_label_id_labels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligations")),
        sa.UniqueConstraint(
            "agreement_id", "code", "version", name=op.f("uq_obligations_agreement_id")
        ),
    )
    op.create_index(
        op.f("ix_obligations_agreement_id"), "obligations", ["agreement_id"], unique=False
    )
    op.create_index(op.f("ix_obligations_label_id"), "obligations", ["label_id"], unique=False)
    op.create_table(
        "violations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("position_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("observed_at", UTCDateTime(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_violations_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_violations_mission_id_missions")
        ),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            ["obligations.id"],
            name=op.f("fk_violations_obligation_id_obligations"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_violations_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["position_id"],
            ["unit_positions.id"],
            name=op.f("fk_violations_position_id_unit_positions"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_violations_report_id_reports")
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["zones.id"], name=op.f("fk_violations_zone_id_zones")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violations")),
        sa.UniqueConstraint(
            "obligation_id", "zone_id", "position_id", name="uq_violations_position"
        ),
        sa.UniqueConstraint("obligation_id", "zone_id", "report_id", name="uq_violations_report"),
        sa.UniqueConstraint("uuid", name=op.f("uq_violations_uuid")),
    )
    op.create_index(op.f("ix_violations_label_id"), "violations", ["label_id"], unique=False)
    op.create_index(op.f("ix_violations_mission_id"), "violations", ["mission_id"], unique=False)
    op.create_index(
        op.f("ix_violations_obligation_id"), "violations", ["obligation_id"], unique=False
    )
    op.create_index("ix_violations_observed", "violations", ["observed_at"], unique=False)
    op.create_index(op.f("ix_violations_party_id"), "violations", ["party_id"], unique=False)
    op.create_index("ix_violations_position", "violations", ["position_id"], unique=False)
    op.create_index("ix_violations_report", "violations", ["report_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_violations_report", table_name="violations")
    op.drop_index("ix_violations_position", table_name="violations")
    op.drop_index(op.f("ix_violations_party_id"), table_name="violations")
    op.drop_index("ix_violations_observed", table_name="violations")
    op.drop_index(op.f("ix_violations_obligation_id"), table_name="violations")
    op.drop_index(op.f("ix_violations_mission_id"), table_name="violations")
    op.drop_index(op.f("ix_violations_label_id"), table_name="violations")
    op.drop_table("violations")
    op.drop_index(op.f("ix_obligations_label_id"), table_name="obligations")
    op.drop_index(op.f("ix_obligations_agreement_id"), table_name="obligations")
    op.drop_table("obligations")
    op.drop_index(op.f("ix_agreements_mission_id"), table_name="agreements")
    op.drop_index(op.f("ix_agreements_label_id"), table_name="agreements")
    op.drop_table("agreements")
    op.drop_table("compliance_runs")
