"""CSV exports: ACLED-like columns for analysts, HXL-tagged for humanitarian partners."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from peacewatch.exports.plan import Plan
from peacewatch.ingest.kinds import REPORT_KINDS

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "latitude",
    "longitude", "geo_precision", "time_precision", "source", "notes", "fatalities",
    "admiralty", "title", "label",
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
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: Any) -> str:
    if text is None:
        return ""
    value = str(text)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _fatalities(props: dict[str, Any]) -> Any:
    attributes = props.get("attributes") or {}
    value = attributes.get("fatalities") if isinstance(attributes, dict) else None
    return "" if value is None else value


def _sector(props: dict[str, Any]) -> str:
    attributes = props.get("attributes") or {}
    value = attributes.get("sector") if isinstance(attributes, dict) else None
    return _safe(value)


def _stream(plan: Plan, header_rows: list[list[str]], row: Any) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(header_rows)
    yield buffer.getvalue().encode()
    for page in plan.pages():
        buffer.seek(0)
        buffer.truncate()
        for props in plan.parse(page):
            writer.writerow(row(props))
        yield buffer.getvalue().encode()


def _acled_row(p: dict[str, Any]) -> list[Any]:
    kind = p["kind"]
    title, event_type = REPORT_KINDS.get(kind, (kind, ""))
    lon, lat = p["_coordinates"]
    return [
        p["id"], p["observed_at"], event_type, title, p.get("party") or "", lat, lon,
        p.get("location_precision") or "", p.get("time_precision") or "",
        _safe(p.get("source")), _safe(p.get("text")), _fatalities(p), p.get("grade") or "",
        _safe(p.get("title")), p["label"],
    ]  # fmt: skip


def write_csv(plan: Plan) -> Iterator[bytes]:
    """CSV with ACLED-like columns; ``event_date`` keeps the full UTC time of observation."""
    return _stream(plan, [list(ACLED_COLUMNS)], _acled_row)


def _hxl_row(p: dict[str, Any]) -> list[Any]:
    lon, lat = p["_coordinates"]
    return [
        p["id"], p["kind"], _safe(p.get("title")), p["observed_at"], lat, lon, _sector(p),
        p.get("party") or "", _safe(p.get("source")), _fatalities(p), p.get("grade") or "",
        _safe(p.get("text")), p["label"],
    ]  # fmt: skip


def write_hxl(plan: Plan) -> Iterator[bytes]:
    """HXL-tagged CSV: a row of human headers, the row of hashtags, then one row a report."""
    return _stream(plan, [[h for h, _ in HXL_COLUMNS], [t for _, t in HXL_COLUMNS]], _hxl_row)
