"""PostgreSQL + PostGIS-specific SQL: an n-D GiST index over (lon, lat, time) for reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import ColumnElement, Connection, String, Table, literal_column, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql.dml import Insert

from peacewatch.store.tables import REPORT_WRITE_COLUMNS, unit_positions

NAME = "postgresql"

# Reports keep lon/lat/observed_at as plain columns on both backends; here a trigger
# maintains a 3-D point (x=lon, y=lat, z=days since 1970) indexed with gist_geometry_ops_nd,
# the PostGIS counterpart of SQLite's R*Tree over (lon, lat, time). Days, not seconds, so that
# the index's boxes are not all thin time slices (see sqlite_spatial.SECONDS_PER_UNIT).
SECONDS_PER_UNIT = 86_400.0
_DDL = [
    "ALTER TABLE reports ADD COLUMN IF NOT EXISTS geom geometry(PointZ, 4326)",
    """CREATE OR REPLACE FUNCTION reports_set_geom() RETURNS trigger AS $$
    BEGIN
        NEW.geom := ST_SetSRID(ST_MakePoint(NEW.lon, NEW.lat,
                                            extract(epoch FROM NEW.observed_at) / 86400.0), 4326);
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS reports_set_geom ON reports",
    """CREATE TRIGGER reports_set_geom BEFORE INSERT OR UPDATE OF lon, lat, observed_at
       ON reports FOR EACH ROW EXECUTE FUNCTION reports_set_geom()""",
    "UPDATE reports SET lon = lon WHERE geom IS NULL",
    """CREATE INDEX IF NOT EXISTS ix_reports_geom_nd
       ON reports USING gist (geom gist_geometry_ops_nd)""",
    "CREATE INDEX IF NOT EXISTS ix_zones_geometry ON zones USING gist (geometry)",
    "CREATE INDEX IF NOT EXISTS ix_patrol_tracks_geometry ON patrol_tracks USING gist (geometry)",
]

_DROP = [
    "DROP INDEX IF EXISTS ix_patrol_tracks_geometry",
    "DROP INDEX IF EXISTS ix_zones_geometry",
    "DROP INDEX IF EXISTS ix_reports_geom_nd",
    "DROP TRIGGER IF EXISTS reports_set_geom ON reports",
    "DROP FUNCTION IF EXISTS reports_set_geom()",
    "ALTER TABLE reports DROP COLUMN IF EXISTS geom",
]

_FAR_PAST = -1.0e11
_FAR_FUTURE = 1.0e11


def prepare(conn: Connection) -> None:
    """Enable PostGIS before any table with a geometry column is made (needs a superuser)."""
    conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")


def install_spatial(conn: Connection) -> None:
    """Create the 3-D point column, its trigger and the GiST indexes."""
    for statement in _DDL:
        conn.exec_driver_sql(statement)


def drop_spatial(conn: Connection) -> None:
    """Remove what install_spatial made (downgrade)."""
    for statement in _DROP:
        conn.exec_driver_sql(statement)


