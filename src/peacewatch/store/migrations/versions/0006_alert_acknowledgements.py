"""Alert acknowledgements: who acknowledged a violation's alert, when, with an optional note.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from peacewatch.store.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on both backends (nullable columns: no table copy on SQLite).
    op.add_column("violations", sa.Column("acknowledged_by", sa.String(length=64), nullable=True))
    op.add_column("violations", sa.Column("acknowledged_at", UTCDateTime(), nullable=True))
    op.add_column("violations", sa.Column("acknowledged_note", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("violations", "acknowledged_note")
    op.drop_column("violations", "acknowledged_at")
    op.drop_column("violations", "acknowledged_by")
