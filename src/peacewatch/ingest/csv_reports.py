"""CSV of reports (ACLED-like columns) → canonical report records."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.ingest.kinds import REPORT_KINDS, kind_from
from peacewatch.ingest.pipeline import Item
from peacewatch.ingest.validate import KNOWN_FIELDS

# Column names other tools use for our fields.
ALIASES = {
    "uuid": "id",
    "longitude": "lon",
    "lng": "lon",
    "latitude": "lat",
    "event_type": "kind",
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
    missing = [c for c in REQUIRED if c not in header]
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
    kind = record.get("kind")
    if isinstance(kind, str) and kind not in REPORT_KINDS:
        # ACLED's event_type is broader than a kind ("Battles"); its sub_event_type names one.
        found = kind_from(kind) or kind_from(str(attributes.get("sub_event_type", "")))
        if found is not None:
            record["kind"] = found
            attributes.pop("sub_event_type", None)
    if attributes:
        record["attributes"] = attributes
    return record
