"""Choosing the adapter for a file by its name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.ingest.csv_reports import csv_items
from peacewatch.ingest.geojson import geojson_items, parse_geojson
from peacewatch.ingest.pipeline import Item

FORMATS = {".geojson": "geojson", ".json": "geojson", ".csv": "csv"}


def detect_format(name: str) -> str:
    """'geojson' or 'csv' from a file name; anything else is refused."""
    fmt = FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        raise ValidationFailed(
            f"cannot tell the format of {name!r}",
            [FieldProblem("file", f"use one of {', '.join(sorted(FORMATS))} (or pass --format)")],
        )
    return fmt


def items_from_bytes(data: bytes, fmt: str) -> Iterator[Item]:
    """Parse ``data`` in format ``fmt``; whole-file problems raise before anything is read."""
    if fmt == "geojson":
        return geojson_items(parse_geojson(data))
    if fmt == "csv":
        return csv_items(data)
    raise ValidationFailed(
        f"unknown format {fmt!r}", [FieldProblem("format", "must be 'geojson' or 'csv'")]
    )
