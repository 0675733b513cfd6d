"""The one helper every single-row insert of the store uses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table


def insert_row(conn: Connection, table: Table, **values: Any) -> int:
    """Insert one row into ``table`` and return its new integer id."""
    key = conn.execute(table.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])
