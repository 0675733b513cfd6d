"""Humanitarian convoys: routes, cargo, agencies, escorts, tracking and deliveries.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from peacewatch.store.types import Geometry, UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _label_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("label_id", sa.Integer(), sa.ForeignKey("labels.id"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "convoys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(length=64), nullable=False, unique=True),
        sa.Column("mission_id", sa.Integer(), sa.ForeignKey("missions.id"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("agency", sa.Text(), nullable=False),
        sa.Column("escort_unit_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("tracking_unit_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("route", Geometry("LineString"), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("cargo", sa.JSON(), nullable=False),
        sa.Column("planned_departure", UTCDateTime(), nullable=False),
        sa.Column("planned_arrival", UTCDateTime(), nullable=False),
        sa.Column("departed_at", UTCDateTime(), nullable=True),
        sa.Column("arrived_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        *_label_columns(),
    )
    op.create_index("ix_convoys_mission_id", "convoys", ["mission_id"])
    op.create_index("ix_convoys_label_id", "convoys", ["label_id"])
    op.create_index("ix_convoys_status", "convoys", ["status"])
    op.create_table(
        "convoy_points",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "convoy_id",
            sa.Integer(),
            sa.ForeignKey("convoys.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("observed_at", UTCDateTime(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        *_label_columns(),
    )
    op.create_index("ix_convoy_points_convoy_time", "convoy_points", ["convoy_id", "observed_at"])
    op.create_table(
        "convoy_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(length=64), nullable=False, unique=True),
        sa.Column(
            "convoy_id",
            sa.Integer(),
            sa.ForeignKey("convoys.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("adm1", sa.Text(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=False),
        sa.Column("sector", sa.Text(), nullable=False),
        sa.Column("cargo", sa.JSON(), nullable=False),
        sa.Column("beneficiaries", sa.Integer(), nullable=False),
        *_label_columns(),
    )
    op.create_index("ix_convoy_deliveries_convoy", "convoy_deliveries", ["convoy_id"])
    op.create_table(
        "convoy_alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "convoy_id",
            sa.Integer(),
            sa.ForeignKey("convoys.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column(
            "violation_id",
            sa.Integer(),
            sa.ForeignKey("violations.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("observed_at", UTCDateTime(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        *_label_columns(),
    )
    op.create_index("ix_convoy_alerts_convoy", "convoy_alerts", ["convoy_id", "id"])


def downgrade() -> None:
    op.drop_table("convoy_alerts")
    op.drop_table("convoy_deliveries")
    op.drop_table("convoy_points")
    op.drop_table("convoys")
