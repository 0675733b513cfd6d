"""Patrol plans: routes or areas, schedules and units, and what was done against them.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from peacewatch.store.types import Geometry, UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new table only: plain DDL on both backends. What was done is matched on read (same
    # unit, overlapping time), so no link table is kept in step with patrols.
    op.create_table(
        "patrol_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("geometry", Geometry(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("end_at", UTCDateTime(), nullable=False),
        sa.Column("repeat_days", sa.String(length=16), nullable=True),
        sa.Column("repeat_until", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_patrol_plans_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_patrol_plans_mission_id_missions")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_patrol_plans_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_plans")),
        sa.UniqueConstraint("uid", name=op.f("uq_patrol_plans_uid")),
    )
    op.create_index("ix_patrol_plans_label_id", "patrol_plans", ["label_id"])
    op.create_index("ix_patrol_plans_mission_id", "patrol_plans", ["mission_id"])
    op.create_index("ix_patrol_plans_unit_id", "patrol_plans", ["unit_id"])
    op.create_index("ix_patrol_plans_start", "patrol_plans", ["start_at"])


def downgrade() -> None:
    op.drop_table("patrol_plans")
