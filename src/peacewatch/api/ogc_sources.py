"""The feature collections OGC API – Features offers, each read through the store's own
label-filtered list and item functions (no SQL of its own)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import shapely
from sqlalchemy import Connection

from peacewatch.api.ogc_params import BBox, Interval, decode_after, encode_after
from peacewatch.domain.labels import Viewer
from peacewatch.store import events as event_store
from peacewatch.store import reference
from peacewatch.store import reports as report_store
from peacewatch.store import units as unit_store
from peacewatch.store import violations as violation_store
from peacewatch.store import zones as zone_store
from peacewatch.store.extents import Extent, event_extents, violation_extents


@dataclass(frozen=True)
class Query:
    """What an items request asks for."""

    bbox: BBox | None
    interval: Interval | None
    limit: int
    cursor: str | None


@dataclass
class Items:
    """One page of features as GeoJSON text, their ids and labels, and what follows."""

    feature_json: list[str]
    ids: list[str]
    labels: list[str]
    next_cursor: str | None
    matched: int | None  # None where counting is not cheap (10^7 reports)


@dataclass(frozen=True)
class Source:
    """One collection: its metadata and how to read its pages, items and extents."""

    id: str
    title: str
    description: str
    items: Callable[[Connection, Viewer, Query], Items]
    item: Callable[[Connection, Viewer, str], dict[str, Any] | None]
    extents: Callable[[Connection, Viewer], list[Extent]]


def _page(features: list[dict[str, Any]], cursor: str | None, limit: int) -> Items:
    """Page ``features`` (all that match, already filtered) by feature id."""
    ordered = sorted(features, key=lambda f: str(f["id"]))
    after = ordered
    if cursor is not None:
        last = decode_after(cursor)
        after = [f for f in ordered if str(f["id"]) > last]
    page = after[:limit]
    more = len(after) > limit
    return Items(
        [orjson.dumps(f).decode() for f in page],
        [str(f["id"]) for f in page],
        [str(f["properties"]["label"]) for f in page],
        encode_after(str(page[-1]["id"])) if more and page else None,
        len(ordered),
    )


def _time(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


def _features(features: list[dict[str, Any]]) -> Items:
    return Items(
        [orjson.dumps(f).decode() for f in features],
        [str(f["id"]) for f in features],
        [str(f["properties"]["label"]) for f in features],
        None,
        None,
    )


def _by_label(
    features: list[dict[str, Any]], time_of: Callable[[dict[str, Any]], list[datetime | None]]
) -> list[Extent]:
    """One extent per label over features (bbox of their geometries, span of their times)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in features:
        if f.get("geometry"):
            groups.setdefault(str(f["properties"]["label"]), []).append(f)
    out = []
    for label, group in groups.items():
        shapes = shapely.from_geojson([orjson.dumps(f["geometry"]).decode() for f in group])
        bounds = shapely.bounds(shapes)
        box = (
            float(bounds[:, 0].min()),
            float(bounds[:, 1].min()),
            float(bounds[:, 2].max()),
            float(bounds[:, 3].max()),
        )
        starts, ends = zip(*(time_of(f) for f in group), strict=True)
        start = None if None in starts else min(t for t in starts if t is not None)
        end = None if None in ends else max(t for t in ends if t is not None)
        out.append(Extent(label, box, start, end))
    return out


# --- reports: the store's keyset pages; numberMatched left out (10^7 rows) ------------------


def _report_items(conn: Connection, viewer: Viewer, q: Query) -> Items:
    start, end = q.interval.half_open() if q.interval else (None, None)
    page = report_store.list_reports(
        conn, viewer=viewer, bbox=q.bbox, start=start, end=end, limit=q.limit, cursor=q.cursor
    )
    return Items(page.feature_json, page.ids, page.labels, page.next_cursor, None)


def _report(conn: Connection, viewer: Viewer, fid: str) -> dict[str, Any] | None:
    return report_store.get_report(conn, viewer=viewer, uuid=fid.lower())


def _mission_extents(conn: Connection, viewer: Viewer) -> list[Extent]:
    # Scanning 10^7 reports for their bounds is too slow for a metadata page: the areas of
    # responsibility and spans of the missions the viewer may see bound the reports instead.
    out = []
    for m in reference.list_missions(conn, viewer=viewer):
        x0, y0, x1, y1 = (float(v) for v in m["bbox"] or (-180, -90, 180, 90))
        out.append(Extent(m["label"], (x0, y0, x1, y1), _time(m["start"]), _time(m["end"])))
    return out


# --- violations: keyset pages from the store ------------------------------------------------


def _violation_items(conn: Connection, viewer: Viewer, q: Query) -> Items:
    start, end = q.interval.half_open() if q.interval else (None, None)
    body = violation_store.list_violations(
        conn, viewer=viewer, bbox=q.bbox, start=start, end=end, limit=q.limit, cursor=q.cursor
    )
    items = _features(body["features"])
    items.next_cursor = body["next_cursor"]
    return items


