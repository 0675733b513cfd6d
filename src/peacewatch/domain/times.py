"""Times on the wire: RFC 3339 in UTC, ending in 'Z' (``1999-06-15T08:00:00Z``)."""

from __future__ import annotations

from datetime import UTC, datetime


def rfc3339(value: datetime | None) -> str | None:
    """RFC 3339 UTC text ending in 'Z' (None stays None)."""
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")
