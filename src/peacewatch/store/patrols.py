"""Patrols and their recorded tracks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection, bindparam, select, text

from peacewatch.store.label_filter import visible
from peacewatch.store.tables import labels, missions, patrol_tracks, patrols, units
from peacewatch.store.writes import insert_row

BBox = tuple[float, float, float, float]


def add_patrol(
    conn: Connection,
    *,
    uid: str,
    mission_id: int,
    name: str,
    start_at: datetime,
    label_id: int,
    created_by: str,
    created_at: datetime,
    unit_id: int | None = None,
    end_at: datetime | None = None,
    status: str = "planned",
    synthetic: bool = False,
    attributes: dict[str, Any] | None = None,
) -> int:
    """Insert a patrol and return its id."""
    return insert_row(
        conn,
        patrols,
        uid=uid,
        mission_id=mission_id,
        unit_id=unit_id,
        name=name,
        start_at=start_at,
        end_at=end_at,
        status=status,
        synthetic=synthetic,
        attributes=attributes or {},
        label_id=label_id,
        created_by=created_by,
        created_at=created_at,
    )


def add_track(
    conn: Connection,
    *,
    patrol_id: int,
    line: shapely.LineString,
    times: list[datetime],
    label_id: int,
    created_by: str,
    created_at: datetime,
) -> int:
    """Record the track a patrol followed (one time per vertex) and return its id."""
    min_lon, min_lat, max_lon, max_lat = shapely.bounds(line).tolist()
    return insert_row(
        conn,
        patrol_tracks,
        patrol_id=patrol_id,
        geometry=line,
        times=[t.isoformat() for t in times],
        start_at=min(times),
        end_at=max(times),
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
        label_id=label_id,
        created_by=created_by,
        created_at=created_at,
    )


def replace_tracks(
    conn: Connection, tracks: list[tuple[int, shapely.LineString, list[str]]]
) -> None:
    """Give tracks, as (id, line, vertex times in ISO 8601 and time order), a new line and times
    in one statement (bounds, start and end following)."""
    if not tracks:
        return
    bounds = shapely.bounds(np.array([t[1] for t in tracks], dtype=object)).tolist()
    statement = (
        patrol_tracks.update()
        .where(patrol_tracks.c.id == bindparam("track_id"))
        .values(
            geometry=bindparam("line"), times=bindparam("vertex_times"),
            start_at=bindparam("first"), end_at=bindparam("last"), min_lon=bindparam("x0"),
            min_lat=bindparam("y0"), max_lon=bindparam("x1"), max_lat=bindparam("y1"),
        )
    )  # fmt: skip
    rows = [
        {"track_id": track_id, "line": line, "vertex_times": times,
         "first": datetime.fromisoformat(times[0]), "last": datetime.fromisoformat(times[-1]),
         "x0": box[0], "y0": box[1], "x1": box[2], "y1": box[3]}
        for (track_id, line, times), box in zip(tracks, bounds, strict=True)
    ]  # fmt: skip
    conn.execute(statement, rows)


def set_times(conn: Connection, spans: list[tuple[int, datetime, datetime]]) -> None:
    """Change when patrols, as (id, start, end), began and ended, in one statement."""
    if not spans:
        return
    statement = (
        patrols.update()
        .where(patrols.c.id == bindparam("patrol_id"))
        .values(start_at=bindparam("first"), end_at=bindparam("last"))
    )
    conn.execute(statement, [{"patrol_id": i, "first": a, "last": b} for i, a, b in spans])


def tracks_by_uid(conn: Connection, uids: list[str]) -> dict[str, Any]:
    """Patrols by uid (whatever their label: for writers, not readers), each with its unit and
    its first track's id, line, times and end (None when it has none)."""
    query = (
        select(
            patrols.c.id, patrols.c.uid, patrols.c.unit_id, patrol_tracks.c.id.label("track_id"),
            patrol_tracks.c.geometry, patrol_tracks.c.times,
            patrol_tracks.c.end_at.label("track_end"),
        )
        .outerjoin(patrol_tracks, patrol_tracks.c.patrol_id == patrols.c.id)
        .where(patrols.c.uid.in_(uids))
        .order_by(patrols.c.id, patrol_tracks.c.id)
    )  # fmt: skip
    found: dict[str, Any] = {}
    for row in conn.execute(query):
        found.setdefault(row.uid, row)
    return found


def serialize_recording(conn: Connection) -> None:
    """Hold the patrol recording lock until this transaction ends (PostgreSQL: two writers
    extending one track would each read it before the other wrote; SQLite has one writer)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('peacewatch.patrol_recording'))"))


def list_patrols(
    conn: Connection,
    *,
    viewer: Any,
    mission: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    bbox: BBox | None = None,
    limit: int = 1000,
    uid: str | None = None,
) -> list[dict[str, Any]]:
    """Patrols ``viewer`` may see that overlap the window, each with its visible track."""
    track_label = labels.alias("track_label")
    query = (
        select(
            patrols,
            labels.c.marking.label("label"),
            missions.c.code.label("mission"),
            units.c.uid.label("unit"),
            patrol_tracks.c.geometry.label("track"),
            patrol_tracks.c.times.label("times"),
            track_label.c.marking.label("track_label"),
        )
        .join(labels, labels.c.id == patrols.c.label_id)
        .join(missions, missions.c.id == patrols.c.mission_id)
        .outerjoin(units, units.c.id == patrols.c.unit_id)
        .outerjoin(
            patrol_tracks,
            (patrol_tracks.c.patrol_id == patrols.c.id) & visible(patrol_tracks, viewer),
        )
        .outerjoin(track_label, track_label.c.id == patrol_tracks.c.label_id)
        .where(visible(patrols, viewer))
    )
    if mission is not None:
        query = query.where(missions.c.code == mission)
    if uid is not None:
        query = query.where(patrols.c.uid == uid)
    if end is not None:
        query = query.where(patrols.c.start_at < end)
    if start is not None:
        query = query.where((patrols.c.end_at.is_(None)) | (patrols.c.end_at >= start))
    if bbox is not None:
        query = query.where(
            patrol_tracks.c.max_lon >= bbox[0],
            patrol_tracks.c.max_lat >= bbox[1],
            patrol_tracks.c.min_lon <= bbox[2],
            patrol_tracks.c.min_lat <= bbox[3],
        )
    rows = conn.execute(query.order_by(patrols.c.start_at, patrols.c.id).limit(limit)).all()
    return [
        {
            "type": "Feature",
            "id": r.uid,
            "geometry": shapely.geometry.mapping(r.track) if r.track is not None else None,
            "properties": {
                "id": r.uid,
                "mission": r.mission,
                "unit": r.unit,
                "name": r.name,
                "start": r.start_at.isoformat(),
                "end": r.end_at.isoformat() if r.end_at else None,
                "status": r.status,
                "synthetic": r.synthetic,
                "attributes": r.attributes,
                "label": r.label,
                "track_label": r.track_label,
                "times": r.times,
            },
        }
        for r in rows
    ]
