"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import shapely
from sqlalchemy import DateTime, LargeBinary, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

# On SQLite a time is fixed-width text "YYYY-MM-DD HH:MM:SS.ffffff" (UTC), so that string
# comparison is time order and julianday() reads it.


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant: timestamptz on PostgreSQL, fixed-width text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(26))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("times must be timezone-aware datetimes")
        if dialect.name == "sqlite":
            return sqlite_time(value)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def sqlite_time(value: datetime) -> str:
    """The text form UTCDateTime stores on SQLite, for hand-written SQL (ingest's hot path)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # "+00:00" cut off rather than the tzinfo replaced first: half the cost on the TAK path.
    return value.isoformat(" ", "microseconds")[:-6]


class _PostGISGeometry(UserDefinedType[Any]):
    """PostGIS ``geometry(<type>, 4326)``, exchanged as hex EWKB."""

    cache_ok = True

    def __init__(self, geometry_type: str = "Geometry") -> None:
        self.geometry_type = geometry_type

    def get_col_spec(self, **kw: Any) -> str:
        return f"geometry({self.geometry_type}, 4326)"


class Geometry(TypeDecorator[Any]):
    """A shapely geometry in WGS 84 lon/lat: PostGIS geometry, or WKB in a BLOB on SQLite."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, geometry_type: str = "Geometry") -> None:
        super().__init__()
        self.geometry_type = geometry_type

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(_PostGISGeometry(self.geometry_type))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return shapely.to_wkb(shapely.set_srid(value, 4326), hex=True, include_srid=True)
        return shapely.to_wkb(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return shapely.from_wkb(value)
