"""Reports: batched, de-duplicated writes and label-filtered bbox + time reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, func, or_, select

from peacewatch.store.cursor import decode_cursor, encode_cursor
from peacewatch.store.engine import spatial_for
from peacewatch.store.label_filter import visible
from peacewatch.store.tables import labels, missions, parties, reports

BBox = tuple[float, float, float, float]


@dataclass
class Page:
    """One page of GeoJSON features and the cursor of the next page (None at the end)."""

    features: list[dict[str, Any]]
    next_cursor: str | None

    def feature_collection(self) -> dict[str, Any]:
        """The page as a GeoJSON FeatureCollection with paging members."""
        return {**feature_collection(self.features), "next_cursor": self.next_cursor}


def feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of ``features``, with the count OGC API clients read."""
    return {"type": "FeatureCollection", "features": features, "numberReturned": len(features)}


def insert_reports(conn: Connection, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert resolved report rows, skipping uuids already stored; returns the uuids written."""
    if not rows:
        return set()
    written: set[str] = spatial_for(conn).insert_reports(conn, rows)
    return written


_COLUMNS = (
    reports.c.id,
    reports.c.uuid,
    reports.c.kind,
    reports.c.observed_at,
    reports.c.reported_at,
    reports.c.created_at,
    reports.c.lon,
    reports.c.lat,
    reports.c.location_precision,
    reports.c.time_precision,
    reports.c.source,
    reports.c.grade,
    reports.c.title,
    reports.c.text,
    reports.c.synthetic,
    reports.c.attributes,
    labels.c.marking.label("label"),
    parties.c.code.label("party"),
    missions.c.code.label("mission"),
)

_FROM = (
    reports.join(labels, labels.c.id == reports.c.label_id)
    .join(missions, missions.c.id == reports.c.mission_id)
    .outerjoin(parties, parties.c.id == reports.c.party_id)
)


def report_feature(row: Any) -> dict[str, Any]:
    """A stored report as a GeoJSON Feature (rows in the order of ``_COLUMNS``)."""
    # Unpacking the row as a tuple: lists of up to 1,000 features are built per request, and
    # attribute access on each Row costs more than the rest of this function.
    (_, uuid, kind, observed, reported, created, lon, lat, loc_precision, time_precision,
     source, grade, title, body, synthetic, attributes, label, party, mission) = row  # fmt: skip
    return {
        "type": "Feature",
        "id": uuid,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "id": uuid,
            "mission": mission,
            "kind": kind,
            "observed_at": observed.isoformat(),
            "reported_at": reported.isoformat(),
            "ingested_at": created.isoformat(),
            "location_precision": loc_precision,
            "time_precision": time_precision,
            "party": party,
            "source": source,
            "grade": grade,
            "title": title,
            "text": body,
            "label": label,
            "synthetic": synthetic,
            "attributes": attributes,
        },
    }


def reports_query(
    conn: Connection,
    *,
    viewer: Any,
    mission: str | None = None,
    bbox: BBox | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    kinds: Sequence[str] = (),
    parties_: Sequence[str] = (),
    limit: int = 1000,
    cursor: str | None = None,
) -> Select[Any]:
    """The SELECT behind ``list_reports``: one row more than ``limit`` (to know if more follow),
    unordered — the caller sorts by (observed_at, id).

    ``start`` is inclusive and ``end`` exclusive. The bbox + time part is answered by the
    backend's spatial index (R*Tree or n-D GiST); the exact predicates then trim its
    candidates, and the label filter runs in the same query.
    """
    # Two steps: the ids of the page, ordered and limited, from the narrow columns of the
    # candidates; then the full rows and their joins for that page only. On 10^7 reports a
    # dense 10 km x 24 h box has ~10^4 candidates: joining and sorting every full row took
    # ~50 ms, sorting (observed_at, id) pairs is a fraction of that.
    page = select(reports.c.id).where(visible(reports, viewer))
    candidates = spatial_for(conn).report_candidates(bbox=bbox, start=start, end=end)
    if candidates is not None:
        page = page.where(candidates)
    if bbox is not None:
        page = page.where(
            reports.c.lon >= bbox[0],
            reports.c.lat >= bbox[1],
            reports.c.lon <= bbox[2],
            reports.c.lat <= bbox[3],
        )
    if start is not None:
        page = page.where(reports.c.observed_at >= start)
    if end is not None:
        page = page.where(reports.c.observed_at < end)
    if mission is not None:
        page = page.where(
            reports.c.mission_id
            == select(missions.c.id).where(missions.c.code == mission).scalar_subquery()
        )
    if kinds:
        page = page.where(reports.c.kind.in_(list(kinds)))
    if parties_:
        page = page.where(
            reports.c.party_id.in_(select(parties.c.id).where(parties.c.code.in_(list(parties_))))
        )
    if cursor is not None:
        after_t, after_id = decode_cursor(cursor)
        page = page.where(
            or_(
                reports.c.observed_at > after_t,
                and_(reports.c.observed_at == after_t, reports.c.id > after_id),
            )
        )
    ids = page.order_by(reports.c.observed_at, reports.c.id).limit(limit + 1).subquery()
    # No ORDER BY out here: sorting 1,000 wide rows in SQL is wasted work (it cost PostGIS
    # ~4 ms at p95 on 10^7 reports); list_reports orders the page's rows in Python instead.
    return select(*_COLUMNS).select_from(_FROM.join(ids, ids.c.id == reports.c.id))


def list_reports(conn: Connection, *, limit: int = 1000, **filters: Any) -> Page:
    """Reports the viewer may see, in (observed_at, id) order, filtered and paged."""
    rows = sorted(
        conn.execute(reports_query(conn, limit=limit, **filters)).all(),
        key=lambda row: (row[3], row[0]),  # (observed_at, id), as in _COLUMNS
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].observed_at, rows[-1].id) if more and rows else None
    return Page([report_feature(r) for r in rows], next_cursor)


def get_report(conn: Connection, *, viewer: Any, uuid: str) -> dict[str, Any] | None:
    """One report by its uuid, or None when absent or not visible to ``viewer``."""
    row = conn.execute(
        select(*_COLUMNS).select_from(_FROM).where(reports.c.uuid == uuid, visible(reports, viewer))
    ).first()
    return report_feature(row) if row is not None else None


def count_reports(conn: Connection, *, viewer: Any) -> int:
    """How many reports ``viewer`` may see."""
    query = select(func.count()).select_from(reports).where(visible(reports, viewer))
    return int(conn.execute(query).scalar_one())
