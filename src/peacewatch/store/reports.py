"""Reports: batched, de-duplicated writes and label-filtered bbox + time reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    false,
    func,
    select,
    tuple_,
    type_coerce,
)

from peacewatch.domain.labels import Classification
from peacewatch.store.cursor import decode_cursor, encode_cursor
from peacewatch.store.engine import spatial_for
from peacewatch.store.label_filter import visible
from peacewatch.store.report_search import (
    ZoneArea,
    grade_clause,
    parse_classification,
    parse_grades,
    resolve_zone,
    search_words,
    text_clause,
    zone_clause,
)
from peacewatch.store.tables import labels, missions, parties, reports

BBox = tuple[float, float, float, float]


@dataclass
class Page:
    """One page of reports as GeoJSON Feature text (as the database wrote it), their labels,
    and the cursor of the next page (None at the end)."""

    feature_json: list[str]
    labels: list[str]
    ids: list[str]
    next_cursor: str | None
    # With ``table=True``: the plain columns of TABLE_COLUMNS per report, instead of Features.
    table: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def features(self) -> list[dict[str, Any]]:
        """The features as dicts (parsed; the API sends ``feature_json`` as it is)."""
        return [orjson.loads(f) for f in self.feature_json]

    def feature_collection(self) -> dict[str, Any]:
        """The page as a GeoJSON FeatureCollection with paging members."""
        return {**feature_collection(self.features), "next_cursor": self.next_cursor}

    def collection_bytes(self, **members: Any) -> bytes:
        """The FeatureCollection as JSON bytes, the features spliced in without re-encoding."""
        head = {
            "type": "FeatureCollection",
            "numberReturned": len(self.feature_json),
            "next_cursor": self.next_cursor,
            **members,
        }
        return b"".join(
            (
                orjson.dumps(head)[:-1],
                b',"features":[',
                ",".join(self.feature_json).encode(),
                b"]}",
            )
        )


def feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of ``features``, with the count OGC API clients read."""
    return {"type": "FeatureCollection", "features": features, "numberReturned": len(features)}