def _violation(conn: Connection, viewer: Viewer, fid: str) -> dict[str, Any] | None:
    return violation_store.get_violation(conn, viewer=viewer, uuid=fid.lower())


def _violation_extents(conn: Connection, viewer: Viewer) -> list[Extent]:
    return violation_extents(conn, viewer=viewer)


# --- zones: few rows; time is each version's validity [valid_from, valid_to) ----------------


def _zone_validity(f: dict[str, Any]) -> list[datetime | None]:
    p = f["properties"]
    return [_time(p["valid_from"]), _time(p["valid_to"])]


def _zone_in(f: dict[str, Any], interval: Interval) -> bool:
    valid_from, valid_to = _zone_validity(f)
    if interval.end is not None and valid_from is not None and valid_from > interval.end:
        return False
    return not (interval.start is not None and valid_to is not None and valid_to <= interval.start)


def _zone_items(conn: Connection, viewer: Viewer, q: Query) -> Items:
    features = zone_store.list_zones(conn, viewer=viewer, bbox=q.bbox)
    if q.interval is not None:
        features = [f for f in features if _zone_in(f, q.interval)]
    return _page(features, q.cursor, q.limit)


def _zone(conn: Connection, viewer: Viewer, fid: str) -> dict[str, Any] | None:
    return zone_store.get_zone(conn, viewer=viewer, uid=fid)


def _zone_extents(conn: Connection, viewer: Viewer) -> list[Extent]:
    return _by_label(zone_store.list_zones(conn, viewer=viewer), _zone_validity)


# --- units: each at its latest visible position (at the end of the interval) ----------------


def _position_at(f: dict[str, Any]) -> list[datetime | None]:
    t = _time(f["properties"]["position_at"])
    return [t, t]


def _unit_items(conn: Connection, viewer: Viewer, q: Query) -> Items:
    iv = q.interval
    features = unit_store.list_units(conn, viewer=viewer, at=iv.end if iv else None, bbox=q.bbox)
    if iv is not None:
        # An instant asks where each unit stood then: its latest position at or before it.
        features = [
            f
            for f in features
            if (t := _position_at(f)[0]) is not None
            and (iv.instant or iv.start is None or t >= iv.start)
        ]
    return _page(features, q.cursor, q.limit)


def _unit(conn: Connection, viewer: Viewer, fid: str) -> dict[str, Any] | None:
    found = unit_store.list_units(conn, viewer=viewer, uid=fid)
    return found[0] if found else None


def _unit_extents(conn: Connection, viewer: Viewer) -> list[Extent]:
    return _by_label(unit_store.list_units(conn, viewer=viewer), _position_at)


# --- events: reports fused into what happened, paged by the store --------------------------


def _event_items(conn: Connection, viewer: Viewer, q: Query) -> Items:
    start, end = q.interval.half_open() if q.interval else (None, None)
    body = event_store.list_events(
        conn, viewer=viewer, bbox=q.bbox, start=start, end=end, limit=q.limit, cursor=q.cursor
    )
    items = _features(body["features"])
    items.next_cursor = body["next_cursor"]
    return items


def _event(conn: Connection, viewer: Viewer, fid: str) -> dict[str, Any] | None:
    return event_store.get_event(conn, viewer=viewer, uuid=fid.lower())


def _event_extents(conn: Connection, viewer: Viewer) -> list[Extent]:
    return event_extents(conn, viewer=viewer)


SOURCES: dict[str, Source] = {
    s.id: s
    for s in (
        Source(
            "zones",
            "Zones",
            "Sectors, safety zones and other areas of the agreements, one feature per version; "
            "datetime selects the versions valid in the interval.",
            _zone_items,
            _zone,
            _zone_extents,
        ),
        Source(
            "units",
            "Units",
            "Units of every side with their APP-6 symbol (sidc), each at its latest position; "
            "datetime gives each unit's latest position at or before the end of the interval "
            "(an instant: where the unit stood then), kept when it lies in the interval.",
            _unit_items,
            _unit,
            _unit_extents,
        ),
        Source(
            "reports",
            "Reports",
            "Field reports (SPOT, SALUTE, sightings, …) at their place; datetime selects by "
            "observed time. The extent is that of the missions' areas of responsibility.",
            _report_items,
            _report,
            _mission_extents,
        ),
        Source(
            "violations",
            "Violations",
            "Breaches of the agreements found by the compliance engine, with their state; "
            "datetime selects by observed time.",
            _violation_items,
            _violation,
            _violation_extents,
        ),
        Source(
            "events",
            "Events",
            "What happened, fused from one or more reports (corroboration), with report and "
            "source counts; datetime selects events whose span overlaps the interval.",
            _event_items,
            _event,
            _event_extents,
        ),
    )
}
