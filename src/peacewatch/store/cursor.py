"""Opaque keyset cursors for paging lists in a stable order."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from peacewatch.errors import FieldProblem, ValidationFailed


def encode_cursor(at: datetime, row_id: int) -> str:
    """A cursor pointing just after the row ordered at (``at``, ``row_id``)."""
    raw = json.dumps([at.astimezone(UTC).isoformat(), row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position a cursor points after; a damaged cursor is a validation error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at_text, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        at = datetime.fromisoformat(at_text)
        if at.tzinfo is None or not isinstance(row_id, int) or not 0 <= row_id < 2**63:
            raise ValueError  # a row id beyond 64 bits would break the database driver
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        raise ValidationFailed(
            "the cursor is not one this server issued",
            [FieldProblem("cursor", "not a cursor issued by this server; start from page one")],
        ) from exc
    return at, row_id
