"""Drop ix_events_observed: its one column, first observed, is the leading column of
ix_events_span (0012), which serves every query it served; each event write kept both.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_events_observed", table_name="events")


def downgrade() -> None:
    op.create_index("ix_events_observed", "events", ["first_observed_at"], unique=False)
