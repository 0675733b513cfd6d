"""Sectors: the sector zones a viewer may see, and the one sector that holds each point.

A mission's sectors normally tile its area without overlap. Where they do overlap (a point on
a shared boundary, a sector redrawn within the window, bad data), a point still
belongs to exactly one sector, so that counts per sector add up to the total: of the sectors
covering it (boundary included), the one of smallest area on the ground, then the lowest uid,
then the first listed. A point that no sector covers is outside any sector.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pyproj
import shapely
from sqlalchemy import Connection, select

from peacewatch.domain.labels import Viewer
from peacewatch.store.label_filter import visible
from peacewatch.store.stats import of_mission
from peacewatch.store.tables import labels, zones

Array = np.ndarray[Any, Any]
OUTSIDE = -1  # the index of "outside any sector"
_AREAS = ("Polygon", "MultiPolygon")
_GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class Sector:
    """A sector zone the viewer may see: uid, name, label marking and polygon."""

    uid: str
    name: str
    label: str
    geometry: Any


def visible_sectors(
    conn: Connection,
    *,
    viewer: Viewer,
    mission: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Sector]:
    """The sector zones of ``mission`` (of all when None) that ``viewer`` may see, in force at
    some time in [start, end) (no bound where None), ordered by uid."""
    query = (
        select(zones.c.uid, zones.c.name, labels.c.marking, zones.c.geometry)
        .join(labels, labels.c.id == zones.c.label_id)
        .where(zones.c.kind == "sector", visible(zones, viewer))
        .where(*of_mission(zones.c.mission_id, mission))
    )
    if end is not None:
        query = query.where(zones.c.valid_from.is_(None) | (zones.c.valid_from < end))
    if start is not None:
        query = query.where(zones.c.valid_to.is_(None) | (zones.c.valid_to > start))
    out = []
    for uid, name, marking, geometry in conn.execute(query):
        # A sector drawn as anything but an area holds no point.
        if geometry is not None and geometry.geom_type in _AREAS:
            shapely.prepare(geometry)
            out.append(Sector(str(uid), str(name), str(marking), geometry))
    # Sorted here, by code point: PostgreSQL would order by its collation, SQLite by bytes.
    return sorted(out, key=lambda s: s.uid)


def area_m2(geometry: Any) -> float:
    """A polygon's area on the ground (WGS 84 ellipsoid), in square metres."""
    return abs(float(_GEOD.geometry_area_perimeter(geometry)[0]))


def preference(sectors: Sequence[Sector]) -> list[int]:
    """Indexes of ``sectors`` in the order that decides an overlap: smallest area, then uid,
    then as listed."""
    areas = [area_m2(s.geometry) for s in sectors]
    return sorted(range(len(sectors)), key=lambda i: (areas[i], sectors[i].uid, i))


def sector_of(sectors: Sequence[Sector], lon: Array, lat: Array) -> Array:
    """For each point, the index in ``sectors`` of the one sector holding it by the module's
    overlap rule, or ``OUTSIDE`` (-1)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.full(len(lon), OUTSIDE, dtype=np.int64)
    # Sectors are few and points many: test each sector against the points still unplaced
    # within its bounds, in order of preference, with no Point objects built (at 10^7 reports
    # they would cost more memory than the whole test).
    for i in preference(sectors):
        geometry = sectors[i].geometry
        x0, y0, x1, y1 = shapely.bounds(geometry).tolist()
        near = (out == OUTSIDE) & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
        candidates = np.flatnonzero(near)
        if candidates.size:
            shapely.prepare(geometry)
            hit = shapely.intersects_xy(geometry, lon[candidates], lat[candidates])
            out[candidates[hit]] = i
    return out
