"""Alembic migrations of the PeaceWatch store."""
