"""Weapons collection (DDR) and counter-trafficking: collection points, campaigns, items
handed in with their chain of custody; seizures with their route information.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from peacewatch.store.types import Geometry, UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _labelled() -> list[Any]:
    return [
        sa.Column("label_id", sa.Integer(), sa.ForeignKey("labels.id"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    ]


def _mission() -> sa.Column[Any]:
    return sa.Column("mission_id", sa.Integer(), sa.ForeignKey("missions.id"), nullable=False)


def upgrade() -> None:
    # New tables only: plain CREATE TABLE and CREATE INDEX on both backends.
    op.create_table(
        "weapons_points",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(length=64), nullable=False, unique=True),
        _mission(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("geometry", Geometry(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        *_labelled(),
    )
    op.create_table(
        "weapons_campaigns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=64), nullable=False, unique=True),
        _mission(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("end_at", UTCDateTime(), nullable=True),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("reported", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        *_labelled(),
    )
    op.create_table(
        "weapons_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(length=64), nullable=False, unique=True),
        sa.Column(
            "campaign_id", sa.Integer(), sa.ForeignKey("weapons_campaigns.id"), nullable=False
        ),
        sa.Column("point_id", sa.Integer(), sa.ForeignKey("weapons_points.id"), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("calibre", sa.String(length=32), nullable=True),
        sa.Column("serial", sa.String(length=64), nullable=True),
        sa.Column("serial_norm", sa.String(length=64), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("collected_at", UTCDateTime(), nullable=False),
        sa.Column("custody_state", sa.String(length=16), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        *_labelled(),
    )
    op.create_table(
        "weapons_custody",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey("weapons_items.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_labelled(),
        sa.UniqueConstraint("item_id", "seq", name="uq_weapons_custody_item_seq"),
    )
    op.create_table(
        "seizures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(length=64), nullable=False, unique=True),
        _mission(),
        sa.Column("seized_at", UTCDateTime(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=True),
        sa.Column("crossing", sa.Text(), nullable=True),
        sa.Column("destination", sa.Text(), nullable=True),
        sa.Column("route", sa.JSON(), nullable=False),
        sa.Column("chain", sa.String(length=64), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        *_labelled(),
    )
    for table in ("weapons_points", "weapons_campaigns", "seizures"):
        op.create_index(f"ix_{table}_mission_id", table, ["mission_id"])
    for table in ("weapons_points", "weapons_campaigns", "weapons_items", "seizures"):
        op.create_index(f"ix_{table}_label_id", table, ["label_id"])
    op.create_index("ix_weapons_items_serial", "weapons_items", ["category", "serial_norm"])
    op.create_index("ix_weapons_items_campaign", "weapons_items", ["campaign_id", "collected_at"])
    op.create_index("ix_seizures_seized", "seizures", ["seized_at"])
    op.create_index("ix_seizures_chain", "seizures", ["chain"])


def downgrade() -> None:
    for table in ("seizures", "weapons_custody", "weapons_items", "weapons_campaigns"):
        op.drop_table(table)
    op.drop_table("weapons_points")
