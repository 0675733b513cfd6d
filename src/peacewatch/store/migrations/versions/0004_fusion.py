"""Sources and grade history, fused events' counts and credibility, analysts' decisions.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from peacewatch.store.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _labelled() -> list[sa.Column[object]]:
    return [
        sa.Column("label_id", sa.Integer(), sa.ForeignKey("labels.id"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("report_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("source_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("credibility", sa.SmallInteger(), nullable=False, server_default="6")
        )
        batch.add_column(sa.Column("locked", sa.Boolean(), nullable=False, server_default="0"))
    op.create_index("ix_events_last_observed", "events", ["last_observed_at"], unique=False)
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=64), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reliability", sa.String(length=1), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        *_labelled(),
    )
    op.create_index("ix_sources_label_id", "sources", ["label_id"], unique=False)
    op.create_table(
        "grade_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey("sources.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("previous", sa.String(length=2), nullable=True),
        sa.Column("grade", sa.String(length=2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_labelled(),
    )
    op.create_index("ix_grade_changes_source", "grade_changes", ["source_id"], unique=False)
    op.create_index("ix_grade_changes_report", "grade_changes", ["report_id"], unique=False)
    op.create_table(
        "fusion_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("reports", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_labelled(),
    )
    op.create_index("ix_fusion_decisions_label_id", "fusion_decisions", ["label_id"], unique=False)
    op.create_table(
        "fusion_pins",
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column(
            "decision_id", sa.Integer(), sa.ForeignKey("fusion_decisions.id"), nullable=False
        ),
    )
    op.create_index("ix_fusion_pins_event", "fusion_pins", ["event_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_fusion_pins_event", table_name="fusion_pins")
    op.drop_table("fusion_pins")
    op.drop_index("ix_fusion_decisions_label_id", table_name="fusion_decisions")
    op.drop_table("fusion_decisions")
    op.drop_index("ix_grade_changes_report", table_name="grade_changes")
    op.drop_index("ix_grade_changes_source", table_name="grade_changes")
    op.drop_table("grade_changes")
    op.drop_index("ix_sources_label_id", table_name="sources")
    op.drop_table("sources")
    op.drop_index("ix_events_last_observed", table_name="events")
    with op.batch_alter_table("events") as batch:
        for name in ("locked", "credibility", "source_count", "report_count"):
            batch.drop_column(name)