def insert_reports(conn: Connection, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert resolved report rows, skipping uuids already stored; returns the uuids written."""
    if not rows:
        return set()
    written: set[str] = spatial_for(conn).insert_reports(conn, rows)
    return written


_FROM = (
    reports.join(labels, labels.c.id == reports.c.label_id)
    .join(missions, missions.c.id == reports.c.mission_id)
    .outerjoin(parties, parties.c.id == reports.c.party_id)
)


# The plain columns a tabular export writes (``list_reports(..., table=True)``): reading them
# costs half of building the Feature text, and nothing needs parsing afterwards.
TABLE_COLUMNS = (
    "observed_at",
    "kind",
    "lon",
    "lat",
    "location_precision",
    "time_precision",
    "party",
    "source",
    "text",
    "attributes",
    "grade",
    "title",
)


def _table_columns(conn: Connection) -> tuple[Any, ...]:
    return (
        spatial_for(conn).rfc3339("reports.observed_at"),
        reports.c.kind,
        reports.c.lon,
        reports.c.lat,
        reports.c.location_precision,
        reports.c.time_precision,
        parties.c.code,
        reports.c.source,
        reports.c.text,
        type_coerce(reports.c.attributes, String),
        reports.c.grade,
        reports.c.title,
    )


def _columns(conn: Connection, table: bool = False) -> tuple[Any, ...]:
    """(row id, observed_at as stored, uuid, label marking, Feature text) of each report
    (with ``table``: the TABLE_COLUMNS in place of the Feature text).

    observed_at skips the datetime conversion: it only orders the page (stored text sorts in
    time order on SQLite; PostgreSQL hands back datetimes), and the Feature carries the time.
    """
    return (
        reports.c.id,
        type_coerce(reports.c.observed_at, String).label("observed_at"),
        reports.c.uuid,
        labels.c.marking.label("label"),
        *(_table_columns(conn) if table else (spatial_for(conn).report_feature_json(),)),
    )


def _stored_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def report_filters(
    conn: Connection,
    *,
    viewer: Any,
    mission: str | None = None,
    bbox: BBox | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    kinds: Sequence[str] = (),
    parties_: Sequence[str] = (),
    grades: Sequence[str] = (),
    classification: str | Classification | None = None,
    zone: str | ZoneArea | None = None,
    q: str | None = None,
) -> list[ColumnElement[bool]]:
    """The WHERE clauses on ``reports`` of a filtered read, the label filter first: lists,
    exports and their label aggregates select the same rows through them.

    ``grades``: reliability letters ("B") or whole Admiralty grades ("B2"), any of them;
    ``classification``: at most this one; ``zone``: a zone uid (or one resolved already) —
    reports whose point lies in that zone version's geometry while it was in force; ``q``:
    words that must each appear in the title or the text, case-insensitively.
    """
    ceiling = parse_classification(classification) if classification is not None else None
    where: list[ColumnElement[bool]] = [visible(reports, viewer, at_most=ceiling)]
    if zone is not None:
        area = zone if isinstance(zone, ZoneArea) else resolve_zone(conn, viewer=viewer, uid=zone)
        bbox, start, end, anything = area.narrow(bbox, start, end)
        if not anything:
            where.append(false())
        where.append(zone_clause(conn, area))
    if grades:
        where.append(grade_clause(parse_grades(grades)))
    if q is not None:
        words = search_words(q)
        if words:
            where.append(text_clause(conn, words))
    candidates = spatial_for(conn).report_candidates(bbox=bbox, start=start, end=end)
    if candidates is not None:
        where.append(candidates)
    if bbox is not None:
        where += [
            reports.c.lon >= bbox[0],
            reports.c.lat >= bbox[1],
            reports.c.lon <= bbox[2],
            reports.c.lat <= bbox[3],
        ]
    if start is not None:
        where.append(reports.c.observed_at >= start)
    if end is not None:
        where.append(reports.c.observed_at < end)
    if mission is not None:
        where.append(
            reports.c.mission_id
            == select(missions.c.id).where(missions.c.code == mission).scalar_subquery()
        )
    if kinds:
        where.append(reports.c.kind.in_(list(kinds)))
    if parties_:
        where.append(
            reports.c.party_id.in_(select(parties.c.id).where(parties.c.code.in_(list(parties_))))
        )
    return where


def report_label_markings(conn: Connection, **filters: Any) -> list[str]:
    """Markings of the distinct labels of the reports a filtered read would return (one SQL
    aggregate): what an export computes its label from before it streams a row."""
    label_ids = select(reports.c.label_id).where(*report_filters(conn, **filters)).distinct()
    query = select(labels.c.marking).where(labels.c.id.in_(label_ids)).order_by(labels.c.marking)
    return [str(m) for m in conn.execute(query).scalars()]


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
    table: bool = False,
    **search: Any,
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
    page = select(reports.c.id).where(
        *report_filters(
            conn,
            viewer=viewer,
            mission=mission,
            bbox=bbox,
            start=start,
            end=end,
            kinds=kinds,
            parties_=parties_,
            **search,
        )
    )
    if cursor is not None:
        after_t, after_id = decode_cursor(cursor)
        # A row value, not "t > a OR (t = a AND id > b)": both backends turn it into a range
        # of the (observed_at, id) index, where the OR made SQLite scan from the first row on
        # every page (an export of 10^6 reports slowed from 40 to 75 ms a page).
        page = page.where(tuple_(reports.c.observed_at, reports.c.id) > tuple_(after_t, after_id))
    ids = page.order_by(reports.c.observed_at, reports.c.id).limit(limit + 1).subquery()
    # No ORDER BY out here: sorting 1,000 wide rows in SQL is wasted work (it cost PostGIS
    # ~4 ms at p95 on 10^7 reports); list_reports orders the page's rows in Python instead.
    return select(*_columns(conn, table)).select_from(_FROM.join(ids, ids.c.id == reports.c.id))


# A window is cut into this many equal buckets to find where a dense box's first page lies.
_BUCKETS = 32


def _time_slices(
    conn: Connection, *, need: int, filters: dict[str, Any]
) -> list[tuple[datetime | None, datetime | None]]:
    """Consecutive sub-windows of the query's window, to be read in order until a page is full.

    On 10^7 reports a 10 km x 24 h box round a town holds ~10^4 candidates, yet a page needs
    the first 1,001 in time: reading them all cost ~20 ms at p95. SQLite's R*Tree counts
    how the candidates spread over the window without touching the rows; each slice then
    holds about a page. PostGIS cannot count without visiting the rows, and there one
    statement over the whole window measured best (p50 2.5 ms against 6.5 ms for slices
    growing from 1/16 of the window, p95 12.5 against 18.6 ms).
    """
    start, end = filters.get("start"), filters.get("end")
    if filters.get("cursor") is not None and start is not None:
        start = max(start, decode_cursor(filters["cursor"])[0])
    if start is None or end is None or end <= start:
        return [(filters.get("start"), end)]
    counts = spatial_for(conn).candidate_histogram(
        conn, bbox=filters.get("bbox"), start=start, end=end, buckets=_BUCKETS
    )
    if counts is None:
        return [(filters.get("start"), end)]
    width = (end - start) / _BUCKETS
    cuts = [start + width * i for i in range(_BUCKETS)] + [end]
    edges, held = [0], 0
    for i, n in enumerate(counts):
        held += n
        # A third more than a page: labels and the exact predicates drop some candidates.
        if held * 3 >= need * 4 and i + 1 < _BUCKETS:
            edges.append(i + 1)
            held = 0
    edges.append(_BUCKETS)
    return [(cuts[a], cuts[b]) for a, b in pairwise(edges)]


def list_reports(conn: Connection, *, limit: int = 1000, **filters: Any) -> Page:
    """Reports the viewer may see, in (observed_at, id) order, filtered and paged."""
    need = limit + 1  # one more than a page says whether another page follows
    if isinstance(filters.get("zone"), str):
        # Resolved once, and the window cut to the zone's bounds and validity, so that the
        # time slices below count the zone's candidates rather than the whole map's.
        area = resolve_zone(conn, viewer=filters["viewer"], uid=filters["zone"])
        bbox, start, end, _ = area.narrow(
            filters.get("bbox"), filters.get("start"), filters.get("end")
        )
        filters = {**filters, "zone": area, "bbox": bbox, "start": start, "end": end}
    rows: list[Any] = []
    for lo, hi in _time_slices(conn, need=need, filters=filters):
        query = reports_query(
            conn, limit=need - len(rows) - 1, **{**filters, "start": lo, "end": hi}
        )
        rows += conn.execute(query).all()
        if len(rows) >= need:
            break
    rows.sort(key=lambda row: (row[1], row[0]))  # (observed_at, id)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        next_cursor = encode_cursor(_stored_time(rows[-1][1]), rows[-1][0])
    marks, ids = [r[3] for r in rows], [r[2] for r in rows]
    if filters.get("table"):
        return Page([], marks, ids, next_cursor, [tuple(r[4:]) for r in rows])
    return Page([r[4] for r in rows], marks, ids, next_cursor)


def get_report(conn: Connection, *, viewer: Any, uuid: str) -> dict[str, Any] | None:
    """One report by its uuid, or None when absent or not visible to ``viewer``."""
    row = conn.execute(
        select(*_columns(conn))
        .select_from(_FROM)
        .where(reports.c.uuid == uuid, visible(reports, viewer))
    ).first()
    return orjson.loads(row[4]) if row is not None else None


def count_reports(conn: Connection, *, viewer: Any) -> int:
    """How many reports ``viewer`` may see."""
    query = select(func.count()).select_from(reports).where(visible(reports, viewer))
    return int(conn.execute(query).scalar_one())


def reports_after(
    conn: Connection, *, viewer: Any, after: int, limit: int = 500
) -> list[tuple[int, dict[str, Any]]]:
    """Reports stored after row ``after`` that ``viewer`` may see, oldest first, as (row id,
    Feature): the live feed reads through the same label filter as every list."""
    page = (
        select(reports.c.id)
        .where(visible(reports, viewer), reports.c.id > after)
        .order_by(reports.c.id)
        .limit(limit)
        .subquery()
    )
    query = (
        select(reports.c.id, spatial_for(conn).report_feature_json())
        .select_from(_FROM.join(page, page.c.id == reports.c.id))
        .order_by(reports.c.id)
    )
    return [(int(row[0]), orjson.loads(row[1])) for row in conn.execute(query)]


def last_report_row(conn: Connection) -> int:
    """The newest report's row id (0 when none): where a new live feed starts."""
    return int(conn.execute(select(func.coalesce(func.max(reports.c.id), 0))).scalar_one())


def report_feature(conn: Connection, report_id: int) -> dict[str, Any]:
    """The Feature of the report with row id ``report_id``, unfiltered (for the store's own
    bookkeeping, e.g. keeping a superseded version; never hand it to a reader as it is)."""
    query = (
        select(spatial_for(conn).report_feature_json())
        .select_from(_FROM)
        .where(reports.c.id == report_id)
    )
    feature: dict[str, Any] = orjson.loads(conn.execute(query).scalar_one())
    return feature
