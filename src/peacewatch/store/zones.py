"""Zones: sectors, safety zones and other named areas, with their validity in time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import shapely
from sqlalchemy import Connection, or_, select

from peacewatch.store.label_filter import visible
from peacewatch.store.tables import labels, missions, zones
from peacewatch.store.writes import insert_row

BBox = tuple[float, float, float, float]


def add_zone(
    conn: Connection,
    *,
    uid: str,
    mission_id: int,
    name: str,
    kind: str,
    geometry: shapely.Geometry,
    label_id: int,
    created_by: str,
    created_at: datetime,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    rules: dict[str, Any] | None = None,
    source: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> int:
    """Insert a zone and return its id."""
    min_lon, min_lat, max_lon, max_lat = shapely.bounds(geometry).tolist()
    return insert_row(
        conn,
        zones,
        uid=uid,
        mission_id=mission_id,
        name=name,
        kind=kind,
        geometry=geometry,
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
        valid_from=valid_from,
        valid_to=valid_to,
        rules=rules or {},
        source=source,
        attributes=attributes or {},
        label_id=label_id,
        created_by=created_by,
        created_at=created_at,
    )


def zone_feature(row: Any) -> dict[str, Any]:
    """A stored zone as a GeoJSON Feature."""
    return {
        "type": "Feature",
        "id": row.uid,
        "geometry": shapely.geometry.mapping(row.geometry),
        "properties": {
            "id": row.uid,
            "mission": row.mission,
            "name": row.name,
            "kind": row.kind,
            "valid_from": row.valid_from.isoformat() if row.valid_from else None,
            "valid_to": row.valid_to.isoformat() if row.valid_to else None,
            "rules": row.rules,
            "source": row.source,
            "attributes": row.attributes,
            "label": row.label,
        },
    }


def _query(viewer: Any) -> Any:
    return (
        select(zones, labels.c.marking.label("label"), missions.c.code.label("mission"))
        .join(labels, labels.c.id == zones.c.label_id)
        .join(missions, missions.c.id == zones.c.mission_id)
        .where(visible(zones, viewer))
    )


def list_zones(
    conn: Connection,
    *,
    viewer: Any,
    mission: str | None = None,
    kinds: list[str] | None = None,
    at: datetime | None = None,
    bbox: BBox | None = None,
) -> list[dict[str, Any]]:
    """Zones ``viewer`` may see; ``at`` keeps the versions in force at that instant."""
    query = _query(viewer)
    if mission is not None:
        query = query.where(missions.c.code == mission)
    if kinds:
        query = query.where(zones.c.kind.in_(kinds))
    if at is not None:
        query = query.where(
            or_(zones.c.valid_from.is_(None), zones.c.valid_from <= at),
            or_(zones.c.valid_to.is_(None), zones.c.valid_to > at),
        )
    if bbox is not None:
        query = query.where(
            zones.c.max_lon >= bbox[0],
            zones.c.max_lat >= bbox[1],
            zones.c.min_lon <= bbox[2],
            zones.c.min_lat <= bbox[3],
        )
    rows = conn.execute(query.order_by(zones.c.kind, zones.c.name, zones.c.id)).all()
    return [zone_feature(r) for r in rows]


def get_zone(conn: Connection, *, viewer: Any, uid: str) -> dict[str, Any] | None:
    """One zone by uid, or None when absent or not visible to ``viewer``."""
    row = conn.execute(_query(viewer).where(zones.c.uid == uid)).first()
    return zone_feature(row) if row is not None else None
