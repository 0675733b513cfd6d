"""Fused events: label-filtered reads (a GeoJSON page, one event with the reports the viewer
may see). An event's label is the most restrictive of its reports', so a visible event never
rests on a report its viewer may not see; its reports are still filtered one by one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from peacewatch.domain.labels import Viewer
from peacewatch.domain.times import rfc3339
from peacewatch.store.cursor import decode_cursor, encode_cursor
from peacewatch.store.label_filter import visible
from peacewatch.store.reports import feature_collection
from peacewatch.store.tables import event_reports, events, fusion_pins, labels, missions, reports

BBox = tuple[float, float, float, float]
PROPERTIES = (
    "kind", "title", "first_observed_at", "last_observed_at", "report_count", "source_count",
    "credibility", "locked", "mission", "label",
)  # fmt: skip
REPORT_PROPERTIES = ("kind", "title", "observed_at", "source", "grade", "label", "pinned")


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return rfc3339(value)
    return value


def _columns() -> tuple[Any, ...]:
    return (events, labels.c.marking.label("label"), missions.c.code.label("mission"))


def _from() -> Any:
    return events.join(labels, labels.c.id == events.c.label_id).join(
        missions, missions.c.id == events.c.mission_id
    )


def _feature(row: Any) -> dict[str, Any]:
    """An event row as a GeoJSON Point Feature."""
    return {
        "type": "Feature",
        "id": row.uuid,
        "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
        "properties": {"id": row.uuid, **{k: _json(getattr(row, k)) for k in PROPERTIES}},
    }


def _where(
    viewer: Viewer,
    *,
    bbox: BBox | None,
    start: datetime | None,
    end: datetime | None,
    kind: list[str] | None,
    mission: str | None,
) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = [visible(events, viewer)]
    if bbox is not None:
        out += [events.c.lon >= bbox[0], events.c.lat >= bbox[1]]
        out += [events.c.lon <= bbox[2], events.c.lat <= bbox[3]]
    # Events that overlap the window, as ids found in the (first, last) index alone: written as
    # plain conditions, SQLite took the label index and read every event (issue 6: 111 -> ~30 ms
    # for the map's first window on the medium scenario).
    by_span = events.alias("by_span")
    span: list[ColumnElement[bool]] = []
    if start is not None:
        span.append(by_span.c.last_observed_at >= start)
    if end is not None:
        span.append(by_span.c.first_observed_at < end)
    if span:
        out.append(events.c.id.in_(select(by_span.c.id).where(*span)))
    if kind:
        out.append(events.c.kind.in_(kind))
    if mission is not None:
        out.append(missions.c.code == mission)
    return out


def list_events(
    conn: Connection,
    *,
    viewer: Viewer,
    bbox: BBox | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    kind: list[str] | None = None,
    mission: str | None = None,
    limit: int = 1000,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Events ``viewer`` may see as a FeatureCollection page in (first observed, id) order."""
    query = select(*_columns()).select_from(_from())
    query = query.where(
        *_where(viewer, bbox=bbox, start=start, end=end, kind=kind, mission=mission)
    )
    if cursor is not None:
        after_t, after_id = decode_cursor(cursor)
        first = events.c.first_observed_at
        query = query.where(or_(first > after_t, and_(first == after_t, events.c.id > after_id)))
    query = query.order_by(events.c.first_observed_at, events.c.id).limit(limit + 1)
    rows = conn.execute(query).all()
    more, rows = len(rows) > limit, rows[:limit]
    last = rows[-1] if rows else None
    next_cursor = encode_cursor(last.first_observed_at, last.id) if more and last else None
    return {**feature_collection([_feature(r) for r in rows]), "next_cursor": next_cursor}


def get_event(conn: Connection, *, viewer: Viewer, uuid: str) -> dict[str, Any] | None:
    """One event with the reports ``viewer`` may see, or None when it is not visible."""
    query = select(*_columns()).select_from(_from())
    row = conn.execute(query.where(events.c.uuid == uuid, visible(events, viewer))).first()
    if row is None:
        return None
    feature = _feature(row)
    feature["reports"] = event_report_list(conn, viewer=viewer, event_id=int(row.id))
    return feature


def event_report_list(conn: Connection, *, viewer: Viewer, event_id: int) -> list[dict[str, Any]]:
    """The reports of an event that ``viewer`` may see, oldest first."""
    query = (
        select(
            reports.c.uuid, reports.c.kind, reports.c.title, reports.c.observed_at,
            reports.c.source, reports.c.grade, reports.c.lon, reports.c.lat,
            labels.c.marking.label("label"),
            (fusion_pins.c.report_id.is_not(None)).label("pinned"),
        )
        .select_from(
            event_reports.join(reports, reports.c.id == event_reports.c.report_id)
            .join(labels, labels.c.id == reports.c.label_id)
            .outerjoin(fusion_pins, fusion_pins.c.report_id == reports.c.id)
        )
        .where(event_reports.c.event_id == event_id, visible(reports, viewer))
        .order_by(reports.c.observed_at, reports.c.id)
    )  # fmt: skip
    return [
        {
            "id": r.uuid,
            "lon": r.lon,
            "lat": r.lat,
            **{k: _json(getattr(r, k)) for k in REPORT_PROPERTIES},
        }
        for r in conn.execute(query)
    ]


def event_ids(conn: Connection, *, viewer: Viewer, uuids: list[str]) -> dict[str, Any]:
    """Rows (id, uuid, mission_id, locked, label_id) of the visible events among ``uuids``."""
    query = select(
        events.c.id, events.c.uuid, events.c.mission_id, events.c.locked, events.c.label_id
    ).where(events.c.uuid.in_(uuids), visible(events, viewer))
    return {row.uuid: row for row in conn.execute(query)}


def events_of_reports(
    conn: Connection, *, viewer: Viewer, report_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """The visible events that hold any of the report rows ``report_ids``, as Features: what
    the live feed sends after new reports, as fusion placed them in the same transaction."""
    if not report_ids:
        return []
    held = select(event_reports.c.event_id).where(event_reports.c.report_id.in_(report_ids))
    query = select(*_columns()).select_from(_from())
    query = query.where(events.c.id.in_(held), visible(events, viewer)).order_by(events.c.id)
    return [_feature(r) for r in conn.execute(query)]
