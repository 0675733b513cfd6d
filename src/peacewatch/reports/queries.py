"""The few SITREP reads the store has no windowed form of: report points with their party (for
counts by party and sector) and weapons handed in over a window; and which sector holds each
point (the one rule of store/sectors.py). Each read goes through the label filter, as every
read does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection, and_, func, select

from peacewatch.domain.labels import Viewer
from peacewatch.store import sectors
from peacewatch.store.label_filter import visible
from peacewatch.store.reports import report_filters
from peacewatch.store.sectors import Sector
from peacewatch.store.tables import (
    labels,
    missions,
    parties,
    reports,
    weapons_campaigns,
    weapons_items,
)
from peacewatch.store.zones import list_zones

OUTSIDE = "(outside sectors)"
NO_PARTY = "(no party)"


def report_points(
    conn: Connection, *, viewer: Viewer, start: datetime, end: datetime, mission: str | None
) -> list[tuple[float, float, str | None, str, str]]:
    """(lon, lat, party code, kind, label marking) of the visible reports observed in the
    window; a party the viewer may not see is left out (None), as the report list does."""
    seen = and_(parties.c.id == reports.c.party_id, visible(parties, viewer))
    query = (
        select(reports.c.lon, reports.c.lat, parties.c.code, reports.c.kind, labels.c.marking)
        .select_from(
            reports.join(labels, labels.c.id == reports.c.label_id).outerjoin(parties, seen)
        )
        .where(*report_filters(conn, viewer=viewer, start=start, end=end, mission=mission))
    )
    return [(float(x), float(y), p, str(k), str(m)) for x, y, p, k, m in conn.execute(query)]


def sector_of(
    points: list[tuple[float, float]], sector_features: list[dict[str, Any]]
) -> list[int]:
    """For each point, the index of the one sector feature holding it (-1: none), by the overlap
    rule every sector count shares (store/sectors.py: smallest area, then uid, then first)."""
    if not points or not sector_features:
        return [-1] * len(points)
    areas = [
        Sector(
            str(f["properties"]["id"]),
            str(f["properties"]["name"]),
            str(f["properties"]["label"]),
            shapely.geometry.shape(f["geometry"]),
        )
        for f in sector_features
    ]
    coords = np.array(points, dtype=float)
    return [int(i) for i in sectors.sector_of(areas, coords[:, 0], coords[:, 1])]


def weapons_collected(
    conn: Connection, *, viewer: Viewer, start: datetime, end: datetime, mission: str | None
) -> list[tuple[str, str, int, int]]:
    """(category, item label, quantity, items) of the visible items of visible campaigns
    handed in within the window, summed in SQL."""
    query = (
        select(weapons_items.c.category, labels.c.marking)
        .add_columns(func.sum(weapons_items.c.quantity), func.count())
        .select_from(
            weapons_items.join(
                weapons_campaigns, weapons_campaigns.c.id == weapons_items.c.campaign_id
            ).join(labels, labels.c.id == weapons_items.c.label_id)
        )
        .where(
            visible(weapons_items, viewer),
            visible(weapons_campaigns, viewer),
            weapons_items.c.collected_at >= start,
            weapons_items.c.collected_at < end,
        )
        .group_by(weapons_items.c.category, labels.c.marking)
    )
    if mission is not None:
        code = select(missions.c.id).where(missions.c.code == mission).scalar_subquery()
        query = query.where(weapons_campaigns.c.mission_id == code)
    return [(str(c), str(m), int(q or 0), int(n)) for c, m, q, n in conn.execute(query)]


def zone_outlines(
    conn: Connection, *, viewer: Viewer, at: datetime, mission: str | None
) -> list[dict[str, Any]]:
    """Every visible zone in force at ``at`` (for the map)."""
    return list_zones(conn, viewer=viewer, mission=mission, at=at)


__all__ = [
    "NO_PARTY",
    "OUTSIDE",
    "report_points",
    "sector_of",
    "weapons_collected",
    "zone_outlines",
]
