"""Nations and communities, missions, parties and places (the gazetteer)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import shapely
from sqlalchemy import Connection, func, select

from peacewatch.domain.labels import Label
from peacewatch.store.engine import spatial_for
from peacewatch.store.label_filter import label_from_row, visible
from peacewatch.store.tables import labels, missions, nations, parties, places
from peacewatch.store.writes import insert_row

BBox = tuple[float, float, float, float]


def upsert_nations(conn: Connection, rows: Sequence[dict[str, str]]) -> int:
    """Register nation trigraphs and communities (code, name, kind); existing codes are kept."""
    if not rows:
        return 0
    stmt = spatial_for(conn).insert_ignoring_duplicates(nations, "code")
    return int(conn.execute(stmt, list(rows)).rowcount or 0)


def list_nations(conn: Connection) -> list[dict[str, str]]:
    """Every registered nation and community."""
    rows = conn.execute(select(nations).order_by(nations.c.kind, nations.c.code)).all()
    return [{"code": r.code, "name": r.name, "kind": r.kind} for r in rows]


def add_mission(
    conn: Connection,
    *,
    code: str,
    name: str,
    start_at: datetime,
    end_at: datetime | None,
    default_label_id: int,
    label_id: int,
    created_by: str,
    created_at: datetime,
    mandate: str | None = None,
    aoi: shapely.Geometry | None = None,
    source: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> int:
    """Insert a mission and return its id."""
    return insert_row(
        conn,
        missions,
        code=code,
        name=name,
        mandate=mandate,
        start_at=start_at,
        end_at=end_at,
        default_label_id=default_label_id,
        aoi=aoi,
        source=source,
        attributes=attributes or {},
        label_id=label_id,
        created_by=created_by,
        created_at=created_at,
    )


def mission_row(conn: Connection, *, viewer: Any, code: str) -> Any | None:
    """The mission row with ``code`` if ``viewer`` may see it."""
    return conn.execute(
        select(missions, labels.c.marking.label("label"))
        .join(labels, labels.c.id == missions.c.label_id)
        .where(missions.c.code == code, visible(missions, viewer))
    ).first()


def mission_dict(row: Any, conn: Connection) -> dict[str, Any]:
    """JSON form of a mission row."""
    default = default_labels(conn, [row.id])[row.id].marking
    bbox = list(shapely.bounds(row.aoi)) if row.aoi is not None else None
    return {
        "id": row.code,
        "code": row.code,
        "name": row.name,
        "mandate": row.mandate,
        "start": row.start_at.isoformat(),
        "end": row.end_at.isoformat() if row.end_at else None,
        "bbox": bbox,
        "default_label": default,
        "label": row.label,
        "source": row.source,
        "attributes": row.attributes,
    }


def list_missions(conn: Connection, *, viewer: Any) -> list[dict[str, Any]]:
    """Missions ``viewer`` may see."""
    rows = conn.execute(
        select(missions, labels.c.marking.label("label"))
        .join(labels, labels.c.id == missions.c.label_id)
        .where(visible(missions, viewer))
        .order_by(missions.c.start_at)
    ).all()
    return [mission_dict(r, conn) for r in rows]


def default_labels(conn: Connection, mission_ids: Iterable[int]) -> dict[int, Label]:
    """The default label of each mission, by mission id."""
    rows = conn.execute(
        select(missions.c.id, labels.c.classification, labels.c.releasable_to, labels.c.policy)
        .join(labels, labels.c.id == missions.c.default_label_id)
        .where(missions.c.id.in_(list(mission_ids)))
    ).all()
    return {int(r.id): label_from_row(r.classification, r.releasable_to, r.policy) for r in rows}


def mission_id(conn: Connection, code: str) -> int | None:
    """Internal id of a mission code (no label check: used by writers after their own check)."""
    found = conn.execute(select(missions.c.id).where(missions.c.code == code)).scalar()
    return int(found) if found is not None else None


def add_party(
    conn: Connection,
    *,
    mission_id: int,
    code: str,
    name: str,
    label_id: int,
    created_by: str,
    created_at: datetime,
    description: str | None = None,
    source: str | None = None,
) -> int:
    """Insert a party bound by the mission's agreements and return its id."""
    return insert_row(
        conn,
        parties,
        mission_id=mission_id,
        code=code,
        name=name,
        description=description,
        source=source,
        label_id=label_id,
        created_by=created_by,
        created_at=created_at,
    )


def party_ids(conn: Connection, mission_id: int) -> dict[str, int]:
    """Party code → id for one mission."""
    rows = conn.execute(
        select(parties.c.code, parties.c.id).where(parties.c.mission_id == mission_id)
    ).all()
    return {r.code: int(r.id) for r in rows}


def list_parties(conn: Connection, *, viewer: Any, mission_id: int) -> list[dict[str, Any]]:
    """Parties of a mission that ``viewer`` may see."""
    rows = conn.execute(
        select(parties, labels.c.marking.label("label"))
        .join(labels, labels.c.id == parties.c.label_id)
        .where(parties.c.mission_id == mission_id, visible(parties, viewer))
        .order_by(parties.c.code)
    ).all()
    return [
        {
            "code": r.code,
            "name": r.name,
            "description": r.description,
            "source": r.source,
            "label": r.label,
        }
        for r in rows
    ]


def add_places(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert gazetteer places; a GeoNames id already present is skipped."""
    if not rows:
        return 0
    stmt = spatial_for(conn).insert_ignoring_duplicates(places, "geonames_id")
    return int(conn.execute(stmt, list(rows)).rowcount or 0)


def list_places(
    conn: Connection, *, bbox: BBox | None = None, name: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Gazetteer places (public GeoNames data, not labelled) as GeoJSON features."""
    query = select(places)
    if bbox is not None:
        query = query.where(
            places.c.lon >= bbox[0],
            places.c.lat >= bbox[1],
            places.c.lon <= bbox[2],
            places.c.lat <= bbox[3],
        )
    if name:
        query = query.where(func.lower(places.c.name).startswith(name.lower()))
    rows = conn.execute(query.order_by(places.c.population.desc()).limit(limit)).all()
    return [
        {
            "type": "Feature",
            "id": r.id,
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {
                "id": r.id,
                "name": r.name,
                "kind": r.kind,
                "country": r.country,
                "population": r.population,
                "geonames_id": r.geonames_id,
                "source": r.source,
            },
        }
        for r in rows
    ]


def find_place(conn: Connection, name: str) -> tuple[float, float] | None:
    """(lon, lat) of the most populous place with this exact name (case-insensitive)."""
    row = conn.execute(
        select(places.c.lon, places.c.lat)
        .where(func.lower(places.c.name) == name.lower())
        .order_by(places.c.population.desc())
        .limit(1)
    ).first()
    return (float(row.lon), float(row.lat)) if row is not None else None
