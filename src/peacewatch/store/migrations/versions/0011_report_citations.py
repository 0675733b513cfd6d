"""Citations of field reports: which SPOT/SALUTE reports a seizure or an item handed in was
filed from (seizure_reports, weapons_item_reports).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# (link table, its record's column, the record's table)
LINKS = (
    ("seizure_reports", "seizure_id", "seizures"),
    ("weapons_item_reports", "item_id", "weapons_items"),
)


def upgrade() -> None:
    # New tables only: plain CREATE TABLE and CREATE INDEX on both backends. A link carries no
    # label of its own: a reader sees it when they may see both the record and the report.
    for name, column, table in LINKS:
        op.create_table(
            name,
            sa.Column(
                column,
                sa.Integer(),
                sa.ForeignKey(
                    f"{table}.id", ondelete="CASCADE", name=f"fk_{name}_{column}_{table}"
                ),
                nullable=False,
            ),
            sa.Column(
                "report_id",
                sa.Integer(),
                sa.ForeignKey(
                    "reports.id", ondelete="CASCADE", name=f"fk_{name}_report_id_reports"
                ),
                nullable=False,
            ),
            sa.Column("seq", sa.SmallInteger(), nullable=False),
            sa.PrimaryKeyConstraint(column, "report_id", name=f"pk_{name}"),
        )
        # The reverse look-up (what cites this report?) starts from the report.
        op.create_index(f"ix_{name}_report", name, ["report_id"], unique=False)


def downgrade() -> None:
    for name, _, _ in reversed(LINKS):
        op.drop_table(name)  # its index goes with it