def insert_ignoring_constraint(table: Table) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING: rows that would break any unique constraint are skipped."""
    return pg_insert(table).on_conflict_do_nothing()


def insert_ignoring_duplicates(table: Table, key: str) -> Insert:
    """INSERT … ON CONFLICT (key) DO NOTHING."""
    return pg_insert(table).on_conflict_do_nothing(index_elements=[key])


_COLUMN_LIST = ", ".join(REPORT_WRITE_COLUMNS)


def insert_reports(conn: Connection, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert report rows, skipping uuids already stored; returns the uuids written.

    The ingest hot path: rows are COPYed into a session-local staging table, then moved with
    INSERT … ON CONFLICT DO NOTHING RETURNING, which tells exactly which rows were new even
    with several writers at once.
    """
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS reports_incoming "
            "(LIKE reports INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        with cur.copy(f"COPY reports_incoming ({_COLUMN_LIST}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(
                    (
                        r["uuid"], r["mission_id"], r["kind"], r["observed_at"], r["reported_at"],
                        r["lon"], r["lat"], r["location_precision"], r["time_precision"],
                        r["party_id"], r["source"], r["grade"], r["title"], r["text"],
                        r["synthetic"], orjson.dumps(r["attributes"]).decode(), r["label_id"],
                        r["created_by"], r["created_at"],
                    )
                )  # fmt: skip
        cur.execute(
            f"INSERT INTO reports ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM reports_incoming "
            "ON CONFLICT (uuid) DO NOTHING RETURNING id, uuid"
        )
        ids = dict((u, i) for i, u in cur.fetchall())
        inserted = set(ids)
        for r in rows:
            if r["uuid"] in ids:
                r["id"] = ids[r["uuid"]]
        cur.execute("TRUNCATE reports_incoming")
    return inserted


def report_candidates(
    *,
    bbox: tuple[float, float, float, float] | None,
    start: datetime | None,
    end: datetime | None,
) -> ColumnElement[bool] | None:
    """Condition on ``reports``: its (lon, lat, time) point lies in the query's box (n-D GiST)."""
    if bbox is None and start is None and end is None:
        return None
    min_lon, min_lat, max_lon, max_lat = bbox if bbox is not None else (-180.0, -90.0, 180.0, 90.0)
    box = text(
        "reports.geom &&& ST_SetSRID(ST_MakeLine("
        "ST_MakePoint(:c_min_lon, :c_min_lat, :c_start), "
        "ST_MakePoint(:c_max_lon, :c_max_lat, :c_end)), 4326)"
    ).bindparams(
        c_min_lon=min_lon,
        c_min_lat=min_lat,
        c_max_lon=max_lon,
        c_max_lat=max_lat,
        c_start=start.timestamp() / SECONDS_PER_UNIT if start is not None else _FAR_PAST,
        c_end=end.timestamp() / SECONDS_PER_UNIT if end is not None else _FAR_FUTURE,
    )
    return cast(ColumnElement[bool], box)


def point_in_zone(zone_id: int) -> ColumnElement[bool]:
    """Condition on ``reports``: its point lies in zone ``zone_id``'s geometry, edge included.

    The zone's geometry is a sub-select PostgreSQL runs once (an InitPlan), so ST_Intersects
    prepares it for every candidate; the candidates come from the n-D GiST (the caller bounds
    the read by the zone's bbox)."""
    clause = text(
        "ST_Intersects(reports.geom, (SELECT zones.geometry FROM zones WHERE zones.id = :zone_id))"
    ).bindparams(zone_id=zone_id)
    return cast(ColumnElement[bool], clause)


# A report as GeoJSON Feature text, built by PostgreSQL's JSON functions (see the SQLite twin:
# same members, same RFC 3339 UTC times).
_RFC3339 = (
    "CASE WHEN date_trunc('second', {c}) = {c} "
    "THEN to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
    "ELSE to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') END"
)
_FEATURE_JSON = """json_build_object('type', 'Feature', 'id', reports.uuid,
  'geometry', json_build_object('type', 'Point',
    'coordinates', json_build_array(reports.lon, reports.lat)),
  'properties', json_build_object('id', reports.uuid, 'mission', missions.code,
    'kind', reports.kind,
    'observed_at', {observed}, 'reported_at', {reported}, 'ingested_at', {created},
    'location_precision', reports.location_precision, 'time_precision', reports.time_precision,
    'party', parties.code, 'source', reports.source, 'grade', reports.grade,
    'title', reports.title, 'text', reports.text, 'label', labels.marking,
    'version', reports.version,
    'synthetic', reports.synthetic, 'attributes', reports.attributes))::text""".format(
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
) -> None:
    """None: the n-D GiST cannot count without visiting the rows, so list_reports reads the
    window in one statement."""
    return None


_AUDIT_GUARD = [
    """CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
]


def serialize_audit(conn: Connection) -> None:
    """Hold the audit chain's lock until this transaction ends, so entries chain in order."""
    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('peacewatch.audit_log'))")


def install_audit_guard(conn: Connection) -> None:
    """Make ``audit_log`` append-only in the database itself: UPDATE and DELETE fail."""
    for statement in _AUDIT_GUARD:
        conn.exec_driver_sql(statement)


def drop_audit_guard(conn: Connection) -> None:
    """Remove the append-only guard (downgrade)."""
    for statement in [
        "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
        "DROP FUNCTION IF EXISTS audit_log_append_only()",
    ]:
        conn.exec_driver_sql(statement)


def check_integrity(conn: Connection) -> list[str]:
    """PostgreSQL checks its own pages; here we check the spatial column is complete."""
    missing = conn.execute(text("SELECT count(*) FROM reports WHERE geom IS NULL")).scalar_one()
    return [f"{missing} reports lack their spatial index point"] if missing else []


def insert_positions(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert unit position rows, giving each its ``id`` (RETURNING in parameter order)."""
    ids = (
        conn.execute(
            unit_positions.insert().returning(unit_positions.c.id, sort_by_parameter_order=True),
            list(rows),
        )
        .scalars()
        .all()
    )
    for row, row_id in zip(rows, ids, strict=True):
        row["id"] = int(row_id)
