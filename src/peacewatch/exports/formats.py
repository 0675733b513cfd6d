"""The export formats: writer, media type and file extension of each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from peacewatch.exports.geojson import write_geojson
from peacewatch.exports.plan import Plan, record_export
from peacewatch.exports.tabular import write_csv, write_hxl
from peacewatch.exports.xml_formats import write_gpx, write_kml


@dataclass(frozen=True)
class Format:
    """One export format."""

    name: str
    media_type: str
    extension: str
    write: Callable[[Plan], Iterator[bytes]]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("geojson", "application/geo+json", "geojson", write_geojson),
        Format("csv", "text/csv; charset=utf-8", "csv", write_csv),
        Format("kml", "application/vnd.google-earth.kml+xml", "kml", write_kml),
        Format("gpx", "application/gpx+xml", "gpx", write_gpx),
        Format("hxl", "text/csv; charset=utf-8", "hxl.csv", write_hxl),
    )
}


def stream(plan: Plan, fmt: str) -> Iterator[bytes]:
    """The export's bytes as they are written; audited once the last byte is out (or, if the
    reader stops early, as incomplete with what had been written)."""
    complete = False
    try:
        yield from FORMATS[fmt].write(plan)
        complete = True
    finally:
        record_export(plan, fmt=fmt, outcome="ok" if complete else "incomplete")


def file_name(plan: Plan, fmt: str) -> str:
    """A download name saying what the file holds: mission, window and format."""
    parts = ["peacewatch-reports"]
    if plan.filters.mission:
        parts.append(plan.filters.mission.lower())
    if plan.filters.start:
        parts.append(plan.filters.start.strftime("%Y%m%dT%H%MZ"))
    if plan.filters.end:
        parts.append("to-" + plan.filters.end.strftime("%Y%m%dT%H%MZ"))
    safe = "-".join("".join(c for c in p if c.isalnum() or c in "-_") for p in parts)
    return f"{safe}.{FORMATS[fmt].extension}"
