"""SQLite-specific SQL: the R*Tree over (lon, lat, time) for reports, kept in step by triggers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
import shapely
from sqlalchemy import ColumnElement, Connection, Integer, String, Table, literal_column, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.dml import Insert

from peacewatch.store.tables import REPORT_WRITE_COLUMNS, reports
from peacewatch.store.types import sqlite_time

NAME = "sqlite"

# The R*Tree holds (lon, lat, seconds since 1970) of every report. New reports enter it in
# insert_reports (explicit rows are faster than an AFTER INSERT trigger: 40k/s against 25k/s
# here); triggers keep it right when a report is moved or deleted. float32 in the R*Tree is
# rounded outward, so the tree may return a few extra candidates and never misses one.
_EPOCH = "(julianday({col}) - 2440587.5)"
# Time in the tree is in DAYS since 1970. The R*Tree splits nodes by raw extents, so with
# seconds the time axis (3e7 per year) dwarfs the degrees and nodes become thin time slices:
# on 10^7 reports a 10 km x 24 h box took 12 ms at p50, 53 ms at p95; in days, 0.1 / 0.4 ms.
SECONDS_PER_UNIT = 86_400.0

_DDL = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS reports_rtree USING rtree(
        id, min_lon, max_lon, min_lat, max_lat, min_t, max_t)""",
    f"""CREATE TRIGGER IF NOT EXISTS reports_rtree_au
        AFTER UPDATE OF lon, lat, observed_at ON reports BEGIN
        UPDATE reports_rtree SET min_lon = new.lon, max_lon = new.lon,
            min_lat = new.lat, max_lat = new.lat,
            min_t = {_EPOCH.format(col="new.observed_at")},
            max_t = {_EPOCH.format(col="new.observed_at")}
        WHERE id = new.id;
        END""",
    """CREATE TRIGGER IF NOT EXISTS reports_rtree_ad AFTER DELETE ON reports BEGIN
        DELETE FROM reports_rtree WHERE id = old.id;
        END""",
]

_DROP = [
    "DROP TRIGGER IF EXISTS reports_rtree_au",
    "DROP TRIGGER IF EXISTS reports_rtree_ad",
    "DROP TABLE IF EXISTS reports_rtree",
]


def prepare(conn: Connection) -> None:
    """Nothing to enable before the tables: R*Tree is built into SQLite."""


def install_spatial(conn: Connection) -> None:
    """Create the R*Tree and its triggers (called by the migration)."""
    for statement in _DDL:
        conn.exec_driver_sql(statement)
    # Rows written before the index existed (none on a fresh store) are indexed here.
    conn.exec_driver_sql(
        "INSERT OR IGNORE INTO reports_rtree SELECT id, lon, lon, lat, lat, "
        f"{_EPOCH.format(col='observed_at')}, {_EPOCH.format(col='observed_at')} FROM reports"
    )


def drop_spatial(conn: Connection) -> None:
    """Remove the R*Tree and its triggers (downgrade)."""
    for statement in _DROP:
        conn.exec_driver_sql(statement)


def insert_ignoring_constraint(table: Table) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING: rows that would break any unique constraint are skipped."""
    return sqlite_insert(table).on_conflict_do_nothing()


def insert_ignoring_duplicates(table: Table, key: str) -> Insert:
    """INSERT … ON CONFLICT (key) DO NOTHING."""
    return sqlite_insert(table).on_conflict_do_nothing(index_elements=[key])


_REPORT_COLUMNS = ("id", *REPORT_WRITE_COLUMNS)
_INSERT_REPORTS = (
    f"INSERT INTO reports ({', '.join(_REPORT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_REPORT_COLUMNS))})"
)


def insert_reports(conn: Connection, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert report rows whose uuid is new; returns the uuids written.

    This is the ingest hot path, so rows go straight to the driver's executemany. Writes run
    under BEGIN IMMEDIATE (one writer at a time), so the look-up of existing uuids cannot race
    with another insert, and the ids given here are free.
    """
    uuids = [r["uuid"] for r in rows]
    existing: set[str] = set()
    for i in range(0, len(uuids), 10_000):
        chunk = tuple(uuids[i : i + 10_000])
        marks = ",".join("?" * len(chunk))
        existing.update(
            conn.exec_driver_sql(
                f"SELECT uuid FROM reports WHERE uuid IN ({marks})", chunk
            ).scalars()
        )
    new = [r for r in rows if r["uuid"] not in existing]
    if not new:
        return set()
    # Ids are ours to choose: BEGIN IMMEDIATE makes this the only writer until commit.
    first = conn.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM reports").scalar_one()
    dumps = orjson.dumps
    params = []
    boxes = []
    for offset, r in enumerate(new):
        row_id = first + offset
        r["id"] = row_id
        observed = r["observed_at"]
        params.append(
            (
                row_id, r["uuid"], r["mission_id"], r["kind"], sqlite_time(observed),
                sqlite_time(r["reported_at"]), r["lon"], r["lat"], r["location_precision"],
                r["time_precision"], r["party_id"], r["source"], r["grade"], r["title"], r["text"],
                1 if r["synthetic"] else 0, dumps(r["attributes"]).decode(), r["label_id"],
                r["created_by"], sqlite_time(r["created_at"]),
            )
        )  # fmt: skip
        t = observed.timestamp() / SECONDS_PER_UNIT
        boxes.append((row_id, r["lon"], r["lon"], r["lat"], r["lat"], t, t))
    conn.exec_driver_sql(_INSERT_REPORTS, params)
    conn.exec_driver_sql("INSERT INTO reports_rtree VALUES (?, ?, ?, ?, ?, ?, ?)", boxes)
    return {r["uuid"] for r in new}


