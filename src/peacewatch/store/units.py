"""Units and their position history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from peacewatch.domain.times import rfc3339
from peacewatch.store.engine import spatial_for
from peacewatch.store.label_filter import visible
from peacewatch.store.tables import labels, missions, parties, unit_positions, units
from peacewatch.store.writes import insert_row


def add_unit(
    conn: Connection,
    *,
    uid: str,
    mission_id: int,
    name: str,
    sidc: str,
    label_id: int,
    created_by: str,
    created_at: datetime,
    nation: str | None = None,
    party_id: int | None = None,
    echelon: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
    attributes: dict[str, Any] | None = None,
) -> int:
    """Insert a unit and return its id."""
    return insert_row(
        conn,
        units,
        uid=uid,
        mission_id=mission_id,
        name=name,
        sidc=sidc,
        nation=nation,
        party_id=party_id,
        echelon=echelon,
        source=source,
        synthetic=synthetic,
        attributes=attributes or {},
        label_id=label_id,
        created_by=created_by,
        created_at=created_at,
    )


def unit_ids(conn: Connection, uids: Sequence[str]) -> dict[str, int]:
    """Unit uid → internal id for the uids that exist."""
    rows = conn.execute(select(units.c.uid, units.c.id).where(units.c.uid.in_(list(uids)))).all()
    return {r.uid: int(r.id) for r in rows}


def add_positions(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert resolved position rows (unit_id, observed_at, lon, lat, label_id, …); each row
    gets its ``id``."""
    if not rows:
        return 0
    spatial_for(conn).insert_positions(conn, rows)
    return len(rows)


def list_units(
    conn: Connection,
    *,
    viewer: Any,
    mission: str | None = None,
    at: datetime | None = None,
    uid: str | None = None,
    party_codes: Sequence[str] = (),
    bbox: tuple[float, float, float, float] | None = None,
) -> list[dict[str, Any]]:
    """Units ``viewer`` may see, each with its latest visible position at or before ``at``.

    With ``bbox``, only units whose latest position lies in it.
    """
    latest = select(
        unit_positions.c.unit_id, func.max(unit_positions.c.observed_at).label("t")
    ).where(visible(unit_positions, viewer))
    if at is not None:
        latest = latest.where(unit_positions.c.observed_at <= at)
    latest_sq = latest.group_by(unit_positions.c.unit_id).subquery()
    pos = unit_positions.alias("pos")
    query = (
        select(
            units,
            labels.c.marking.label("label"),
            parties.c.code.label("party"),
            missions.c.code.label("mission"),
            pos.c.lon,
            pos.c.lat,
            pos.c.observed_at,
        )
        .join(labels, labels.c.id == units.c.label_id)
        .join(missions, missions.c.id == units.c.mission_id)
        .outerjoin(parties, parties.c.id == units.c.party_id)
        .outerjoin(latest_sq, latest_sq.c.unit_id == units.c.id)
        .outerjoin(
            pos,
            (pos.c.unit_id == units.c.id)
            & (pos.c.observed_at == latest_sq.c.t)
            & visible(pos, viewer),
        )
        .where(visible(units, viewer))
        .order_by(units.c.uid)
    )
    if mission is not None:
        query = query.where(missions.c.code == mission)
    if uid is not None:
        query = query.where(units.c.uid == uid)
    if party_codes:
        query = query.where(parties.c.code.in_(list(party_codes)))
    if bbox is not None:
        query = query.where(
            pos.c.lon >= bbox[0], pos.c.lat >= bbox[1], pos.c.lon <= bbox[2], pos.c.lat <= bbox[3]
        )
    features: dict[str, dict[str, Any]] = {}
    for r in conn.execute(query):
        if r.uid in features:  # two positions at the same instant: keep the first
            continue
        features[r.uid] = {
            "type": "Feature",
            "id": r.uid,
            "geometry": (
                {"type": "Point", "coordinates": [r.lon, r.lat]} if r.lon is not None else None
            ),
            "properties": {
                "id": r.uid,
                "mission": r.mission,
                "name": r.name,
                "sidc": r.sidc,
                "nation": r.nation,
                "party": r.party,
                "echelon": r.echelon,
                "source": r.source,
                "synthetic": r.synthetic,
                "attributes": r.attributes,
                "label": r.label,
                "position_at": r.observed_at.isoformat() if r.observed_at else None,
            },
        }
    return list(features.values())


def list_positions(
    conn: Connection,
    *,
    viewer: Any,
    unit_uid: str,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 10_000,
) -> list[dict[str, Any]]:
    """The visible track of one unit as point features in time order."""
    query = (
        select(unit_positions, labels.c.marking.label("label"))
        .join(units, units.c.id == unit_positions.c.unit_id)
        .join(labels, labels.c.id == unit_positions.c.label_id)
        .where(units.c.uid == unit_uid, visible(units, viewer), visible(unit_positions, viewer))
    )
    if start is not None:
        query = query.where(unit_positions.c.observed_at >= start)
    if end is not None:
        query = query.where(unit_positions.c.observed_at < end)
    rows = conn.execute(query.order_by(unit_positions.c.observed_at).limit(limit)).all()
    return [
        {
            "type": "Feature",
            "id": r.id,
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {
                "unit": unit_uid,
                "observed_at": r.observed_at.isoformat(),
                "source": r.source,
                "synthetic": r.synthetic,
                "label": r.label,
            },
        }
        for r in rows
    ]


