"""GPX → reports (waypoints) and patrol tracks (tracks).

A waypoint is a report: ``time`` is the observed time, ``name`` the title, ``desc`` the text,
``src`` the source, ``type`` the kind when it is one (else a SPOT report, the type kept in
``attributes``); PeaceWatch's own ``<extensions>`` carry the other fields back. A track
(all its segments) is a patrol's recorded track; its points need times.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.ingest.kinds import kind_from
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


@dataclass
class GpxDocument:
    """What a GPX file holds: report items (waypoints) and patrols (tracks)."""

    items: list[Item] = field(default_factory=list)
    patrols: list[dict[str, Any]] = field(default_factory=list)


def parse_gpx(data: bytes, *, mission: str) -> GpxDocument:
    """Waypoints as items for the pipeline and tracks as patrols of ``mission``."""
    root = parse_xml(data, "GPX")
    if local(root) != "gpx":
        raise ValidationFailed(
            f"a GPX document is expected, not <{local(root)}>",
            [FieldProblem("file", "the root element must be <gpx>")],
        )
    doc = GpxDocument()
    for index, wpt in enumerate(c for c in root if local(c) == "wpt"):
        doc.items.append(_waypoint(index, wpt))
    for index, trk in enumerate(c for c in root if local(c) == "trk"):
        doc.patrols.append(_track(index, trk, mission))
    return doc


def gpx_items(data: bytes) -> Iterator[Item]:
    """The waypoints of a GPX file as report items (its tracks are read by ``parse_gpx``)."""
    return iter(parse_gpx(data, mission="").items)


def _extensions(element: Element) -> dict[str, str]:
    ext = child(element, "extensions")
    if ext is None:
        return {}
    return {local(e): (e.text or "").strip() for e in ext.iter() if e is not ext and len(e) == 0}


def _waypoint(index: int, wpt: Element) -> Item:
    name = text_of(wpt, "name")
    ref = f"waypoint {index}" + (f" ({name})" if name else "")
    if wpt.get("lat") is None or wpt.get("lon") is None:
        return Rejection(ref, [FieldProblem("lat", "a waypoint needs lat and lon attributes")])
    split = split_fields(_extensions(wpt), KNOWN_FIELDS, ref)
    if isinstance(split, FieldProblem):
        return Rejection(ref, [split])
    record, attributes = split
    record.update(lat=wpt.get("lat"), lon=wpt.get("lon"))
    for tag, key in (("time", "observed_at"), ("name", "title"), ("desc", "text")):
        found = text_of(wpt, tag)
        if found is not None:
            record.setdefault(key, found)
    if (source := text_of(wpt, "src")) is not None:
        record.setdefault("source", source)
    gpx_type = text_of(wpt, "type")
    if "kind" not in record:
        kind = kind_from(gpx_type) if gpx_type else None
        record["kind"] = kind or DEFAULT_KIND
        if gpx_type and kind is None:
            attributes["gpx_type"] = gpx_type
    if attributes:
        record["attributes"] = attributes
    if not record.get("id"):
        record["id"] = stable_id(
            "gpx", record["lon"], record["lat"], record.get("observed_at"), name
        )
    return ref, record


def _track(index: int, trk: Element, mission: str) -> dict[str, Any]:
    points: list[list[Any]] = [
        [_number(p.get("lon")), _number(p.get("lat")), text_of(p, "time")]
        for p in descendants(trk, "trkpt")
    ]
    name = text_of(trk, "name") or f"GPX track {index + 1}"
    times = [p[2] for p in points if p[2]]
    extensions = _extensions(trk)
    patrol: dict[str, Any] = {
        "uid": extensions.get("uid") or stable_id("gpx-track", name, json.dumps(points)),
        "name": name,
        "mission": mission,
        "start": times[0] if times else None,
        "end": times[-1] if times else None,
        "track": points,
        "status": "completed",
    }
    if extensions.get("label"):
        patrol["label"] = extensions["label"]
    return patrol


def _number(text: str | None) -> Any:
    """A coordinate as a float when it reads as one (else as given, for the check to name)."""
    try:
        return float(text) if text is not None else None
    except ValueError:
        return text