_INSERT_POSITIONS = (
    "INSERT INTO unit_positions (id, unit_id, observed_at, lon, lat, source, synthetic, "
    "label_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def insert_positions(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert unit position rows in one executemany, giving each its ``id``: under BEGIN
    IMMEDIATE this is the only writer, so the ids after the largest are free (RETURNING with
    parameter order would cost one statement per row here)."""
    first = conn.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM unit_positions").scalar_one()
    params = []
    created: dict[datetime, str] = {}  # a batch is usually written at one moment
    for offset, r in enumerate(rows):
        r["id"] = first + offset
        at = r["created_at"]
        if (created_text := created.get(at)) is None:
            created_text = created[at] = sqlite_time(at)
        params.append(
            (
                r["id"], r["unit_id"], sqlite_time(r["observed_at"]), r["lon"], r["lat"],
                r.get("source"), 1 if r.get("synthetic") else 0, r["label_id"], r["created_by"],
                created_text,
            )
        )  # fmt: skip
    conn.exec_driver_sql(_INSERT_POSITIONS, params)


def report_candidates(
    *,
    bbox: tuple[float, float, float, float] | None,
    start: datetime | None,
    end: datetime | None,
) -> ColumnElement[bool] | None:
    """Condition on ``reports``: its (lon, lat, time) box meets the query's (R*Tree), or None."""
    if bbox is None and start is None and end is None:
        return None
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if bbox is not None:
        clauses += [
            "max_lon >= :c_min_lon",
            "min_lon <= :c_max_lon",
            "max_lat >= :c_min_lat",
            "min_lat <= :c_max_lat",
        ]
        params.update(c_min_lon=bbox[0], c_min_lat=bbox[1], c_max_lon=bbox[2], c_max_lat=bbox[3])
    if start is not None:
        clauses.append("max_t >= :c_start")
        params["c_start"] = start.timestamp() / SECONDS_PER_UNIT
    if end is not None:
        clauses.append("min_t <= :c_end")
        params["c_end"] = end.timestamp() / SECONDS_PER_UNIT
    sql = "SELECT id FROM reports_rtree WHERE " + " AND ".join(clauses)
    return reports.c.id.in_(text(sql).bindparams(**params).columns(id=Integer))


# A report as GeoJSON Feature text, built by SQLite's JSON functions: a page of 1,000 features
# costs ~1 ms here against ~8 ms building and serialising dicts in Python. Times go out as
# RFC 3339 UTC ("1999-06-12T08:00:00Z", with microseconds when there are any), straight from
# the stored text.
_RFC3339 = (
    "CASE WHEN substr({c}, 21) = '000000' THEN substr({c}, 1, 10) || 'T' || substr({c}, 12, 8)"
    " || 'Z' ELSE replace({c}, ' ', 'T') || 'Z' END"
)
_FEATURE_JSON = """json_object('type', 'Feature', 'id', reports.uuid,
  'geometry', json_object('type', 'Point', 'coordinates', json_array(reports.lon, reports.lat)),
  'properties', json_object('id', reports.uuid, 'mission', missions.code, 'kind', reports.kind,
    'observed_at', {observed}, 'reported_at', {reported}, 'ingested_at', {created},
    'location_precision', reports.location_precision, 'time_precision', reports.time_precision,
    'party', parties.code, 'source', reports.source, 'grade', reports.grade,
    'title', reports.title, 'text', reports.text, 'label', labels.marking,
    'version', reports.version,
    'synthetic', json(CASE WHEN reports.synthetic THEN 'true' ELSE 'false' END),
    'attributes', json(reports.attributes)))""".format(
    observed=_RFC3339.format(c="reports.observed_at"),
    reported=_RFC3339.format(c="reports.reported_at"),
    created=_RFC3339.format(c="reports.created_at"),
)


def rfc3339(column: str) -> ColumnElement[str]:
    """SQL for a stored time as RFC 3339 UTC text, as the Features write it."""
    return literal_column(_RFC3339.format(c=column), String)


def report_feature_json() -> ColumnElement[str]:
    """SQL for a report row as GeoJSON Feature text (needs reports, missions, parties, labels)."""
    return literal_column(_FEATURE_JSON, String)


def candidate_histogram(
    conn: Connection,
    *,
    bbox: tuple[float, float, float, float] | None,
    start: datetime,
    end: datetime,
    buckets: int,
) -> list[int]:
    """R*Tree candidates per equal time bucket of [start, end), read from the index alone.

    An estimate (the tree's float32 boxes are rounded outward, and labels are not applied):
    list_reports uses it to read a dense box's first page from its first hours only.
    """
    lo = start.timestamp() / SECONDS_PER_UNIT
    hi = end.timestamp() / SECONDS_PER_UNIT
    where = ["max_t >= :lo", "min_t <= :hi"]
    params: dict[str, Any] = {"lo": lo, "hi": hi, "scale": buckets / (hi - lo)}
    if bbox is not None:
        where += ["max_lon >= :x0", "min_lon <= :x1", "max_lat >= :y0", "min_lat <= :y1"]
        params.update(x0=bbox[0], y0=bbox[1], x1=bbox[2], y1=bbox[3])
    sql = (
        "SELECT CAST((min_t - :lo) * :scale AS INTEGER) AS b, count(*) FROM reports_rtree "
        f"WHERE {' AND '.join(where)} GROUP BY b"
    )
    counts = [0] * buckets
    for bucket, n in conn.execute(text(sql), params):
        counts[min(max(int(bucket), 0), buckets - 1)] += int(n)
    return counts


# Zones a read filters by, prepared once, by the key report_search gives them (a digest of
# their WKB, so an edited zone gets a new key). SQLite has no geometry functions: the exact
# point-in-zone test of the R*Tree's candidates runs here, inside the query and before its
# LIMIT, so that keyset pages stay exact. Bounded: a few hundred zones is many.
_ZONES: dict[str, shapely.Geometry] = {}
_ZONES_MAX = 256


def remember_zone(key: str, geometry: shapely.Geometry) -> None:
    """Make ``geometry`` known to zone_has() under ``key`` (prepared for repeated tests)."""
    if key in _ZONES:
        return
    while len(_ZONES) >= _ZONES_MAX:
        _ZONES.pop(next(iter(_ZONES)))
    shapely.prepare(geometry)
    _ZONES[key] = geometry


def zone_has(key: str, lon: float, lat: float) -> int:
    """SQL function ``pw_zone_has(key, lon, lat)``: 1 when the point lies in the zone (its edge
    included, as PostGIS ST_Intersects counts it), else 0."""
    return 1 if shapely.intersects_xy(_ZONES[key], lon, lat) else 0


def register_functions(dbapi_conn: Any) -> None:
    """Register the SQL functions above on a new sqlite3 connection."""
    dbapi_conn.create_function("pw_zone_has", 3, zone_has, deterministic=True)


_AUDIT_GUARD = [
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
        END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
        END""",
]


def serialize_audit(conn: Connection) -> None:
    """Nothing to do: a SQLite write transaction (BEGIN IMMEDIATE) is already the only one."""


def install_audit_guard(conn: Connection) -> None:
    """Make ``audit_log`` append-only in the database itself: UPDATE and DELETE fail."""
    for statement in _AUDIT_GUARD:
        conn.exec_driver_sql(statement)


def drop_audit_guard(conn: Connection) -> None:
    """Remove the append-only guard (downgrade)."""
    for statement in [
        "DROP TRIGGER IF EXISTS audit_log_no_update",
        "DROP TRIGGER IF EXISTS audit_log_no_delete",
    ]:
        conn.exec_driver_sql(statement)


def check_integrity(conn: Connection) -> list[str]:
    """Problems found by SQLite's own integrity check (empty when the file is sound)."""
    rows = conn.execute(text("PRAGMA integrity_check")).scalars().all()
    return [] if rows == ["ok"] else [str(r) for r in rows]
