"""Counter-trafficking seizures: batched writes and label-filtered reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from peacewatch.domain.labels import Viewer
from peacewatch.domain.times import rfc3339
from peacewatch.store.label_filter import visible
from peacewatch.store.report_citations import cited_reports
from peacewatch.store.tables import labels, missions, seizures

BBox = tuple[float, float, float, float]


def add_seizures(conn: Connection, *, rows: list[dict[str, Any]]) -> None:
    """Insert seizures in one batched statement."""
    if rows:
        conn.execute(insert(seizures), rows)


def taken_uids(conn: Connection, uids: list[str]) -> list[str]:
    """Which of ``uids`` exist already (whoever may see them: a uid is unique in the store)."""
    return list(conn.execute(select(seizures.c.uid).where(seizures.c.uid.in_(uids))).scalars())


def _feature(row: Any, cited: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row.uid,
        "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
        "properties": {
            "id": row.uid, "mission": row.mission, "seized_at": rfc3339(row.seized_at),
            "category": row.category, "description": row.description,
            "quantity": row.quantity, "unit": row.unit, "place": row.place,
            "origin": row.origin, "crossing": row.crossing, "destination": row.destination,
            "route": row.route, "chain": row.chain, "source": row.source,
            "synthetic": row.synthetic, "label": row.label,
            **({} if cited is None else {"reports": cited}),
        },
    }  # fmt: skip


def list_seizures(
    conn: Connection,
    *,
    viewer: Viewer,
    mission: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    categories: list[str] | None = None,
    crossing: str | None = None,
    bbox: BBox | None = None,
    uid: str | None = None,
    limit: int | None = None,
    with_reports: bool = True,
) -> list[dict[str, Any]]:
    """Seizures ``viewer`` may see, oldest first, as GeoJSON Point Features; with
    ``with_reports``, each with the field reports it cites that the viewer may see."""
    query = (
        select(seizures, labels.c.marking.label("label"), missions.c.code.label("mission"))
        .join(labels, labels.c.id == seizures.c.label_id)
        .join(missions, missions.c.id == seizures.c.mission_id)
        .where(visible(seizures, viewer))
    )
    if mission is not None:
        query = query.where(missions.c.code == mission)
    if start is not None:
        query = query.where(seizures.c.seized_at >= start)
    if end is not None:
        query = query.where(seizures.c.seized_at < end)
    if categories:
        query = query.where(seizures.c.category.in_(categories))
    if crossing is not None:
        query = query.where(seizures.c.crossing == crossing)
    if uid is not None:
        query = query.where(seizures.c.uid == uid)
    if bbox is not None:
        query = query.where(
            seizures.c.lon >= bbox[0],
            seizures.c.lat >= bbox[1],
            seizures.c.lon <= bbox[2],
            seizures.c.lat <= bbox[3],
        )
    query = query.order_by(seizures.c.seized_at, seizures.c.id)
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    if not with_reports:
        return [_feature(r, None) for r in rows]
    cited = cited_reports(conn, viewer=viewer, table=seizures, ids=[r.id for r in rows])
    return [_feature(r, cited.get(r.id, [])) for r in rows]
