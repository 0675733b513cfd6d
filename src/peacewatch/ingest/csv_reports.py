"""CSV of reports (ACLED-like columns) → canonical report records."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.ingest.kinds import REPORT_KINDS, kind_from, kind_from_acled
from peacewatch.ingest.pipeline import Item
from peacewatch.ingest.validate import KNOWN_FIELDS

# Column names other tools use for our fields.
ALIASES = {
    "uuid": "id",
    "longitude": "lon",
    "lng": "lon",
    "latitude": "lat",
    "date": "observed_at",
    "event_date": "observed_at",
    "geo_precision": "location_precision",
    "notes": "text",
    "location": "place",
    "marking": "label",
    "event_id_cnty": "id",
    "actor1": "party",
    "admiralty": "grade",
}
REQUIRED = ("id", "kind", "observed_at")
# ACLED names the kind by its event and sub-event type; our own export adds a ``kind`` column.
ACLED_TYPES = ("event_type", "sub_event_type")


def csv_items(data: bytes | str) -> Iterator[Item]:
    """One item per data line; unknown columns land in the report's ``attributes``.

    The header is checked at once, so a file without the required columns is refused
    before anything is written.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(
                "the CSV file is not UTF-8 text",
                [FieldProblem("file", f"not UTF-8 at byte {exc.start}")],
            ) from None
    reader = csv.DictReader(io.StringIO(data, newline=""))
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in reader.fieldnames or []]
    missing = [
        c for c in REQUIRED if c not in header and not (c == "kind" and "event_type" in header)
    ]
    if missing:
        raise ValidationFailed(
            f"the CSV header lacks {', '.join(missing)}",
            [FieldProblem(c, "required column is missing from the header") for c in missing],
        )
    reader.fieldnames = header
    return _rows(reader)


def _rows(reader: csv.DictReader[str]) -> Iterator[Item]:
    try:
        for row in reader:
            yield f"line {reader.line_num}", _record(row)
    except csv.Error as exc:
        raise ValidationFailed(
            f"the CSV file is malformed at line {reader.line_num}",
            [FieldProblem("file", f"line {reader.line_num}: {exc}")],
        ) from None


def _record(row: dict[str | None, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    classification = row.pop("classification", None)
    releasable = row.pop("releasable_to", None)
    for key, value in row.items():
        if key is None:  # more cells than header columns
            attributes["_extra"] = value
            continue
        if value is None or value == "":
            continue
        if key in KNOWN_FIELDS:
            record[key] = value
        else:
            attributes[key] = value
    if classification and not record.get("label"):
        record["label"] = f"{classification} REL TO {releasable}" if releasable else classification
    _resolve_kind(record, attributes)
    if attributes:
        record["attributes"] = attributes
    return record


def _resolve_kind(record: dict[str, Any], attributes: dict[str, Any]) -> None:
    """Name the kind from ``kind`` or ACLED's types, dropping types that only restate it."""
    event_type, sub_event_type = (str(attributes.get(name, "")) for name in ACLED_TYPES)
    kind = record.get("kind")
    if not kind and event_type:
        # An ACLED file names no kind; an older export of ours put its title in sub_event_type.
        kind = (
            kind_from(sub_event_type) or kind_from_acled(event_type, sub_event_type) or event_type
        )
    if isinstance(kind, str) and kind not in REPORT_KINDS:
        kind = kind_from(kind) or kind
    if kind:
        record["kind"] = kind
    info = REPORT_KINDS.get(kind) if isinstance(kind, str) else None
    if info is None:
        return
    for name, ours in zip(ACLED_TYPES, (info.event_type, info.sub_event_type), strict=True):
        if attributes.get(name) in (ours, info.title):
            del attributes[name]
