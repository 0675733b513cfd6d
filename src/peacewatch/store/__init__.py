"""The store: tables, migrations, the label filter and the repositories for SQLite and PostGIS."""

from peacewatch.store.engine import Store, open_store

__all__ = ["Store", "open_store"]
