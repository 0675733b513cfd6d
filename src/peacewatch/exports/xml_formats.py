"""KML and GPX exports, written with an XML writer (every text and attribute escaped) into a
buffer drained after each page."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

import orjson

from peacewatch.exports.plan import Plan

KML_NS = "http://www.opengis.net/kml/2.2"
GPX_NS = "http://www.topografix.com/GPX/1/1"
PW_NS = "urn:peacewatch:export:1"
# Report fields carried in KML ExtendedData and GPX extensions, so an import reads them back.
FIELDS = (
    "id", "kind", "observed_at", "reported_at", "mission", "party", "source", "grade",
    "location_precision", "time_precision", "label",
)  # fmt: skip
# Characters XML 1.0 cannot hold at all; user text is stripped of them rather than make the
# file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


class _Writer:
    """An XMLGenerator over a buffer that is handed out and emptied page by page."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.xml = XMLGenerator(self.buffer, encoding="utf-8", short_empty_elements=True)

    def drain(self) -> bytes:
        out = self.buffer.getvalue().encode()
        self.buffer.seek(0)
        self.buffer.truncate()
        return out

    def start(self, name: str, attrs: dict[str, str] | None = None) -> None:
        self.xml.startElement(name, AttributesImpl(attrs or {}))

    def end(self, name: str) -> None:
        self.xml.endElement(name)

    def leaf(self, name: str, text: Any, attrs: dict[str, str] | None = None) -> None:
        self.start(name, attrs)
        self.xml.characters(_text(text))
        self.end(name)


def _attributes(props: dict[str, Any]) -> str:
    attributes = props.get("attributes") or {}
    return orjson.dumps(attributes).decode() if attributes else ""


def write_kml(plan: Plan) -> Iterator[bytes]:
    """KML: a Document whose description is the export's label, one Placemark (Point) a report
    with the report's fields in ExtendedData."""
    w = _Writer()
    w.xml.startDocument()
    w.start("kml", {"xmlns": KML_NS})
    w.start("Document")
    w.leaf("name", "PeaceWatch reports")
    w.leaf("description", f"Classification: {plan.label.marking}")
    w.start("ExtendedData")
    w.start("Data", {"name": "label"})
    w.leaf("value", plan.label.marking)
    w.end("Data")
    w.end("ExtendedData")
    yield w.drain()
    for page in plan.pages():
        for p in plan.parse(page):
            lon, lat = p["_coordinates"]
            w.start("Placemark")
            w.leaf("name", p.get("title"))
            w.leaf("description", p.get("text"))
            w.start("TimeStamp")
            w.leaf("when", p["observed_at"])
            w.end("TimeStamp")
            w.start("ExtendedData")
            for name in FIELDS:
                if p.get(name) is not None:
                    w.start("Data", {"name": name})
                    w.leaf("value", p[name])
                    w.end("Data")
            if attributes := _attributes(p):
                w.start("Data", {"name": "attributes"})
                w.leaf("value", attributes)
                w.end("Data")
            w.end("ExtendedData")
            w.start("Point")
            w.leaf("coordinates", f"{lon!r},{lat!r}")
            w.end("Point")
            w.end("Placemark")
        yield w.drain()
    w.end("Document")
    w.end("kml")
    w.xml.endDocument()
    yield w.drain() + b"\n"


def write_gpx(plan: Plan) -> Iterator[bytes]:
    """GPX 1.1: the label in <metadata> (<desc> and <keywords>), one waypoint a report with
    the report's fields in PeaceWatch <extensions>."""
    w = _Writer()
    w.xml.startDocument()
    w.start("gpx", {"version": "1.1", "creator": "PeaceWatch", "xmlns": GPX_NS, "xmlns:pw": PW_NS})
    w.start("metadata")
    w.leaf("name", "PeaceWatch reports")
    w.leaf("desc", f"Classification: {plan.label.marking}")
    w.leaf("keywords", plan.label.marking)
    w.end("metadata")
    yield w.drain()
    for page in plan.pages():
        for p in plan.parse(page):
            lon, lat = p["_coordinates"]
            w.start("wpt", {"lat": repr(float(lat)), "lon": repr(float(lon))})
            w.leaf("time", p["observed_at"])
            w.leaf("name", p.get("title"))
            if p.get("text"):
                w.leaf("desc", p["text"])
            if p.get("source"):
                w.leaf("src", p["source"])
            w.leaf("type", p["kind"])
            w.start("extensions")
            for name in FIELDS:
                if p.get(name) is not None:
                    w.leaf(f"pw:{name}", p[name])
            if attributes := _attributes(p):
                w.leaf("pw:attributes", attributes)
            w.end("extensions")
            w.end("wpt")
        yield w.drain()
    w.end("gpx")
    w.xml.endDocument()
    yield w.drain() + b"\n"
