"""CSV exports: ACLED-like columns for analysts, HXL-tagged for humanitarian partners."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import orjson

from peacewatch.exports.plan import Plan
from peacewatch.ingest.kinds import REPORT_KINDS

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "latitude",
    "longitude", "geo_precision", "time_precision", "source", "notes", "fatalities",
    "admiralty", "title", "label", "kind",
)  # fmt: skip

# (human header, HXL hashtag, how to read it from a report's properties)
HXL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Event ID", "#event+id"),
    ("Event type", "#event+type"),
    ("Title", "#event+name"),
    ("Date", "#date+occurred"),
    ("Latitude", "#geo+lat"),
    ("Longitude", "#geo+lon"),
    ("Sector", "#adm1+name"),
    ("Party", "#group+party"),
    ("Source", "#org"),
    ("Killed", "#affected+killed"),
    ("Admiralty grade", "#meta+grade"),
    ("Description", "#description"),
    ("Label", "#meta+label"),
)

# A cell a spreadsheet would run as a formula (CSV injection): free text starting so is
# prefixed with an apostrophe, as OWASP advises. Numbers and codes are never touched.
_FORMULA_START = frozenset("=+-@\t\r")


def _safe(text: Any) -> str:
    if not text:
        return ""
    value = text if isinstance(text, str) else str(text)
    return "'" + value if value[0] in _FORMULA_START else value


def _attribute(stored: str | dict[str, Any] | None, key: str) -> Any:
    """One attribute of a report's attributes: JSON text on SQLite (parsed only when the key
    is in it), already a dict from PostgreSQL's driver."""
    if not stored:
        return ""
    if isinstance(stored, str):
        if f'"{key}"' not in stored:
            return ""
        stored = orjson.loads(stored)
    attributes = stored
    value = attributes.get(key) if isinstance(attributes, dict) else None
    return "" if value is None else value


def _stream(plan: Plan, header_rows: list[list[str]], row: Any) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(header_rows)
    yield buffer.getvalue().encode()
    for page in plan.rows():
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(map(row, page))
        yield buffer.getvalue().encode()


# A row of Plan.rows(): store.reports.TABLE_COLUMNS, then the report's id and label.
Row = tuple[Any, ...]


def _acled_row(r: Row) -> list[Any]:
    (observed, kind, lon, lat, loc_precision, time_precision, party, source, text, attributes,
     grade, title, uuid, label) = r  # fmt: skip
    info = REPORT_KINDS.get(kind)
    event_type, sub_event_type = (info.event_type, info.sub_event_type) if info else ("", "")
    return [
        uuid, observed, event_type, sub_event_type, party or "", lat, lon, loc_precision or "",
        time_precision or "", _safe(source), _safe(text), _attribute(attributes, "fatalities"),
        grade or "", _safe(title), label, kind,
    ]  # fmt: skip


def write_csv(plan: Plan) -> Iterator[bytes]:
    """CSV with ACLED-like columns; ``event_date`` keeps the full UTC time of observation and
    ``kind`` the report kind, which ACLED's event and sub-event type name only loosely."""
    return _stream(plan, [list(ACLED_COLUMNS)], _acled_row)


def _hxl_row(r: Row) -> list[Any]:
    (observed, kind, lon, lat, _, _, party, source, text, attributes, grade, title, uuid,
     label) = r  # fmt: skip
    return [
        uuid, kind, _safe(title), observed, lat, lon, _safe(_attribute(attributes, "sector")),
        party or "", _safe(source), _attribute(attributes, "fatalities"), grade or "",
        _safe(text), label,
    ]  # fmt: skip


def write_hxl(plan: Plan) -> Iterator[bytes]:
    """HXL-tagged CSV: a row of human headers, the row of hashtags, then one row a report."""
    return _stream(plan, [[h for h, _ in HXL_COLUMNS], [t for _, t in HXL_COLUMNS]], _hxl_row)
