"""Partners, exercises and accession support: partner nations' status, goals and reforms,
exercises, multinational units.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from peacewatch.store.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Every table here is labelled; each gets an index on label_id (the label filter's column).
TABLES = (
    "partner_statuses",
    "partner_goals",
    "goal_milestones",
    "goal_evidence",
    "exercises",
    "exercise_objectives",
    "multinational_units",
    "unit_contributions",
)


def _labelled() -> list[sa.Column[object]]:
    return [
        sa.Column("label_id", sa.Integer(), sa.ForeignKey("labels.id"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    ]


def _nation(name: str = "nation", *, index: bool = False) -> sa.Column[object]:
    return sa.Column(
        name, sa.String(length=16), sa.ForeignKey("nations.code"), nullable=False, index=index
    )


def _parent(name: str, table: str) -> sa.Column[object]:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "partner_statuses",
        sa.Column("id", sa.Integer(), primary_key=True),
        _nation(),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        *_labelled(),
        sa.UniqueConstraint("nation", "status", "since", name="uq_partner_statuses_change"),
    )
    op.create_table(
        "partner_goals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(length=64), nullable=False, unique=True),
        _nation(index=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("progress", sa.SmallInteger(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        *_labelled(),
    )
    op.create_table(
        "goal_milestones",
        sa.Column("id", sa.Integer(), primary_key=True),
        _parent("goal_id", "partner_goals"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("planned_at", UTCDateTime(), nullable=False),
        sa.Column("achieved_at", UTCDateTime(), nullable=True),
        *_labelled(),
        sa.UniqueConstraint("goal_id", "number", name="uq_goal_milestones_goal_number"),
    )
    op.create_table(
        "goal_evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        _parent("goal_id", "partner_goals"),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("dated_at", UTCDateTime(), nullable=False),
        *_labelled(),
    )
    op.create_index("ix_goal_evidence_goal", "goal_evidence", ["goal_id"], unique=False)
    op.create_table(
        "exercises",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(length=64), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("end_at", UTCDateTime(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        *_labelled(),
    )
    op.create_index("ix_exercises_start", "exercises", ["start_at"], unique=False)
    op.create_table(
        "exercise_objectives",
        sa.Column("id", sa.Integer(), primary_key=True),
        _parent("exercise_id", "exercises"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("assessed_by", sa.String(length=64), nullable=True),
        sa.Column("assessed_at", UTCDateTime(), nullable=True),
        *_labelled(),
        sa.UniqueConstraint("exercise_id", "number", name="uq_exercise_objectives_exercise_number"),
    )
    op.create_table(
        "multinational_units",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(length=64), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("hq", sa.Text(), nullable=True),
        sa.Column("formed_at", UTCDateTime(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        *_labelled(),
    )
    op.create_table(
        "unit_contributions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _parent("unit_id", "multinational_units"),
        _nation(),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("from_at", UTCDateTime(), nullable=False),
        sa.Column("to_at", UTCDateTime(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        *_labelled(),
    )
    op.create_index("ix_unit_contributions_unit", "unit_contributions", ["unit_id"], unique=False)
    for table in TABLES:
        op.create_index(f"ix_{table}_label_id", table, ["label_id"], unique=False)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)  # its indexes go with it
