"""Patrol plans, and the recorded patrols that carried them out (matched on read)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

import shapely
from sqlalchemy import Connection, select

from peacewatch.domain.labels import Viewer
from peacewatch.domain.schedule import days_from_text, overlaps, runs
from peacewatch.domain.times import rfc3339
from peacewatch.store.label_filter import visible
from peacewatch.store.tables import labels, missions, patrol_plans, patrols, units
from peacewatch.store.writes import insert_row

PLAN_STATUSES = ("draft", "planned", "cancelled")
PLAN_KINDS = ("route", "area")
# A run repeated on a weekday lasts less than a week (else it would overlap its own repeat), so
# a repeated plan whose last run begins a week before a time has ended by then.
REPEATED_RUN_MAX = timedelta(days=7)
# Past this many units an IN list costs more than reading the few planned plans of the window.
UNITS_IN_QUERY = 500


def add_plan(conn: Connection, **values: Any) -> int:
    """Insert a plan (its geometry's bounds are derived here) and return its id."""
    min_lon, min_lat, max_lon, max_lat = shapely.bounds(values["geometry"]).tolist()
    return insert_row(
        conn,
        patrol_plans,
        **values,
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
    )


def update_plan(conn: Connection, plan_id: int, values: dict[str, Any]) -> None:
    """Change a plan's columns (bounds follow a new geometry)."""
    if "geometry" in values:
        bounds = shapely.bounds(values["geometry"]).tolist()
        values = {
            **values,
            **dict(zip(("min_lon", "min_lat", "max_lon", "max_lat"), bounds, strict=True)),
        }
    conn.execute(patrol_plans.update().where(patrol_plans.c.id == plan_id).values(**values))


def delete_plan(conn: Connection, plan_id: int) -> None:
    """Remove a plan (recorded patrols are untouched: they were only matched to it)."""
    conn.execute(patrol_plans.delete().where(patrol_plans.c.id == plan_id))


def planned_for_units(
    conn: Connection, *, unit_ids: Collection[int], start: datetime, end: datetime
) -> list[Any]:
    """Plans of status 'planned' of one of ``unit_ids`` whose schedule may have a run between
    ``start`` and ``end`` (whatever their label: for the recording hook, not for readers); one
    query on the unit index."""
    query = select(
        patrol_plans.c.id, patrol_plans.c.uid, patrol_plans.c.mission_id,
        patrol_plans.c.unit_id, patrol_plans.c.start_at, patrol_plans.c.end_at,
        patrol_plans.c.repeat_days, patrol_plans.c.repeat_until,
    ).where(
        patrol_plans.c.status == "planned",
        patrol_plans.c.start_at <= end,
        (patrol_plans.c.end_at >= start)
        | (patrol_plans.c.repeat_until >= start - REPEATED_RUN_MAX),
    )  # fmt: skip
    if len(unit_ids) <= UNITS_IN_QUERY:
        query = query.where(patrol_plans.c.unit_id.in_(sorted(unit_ids)))
    else:
        query = query.where(patrol_plans.c.unit_id.is_not(None))
    return [r for r in conn.execute(query.order_by(patrol_plans.c.id)) if r.unit_id in unit_ids]


def plan_row(conn: Connection, *, viewer: Viewer, uid: str) -> Any | None:
    """The stored row of a plan ``viewer`` may see, with its label's marking, or None."""
    query = (
        select(patrol_plans, labels.c.marking.label("label"))
        .join(labels, labels.c.id == patrol_plans.c.label_id)
        .where(patrol_plans.c.uid == uid, visible(patrol_plans, viewer))
    )
    return conn.execute(query).first()


def list_plans(
    conn: Connection,
    *,
    viewer: Viewer,
    mission: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    status: tuple[str, ...] = (),
    uid: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Plans ``viewer`` may see whose schedule overlaps the window, as GeoJSON features, each
    with the visible recorded patrols of its unit that overlap one of its runs."""
    horizon = patrol_plans.c.repeat_until
    query = (
        select(
            patrol_plans,
            labels.c.marking.label("label"),
            missions.c.code.label("mission"),
            units.c.uid.label("unit"),
        )
        .join(labels, labels.c.id == patrol_plans.c.label_id)
        .join(missions, missions.c.id == patrol_plans.c.mission_id)
        # The unit is named only when the viewer may see it.
        .outerjoin(units, (units.c.id == patrol_plans.c.unit_id) & visible(units, viewer))
        .where(visible(patrol_plans, viewer))
    )
    if mission is not None:
        query = query.where(missions.c.code == mission)
    if uid is not None:
        query = query.where(patrol_plans.c.uid == uid)
    if status:
        query = query.where(patrol_plans.c.status.in_(list(status)))
    if end is not None:
        query = query.where(patrol_plans.c.start_at < end)
    if start is not None:
        query = query.where((patrol_plans.c.end_at >= start) | (horizon >= start))
    rows = conn.execute(query.order_by(patrol_plans.c.start_at, patrol_plans.c.id).limit(limit))
    rows_list = list(rows.all())
    done = _done(conn, viewer, rows_list)
    return [_feature(r, done.get(r.id, [])) for r in rows_list]


def _done(conn: Connection, viewer: Viewer, rows: list[Any]) -> dict[int, list[dict[str, Any]]]:
    """Per plan id: the visible patrols of the plan's (visible) unit overlapping one of its
    runs. One query for all the plans' units over the span of all their runs."""
    planned = [r for r in rows if r.unit is not None]
    if not planned:
        return {}
    schedules = {
        r.id: runs(r.start_at, r.end_at, days_from_text(r.repeat_days), r.repeat_until)
        for r in planned
    }
    first = min(s[0][0] for s in schedules.values())
    last = max(s[-1][1] for s in schedules.values())
    query = (
        select(patrols, labels.c.marking.label("label"))
        .join(labels, labels.c.id == patrols.c.label_id)
        .where(
            visible(patrols, viewer),
            patrols.c.unit_id.in_(sorted({r.unit_id for r in planned})),
            patrols.c.start_at <= last,
            (patrols.c.end_at.is_(None)) | (patrols.c.end_at >= first),
        )
        .order_by(patrols.c.start_at, patrols.c.id)
    )
    by_unit: dict[int, list[Any]] = {}
    for p in conn.execute(query):
        by_unit.setdefault(p.unit_id, []).append(p)
    out: dict[int, list[dict[str, Any]]] = {}
    for r in planned:
        out[r.id] = [
            {
                "id": p.uid,
                "name": p.name,
                "start": rfc3339(p.start_at),
                "end": rfc3339(p.end_at),
                "status": p.status,
                "label": p.label,
            }
            for p in by_unit.get(r.unit_id, [])
            if overlaps(schedules[r.id], p.start_at, p.end_at)
        ]
    return out


def _feature(row: Any, done: list[dict[str, Any]]) -> dict[str, Any]:
    days = days_from_text(row.repeat_days)
    repeat = (
        {"days": list(days), "until": rfc3339(row.repeat_until)}
        if days and row.repeat_until
        else None
    )
    return {
        "type": "Feature",
        "id": row.uid,
        "geometry": shapely.geometry.mapping(row.geometry),
        "properties": {
            "id": row.uid,
            "mission": row.mission,
            "unit": row.unit,
            "name": row.name,
            "kind": row.kind,
            "start": rfc3339(row.start_at),
            "end": rfc3339(row.end_at),
            "repeat": repeat,
            "status": row.status,
            "synthetic": row.synthetic,
            "attributes": row.attributes,
            "label": row.label,
            "created_by": row.created_by,
            "patrols": done,
            "done": bool(done),
        },
    }
