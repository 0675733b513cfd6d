"""Report corrections: a version number on reports and the history of superseded versions.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from peacewatch.store.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on both backends: a batch (copy-and-move) of ``reports`` on SQLite
    # would drop the R*Tree's triggers with the old table.
    op.add_column("reports", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "report_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("correction_uuid", sa.String(length=36), nullable=False, unique=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("label_id", sa.Integer(), sa.ForeignKey("labels.id"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("report_id", "version", name="uq_report_versions_report_id"),
    )


def downgrade() -> None:
    op.drop_table("report_versions")
    op.drop_column("reports", "version")  # SQLite >= 3.35 drops a plain column in place
