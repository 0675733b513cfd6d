"""Choosing the adapter for a file by its name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select

from peacewatch.domain.labels import Viewer
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.ingest.csv_reports import csv_items
from peacewatch.ingest.geojson import geojson_items, parse_geojson
from peacewatch.ingest.gpx import gpx_items, parse_gpx
from peacewatch.ingest.hxl import hxl_items
from peacewatch.ingest.kml import kml_items
from peacewatch.ingest.pipeline import Item
from peacewatch.ingest.records import add_patrols
from peacewatch.store import Store
from peacewatch.store.label_filter import visible
from peacewatch.store.tables import patrols as patrol_table

FORMATS = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".csv": "csv",
    ".kml": "kml",
    ".gpx": "gpx",
    ".hxl": "hxl",
}
NAMES = ("geojson", "csv", "kml", "gpx", "hxl")


def detect_format(name: str) -> str:
    """The format of a file from its name ('x.hxl.csv' is HXL); anything else is refused."""
    if name.lower().endswith(".hxl.csv"):
        return "hxl"
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
    if fmt == "kml":
        return kml_items(data)
    if fmt == "gpx":
        return gpx_items(data)
    if fmt == "hxl":
        return hxl_items(data)
    raise ValidationFailed(
        f"unknown format {fmt!r}", [FieldProblem("format", f"must be one of {', '.join(NAMES)}")]
    )


def patrols_from_bytes(data: bytes, fmt: str, *, mission: str) -> list[dict[str, Any]]:
    """The patrols a file holds besides its reports: a GPX file's tracks (none elsewhere)."""
    return parse_gpx(data, mission=mission).patrols if fmt == "gpx" else []


def store_patrols(store: Store, *, viewer: Viewer, patrols: list[dict[str, Any]]) -> int:
    """Write patrols with their tracks (all validated before any is written); those already
    stored (same uid: a file sent again) are skipped. Returns how many were new."""
    uids = [str(p["uid"]) for p in patrols]
    with store.read() as conn:
        query = select(patrol_table.c.uid).where(
            patrol_table.c.uid.in_(uids), visible(patrol_table, viewer)
        )
        known = set(conn.execute(query).scalars())
    new = [p for p in patrols if str(p["uid"]) not in known]
    return len(add_patrols(store, viewer=viewer, items=new)) if new else 0
