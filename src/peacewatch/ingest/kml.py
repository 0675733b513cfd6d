"""KML placemarks (Points) → canonical report records.

Report fields are read from ExtendedData (``<Data name>`` or, as GDAL writes it,
``<SchemaData><SimpleData name>``); ``name`` is the title, ``description`` the text,
``TimeStamp/when`` the observed time. A placemark without an ``id`` gets one derived from its
content (so re-sending the file gives duplicates) and without a ``kind`` is a SPOT report.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.ingest.pipeline import Item, Rejection
from peacewatch.ingest.validate import KNOWN_FIELDS
from peacewatch.ingest.xml_safe import (
    child,
    descendants,
    local,
    parse_xml,
    split_fields,
    stable_id,
    text_of,
)

DEFAULT_KIND = "spot"
_GEOMETRIES = ("Point", "LineString", "LinearRing", "Polygon", "MultiGeometry", "Model", "Track")


def kml_items(data: bytes) -> Iterator[Item]:
    """One item per Placemark; a file that is not KML is refused before anything is read."""
    root = parse_xml(data, "KML")
    if local(root) != "kml":
        raise ValidationFailed(
            f"a KML document is expected, not <{local(root)}>",
            [FieldProblem("file", "the root element must be <kml>")],
        )
    return (_placemark(i, p) for i, p in enumerate(descendants(root, "Placemark")))


def _extended(placemark: Element) -> dict[str, str]:
    out: dict[str, str] = {}
    extended = child(placemark, "ExtendedData")
    if extended is None:
        return out
    for data in descendants(extended, "Data"):
        if data.get("name"):
            out[str(data.get("name"))] = (text_of(data, "value") or "").strip()
    for data in descendants(extended, "SimpleData"):
        if data.get("name"):
            out[str(data.get("name"))] = (data.text or "").strip()
    return out


def _placemark(index: int, placemark: Element) -> Item:
    name = text_of(placemark, "name")
    ref = f"placemark {index}" + (f" ({name})" if name else "")
    shapes = [c for c in placemark if local(c) in _GEOMETRIES]
    if not shapes or local(shapes[0]) != "Point":
        kind = local(shapes[0]) if shapes else "no geometry"
        return Rejection(ref, [FieldProblem("geometry", f"a report needs a Point, not {kind}")])
    coords = (text_of(shapes[0], "coordinates") or "").split(",")
    if len(coords) not in (2, 3):
        return Rejection(ref, [FieldProblem("coordinates", "must be 'lon,lat' or 'lon,lat,alt'")])
    split = split_fields(_extended(placemark), KNOWN_FIELDS, ref)
    if isinstance(split, FieldProblem):
        return Rejection(ref, [split])
    record, attributes = split
    record["lon"], record["lat"] = coords[0].strip(), coords[1].strip()
    when = _when(placemark)
    if when is not None:
        record.setdefault("observed_at", when)
    if name is not None:
        record.setdefault("title", name)
    description = text_of(placemark, "description")
    if description is not None:
        record.setdefault("text", description)
    record.setdefault("kind", DEFAULT_KIND)
    if attributes:
        record["attributes"] = attributes
    if not record.get("id"):
        record["id"] = stable_id("kml", record["lon"], record["lat"], when, name, description)
    return ref, record


def _when(placemark: Element) -> str | None:
    stamp = child(placemark, "TimeStamp")
    if stamp is not None:
        return text_of(stamp, "when")
    span = child(placemark, "TimeSpan")
    return text_of(span, "begin") if span is not None else None