def list_tracks(
    conn: Connection,
    *,
    viewer: Any,
    mission: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int = 50_000,
) -> tuple[list[dict[str, Any]], bool]:
    """Each visible unit's visible positions in [start, end) as lines in time order, with
    ``limit`` positions at most; returns (features, truncated).

    A line is a run of consecutive positions under one label, and carries that label: a
    label derived from several (their most restrictive) could name no audience the viewer
    belongs to although the viewer may see each part (REL TO GBR with REL TO NATO), so a
    track whose positions change label is drawn as several lines. A single position is a
    Point. With ``bbox``, only tracks with a position in it, drawn whole."""
    query = (
        select(
            units.c.uid,
            units.c.name,
            units.c.sidc,
            parties.c.code.label("party"),
            missions.c.code.label("mission"),
            unit_positions.c.lon,
            unit_positions.c.lat,
            unit_positions.c.observed_at,
            unit_positions.c.label_id,
        )
        .join(units, units.c.id == unit_positions.c.unit_id)
        .join(missions, missions.c.id == units.c.mission_id)
        .outerjoin(parties, parties.c.id == units.c.party_id)
        .where(visible(units, viewer), visible(unit_positions, viewer))
    )
    window = []
    if start is not None:
        window.append(unit_positions.c.observed_at >= start)
    if end is not None:
        window.append(unit_positions.c.observed_at < end)
    query = query.where(*window)
    if mission is not None:
        query = query.where(missions.c.code == mission)
    if bbox is not None:
        inside = select(unit_positions.c.unit_id).where(
            unit_positions.c.lon >= bbox[0], unit_positions.c.lat >= bbox[1],
            unit_positions.c.lon <= bbox[2], unit_positions.c.lat <= bbox[3],
            visible(unit_positions, viewer), *window,
        )  # fmt: skip
        query = query.where(unit_positions.c.unit_id.in_(inside))
    order = (units.c.uid, unit_positions.c.observed_at, unit_positions.c.id)
    rows = conn.execute(query.order_by(*order).limit(limit + 1)).all()
    truncated = len(rows) > limit
    rows = rows[:limit]
    wanted = {r.label_id for r in rows}
    markings = dict(
        conn.execute(select(labels.c.id, labels.c.marking).where(labels.c.id.in_(wanted))).all()
    )
    runs: list[list[Any]] = []
    for r in rows:
        if runs and runs[-1][0].uid == r.uid and runs[-1][0].label_id == r.label_id:
            runs[-1].append(r)
        else:
            runs.append([r])
    features = []
    seen: dict[str, int] = {}
    for points in runs:
        first, last = points[0], points[-1]
        n = seen[first.uid] = seen.get(first.uid, 0) + 1
        coords = [[p.lon, p.lat] for p in points]
        geometry = (
            {"type": "LineString", "coordinates": coords}
            if len(coords) > 1
            else {"type": "Point", "coordinates": coords[0]}
        )
        features.append(
            {
                "type": "Feature",
                "id": first.uid if n == 1 else f"{first.uid}~{n}",
                "geometry": geometry,
                "properties": {
                    "id": first.uid if n == 1 else f"{first.uid}~{n}",
                    "unit": first.uid,
                    "name": first.name,
                    "sidc": first.sidc,
                    "party": first.party,
                    "mission": first.mission,
                    "points": len(points),
                    "start": rfc3339(first.observed_at),
                    "end": rfc3339(last.observed_at),
                    "label": markings[first.label_id],
                },
            }
        )
    return features, truncated


def positions_after(
    conn: Connection, *, viewer: Any, after: int, limit: int = 500
) -> list[tuple[int, dict[str, Any]]]:
    """Positions stored after row ``after`` whose unit and position ``viewer`` may see,
    oldest row first, as (row id, Feature): what the live feed sends to move units."""
    query = (
        select(
            unit_positions.c.id,
            unit_positions.c.lon,
            unit_positions.c.lat,
            unit_positions.c.observed_at,
            units.c.uid,
            units.c.name,
            units.c.sidc,
            parties.c.code.label("party"),
            missions.c.code.label("mission"),
            labels.c.marking.label("label"),
        )
        .join(units, units.c.id == unit_positions.c.unit_id)
        .join(missions, missions.c.id == units.c.mission_id)
        .join(labels, labels.c.id == unit_positions.c.label_id)
        .outerjoin(parties, parties.c.id == units.c.party_id)
        .where(
            unit_positions.c.id > after,
            visible(units, viewer),
            visible(unit_positions, viewer),
        )
        .order_by(unit_positions.c.id)
        .limit(limit)
    )
    return [
        (
            int(r.id),
            {
                "type": "Feature",
                "id": r.uid,
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                "properties": {
                    "id": r.uid,
                    "unit": r.uid,
                    "name": r.name,
                    "sidc": r.sidc,
                    "party": r.party,
                    "mission": r.mission,
                    "observed_at": rfc3339(r.observed_at),
                    "label": r.label,
                },
            },
        )
        for r in conn.execute(query)
    ]


def last_position_row(conn: Connection) -> int:
    """The newest position's row id (0 when none): where a new live feed starts."""
    return int(conn.execute(select(func.coalesce(func.max(unit_positions.c.id), 0))).scalar_one())
