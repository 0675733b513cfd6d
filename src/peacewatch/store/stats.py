"""Activity per UTC day for the dashboards: incidents by kind, violations by party or zone and
state, patrols run, track points and kilometres patrolled.

Counted in SQL with GROUP BY on the indexed time column, through the label filter, split by the
label of what is counted (``items``: one row per key and label, as compliance summaries do),
so the response takes the most restrictive label of what it counts. ``series`` then give the
per-day counts of each key summed over those labels, on the dense run of ``days`` from the
first to the last day with anything counted (days with nothing count 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pyproj
import shapely
from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    FromClause,
    LargeBinary,
    String,
    and_,
    cast,
    func,
    literal_column,
    select,
    type_coerce,
)

from peacewatch.domain.labels import Label, Viewer, most_restrictive
from peacewatch.domain.times import rfc3339
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.store.label_filter import visible
from peacewatch.store.tables import (
    events,
    labels,
    missions,
    parties,
    patrol_tracks,
    patrols,
    reports,
    violations,
    zones,
)
from peacewatch.store.violations import _where as violation_filters

INCIDENT_SOURCES = ("reports", "events")
VIOLATION_KEYS = ("party", "zone")
# Withdrawn violations (a re-check found no breach after all) are not counted.
STATES = ("suspected", "confirmed", "dismissed")
PATROL_MEASURES = ("patrols", "track_points", "km")
_GEOD = pyproj.Geod(ellps="WGS84")


def utc_day(conn: Connection, column: Any) -> ColumnElement[Any]:
    """The UTC day of a stored time, as SQL (a date on PostgreSQL, 'YYYY-MM-DD' on SQLite)."""
    if conn.dialect.name == "postgresql":
        return cast(func.timezone(literal_column("'UTC'"), column), Date)
    # SQLite stores UTC times as fixed-width text "YYYY-MM-DD HH:MM:SS.ffffff" (store/types.py).
    return func.substr(type_coerce(column, String), 1, 10)


def day_text(value: Any) -> str:
    """A day as read back from ``utc_day`` (a date or its text), as 'YYYY-MM-DD'."""
    return value.isoformat() if isinstance(value, date) else str(value)


def of_mission(column: Any, mission: str | None) -> list[ColumnElement[bool]]:
    """``column`` (a mission_id) is ``mission``'s id, when a mission is asked for."""
    if mission is None:
        return []
    return [column == select(missions.c.id).where(missions.c.code == mission).scalar_subquery()]


def in_window(
    column: Any, start: datetime | None, end: datetime | None
) -> list[ColumnElement[bool]]:
    """``column`` within [start, end), each bound only when given."""
    out: list[ColumnElement[bool]] = []
    if start is not None:
        out.append(column >= start)
    if end is not None:
        out.append(column < end)
    return out


def markings_of(conn: Connection, label_ids: Iterable[int]) -> dict[int, str]:
    """The marking of each label id given."""
    ids = sorted(set(label_ids))
    if not ids:
        return {}
    query = select(labels.c.id, labels.c.marking).where(labels.c.id.in_(ids))
    return {int(i): str(m) for i, m in conn.execute(query)}


def _dense_days(days: Iterable[str]) -> list[str]:
    """Every day from the first to the last of ``days`` (ISO dates), in order."""
    found = sorted(set(days))
    if not found:
        return []
    first, last = date.fromisoformat(found[0]), date.fromisoformat(found[-1])
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def _body(
    start: datetime | None,
    end: datetime | None,
    days: list[str],
    series: list[dict[str, Any]],
    items: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "start": rfc3339(start),
        "end": rfc3339(end),
        "days": days,
        "series": series,
        "items": items,
    }


def _counted(
    rows: Sequence[tuple[str, Any, str, str, int]], names: dict[Any, str | None] | None = None
) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    """(days, series, items) from (day, key, state, marking, count) rows."""
    days = _dense_days(r[0] for r in rows)
    at = {d: i for i, d in enumerate(days)}
    series: dict[Any, dict[str, Any]] = {}
    items: dict[tuple[Any, str], dict[str, Any]] = {}
    for day, key, state, marking, n in rows:
        entry = series.get(key)
        if entry is None:
            entry = {"key": key, "total": 0, "counts": [0] * len(days)}
            if names is not None:
                entry["name"] = names.get(key)
            series[key] = entry
        entry["total"] += n
        entry["counts"][at[day]] += n
        if state:
            states = entry.setdefault("states", {})
            states.setdefault(state, [0] * len(days))[at[day]] += n
        item = items.setdefault(
            (key, marking), {"id": f"{key}|{marking}", "key": key, "label": marking, "total": 0}
        )
        item["total"] += n
    order = lambda e: (e["key"] is None, str(e["key"]), e.get("label", ""))  # noqa: E731
    return days, sorted(series.values(), key=order), sorted(items.values(), key=order)


def incidents_per_day(
    conn: Connection,
    *,
    viewer: Viewer,
    start: datetime | None = None,
    end: datetime | None = None,
    mission: str | None = None,
    of: str = "reports",
) -> dict[str, Any]:
    """Visible reports (or fused events, by their first observation) per UTC day and kind."""
    if of not in INCIDENT_SOURCES:
        raise ValidationFailed(
            f"cannot count {of!r}", [FieldProblem("of", f"one of {', '.join(INCIDENT_SOURCES)}")]
        )
    table, observed = (
        (reports, reports.c.observed_at)
        if of == "reports"
        else (events, events.c.first_observed_at)
    )
    where = [
        visible(table, viewer),
        *in_window(observed, start, end),
        *of_mission(table.c.mission_id, mission),
    ]
    day = utc_day(conn, observed).label("d")
    query = (
        select(day, table.c.kind, table.c.label_id, func.count())
        .where(*where)
        .group_by(literal_column("d"), table.c.kind, table.c.label_id)
    )
    found = conn.execute(query).all()
    marks = markings_of(conn, (r[2] for r in found))
    rows = [(day_text(d), kind, "", marks[lid], int(n)) for d, kind, lid, n in found]
    return {"of": of, **_body(start, end, *_counted(rows))}


def _violation_key(viewer: Viewer, by: str) -> tuple[FromClause, Any, Any]:
    """violations joined to the party or zone ``viewer`` may see, and its (key, name)."""
    if by not in VIOLATION_KEYS:
        raise ValidationFailed(
            f"cannot count violations by {by!r}",
            [FieldProblem("by", f"one of {', '.join(VIOLATION_KEYS)}")],
        )
    table, column = (
        (parties, violations.c.party_id) if by == "party" else (zones, violations.c.zone_id)
    )
    # An outer join: a violation whose party or zone the viewer may not see still counts, under
    # no key (null), as the violation list shows it with that member left out.
    joined = violations.outerjoin(table, and_(table.c.id == column, visible(table, viewer)))
    if by == "party":
        return joined, parties.c.code, parties.c.name
    return joined, zones.c.uid, zones.c.name


def violations_per_day(
    conn: Connection,
    *,
    viewer: Viewer,
    by: str = "party",
    start: datetime | None = None,
    end: datetime | None = None,
    mission: str | None = None,
) -> dict[str, Any]:
    """Visible violations per UTC day and party (or zone), with the count in each state."""
    joined, key, name = _violation_key(viewer, by)
    day = utc_day(conn, violations.c.observed_at).label("d")
    query = (
        select(day, key.label("k"), name.label("n"), violations.c.state, violations.c.label_id)
        .add_columns(func.count())
        .select_from(joined)
        .where(*violation_filters(viewer, conn, start=start, end=end))
        .where(*of_mission(violations.c.mission_id, mission))
        .where(violations.c.state.in_(STATES))
        .group_by(literal_column("d"), key, name, violations.c.state, violations.c.label_id)
    )
    found = conn.execute(query).all()
    marks = markings_of(conn, (r[4] for r in found))
    names = {r[1]: r[2] for r in found}
    rows = [(day_text(d), k, state, marks[lid], int(n)) for d, k, _, state, lid, n in found]
    days, series, items = _counted(rows, names)
    for entry in series:
        entry["states"] = {s: entry["states"].get(s, [0] * len(days)) for s in STATES}
    return {"by": by, "states": list(STATES), **_body(start, end, days, series, items)}


def _track_km(
    conn: Connection, where: list[ColumnElement[bool]], day: ColumnElement[Any]
) -> dict[tuple[str, int, int], float]:
    """Kilometres of the visible tracks per (day, track label, patrol label): geodesic lengths
    on the WGS 84 ellipsoid, summed in SQL on PostGIS; on SQLite, which has no geometry
    functions, measured over the window's lines at once (shapely and pyproj arrays)."""
    keys = (day, patrol_tracks.c.label_id, patrols.c.label_id)
    joined = patrol_tracks.join(patrols, patrols.c.id == patrol_tracks.c.patrol_id)
    if conn.dialect.name == "postgresql":
        metres = func.sum(func.ST_Length(func.geography(patrol_tracks.c.geometry)))
        query = select(*keys, metres).select_from(joined).where(*where).group_by(*keys)
        found = conn.execute(query).all()
        return {(day_text(d), int(t), int(p)): float(m or 0) / 1000 for d, t, p, m in found}
    # The WKB as stored: the Geometry type would parse each row on its own.
    wkb = type_coerce(patrol_tracks.c.geometry, LargeBinary)
    rows = conn.execute(select(*keys, wkb).select_from(joined).where(*where)).all()
    if not rows:
        return {}
    lines = shapely.from_wkb(np.array([r[3] for r in rows], dtype=object))
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    inner = owner[1:] == owner[:-1]  # consecutive vertices of one line make a segment
    a, b = coords[:-1][inner], coords[1:][inner]
    _, _, metres = _GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    per_line = np.bincount(owner[:-1][inner], weights=metres, minlength=len(rows))
    out: dict[tuple[str, int, int], float] = {}
    for (d, t, p, _), m in zip(rows, per_line.tolist(), strict=True):
        key = (day_text(d), int(t), int(p))
        out[key] = out.get(key, 0.0) + m / 1000
    return out


def patrols_per_day(
    conn: Connection,
    *,
    viewer: Viewer,
    start: datetime | None = None,
    end: datetime | None = None,
    mission: str | None = None,
) -> dict[str, Any]:
    """Per UTC day: visible patrols that started, and the points and kilometres of the visible
    tracks of visible patrols, by the day each track started."""
    where_patrols = [
        visible(patrols, viewer),
        *in_window(patrols.c.start_at, start, end),
        *of_mission(patrols.c.mission_id, mission),
    ]
    day = utc_day(conn, patrols.c.start_at).label("d")
    run = (
        select(day, patrols.c.label_id, func.count())
        .where(*where_patrols)
        .group_by(literal_column("d"), patrols.c.label_id)
    )
    # A track counts when both it and its patrol are visible, under the more restrictive label.
    where_tracks = [
        visible(patrol_tracks, viewer),
        visible(patrols, viewer),
        *in_window(patrol_tracks.c.start_at, start, end),
        *of_mission(patrols.c.mission_id, mission),
    ]
    track_day = utc_day(conn, patrol_tracks.c.start_at).label("d")
    points = (
        select(track_day, patrol_tracks.c.label_id, patrols.c.label_id)
        .add_columns(func.sum(func.json_array_length(patrol_tracks.c.times)))
        .select_from(patrol_tracks.join(patrols, patrols.c.id == patrol_tracks.c.patrol_id))
        .where(*where_tracks)
        .group_by(literal_column("d"), patrol_tracks.c.label_id, patrols.c.label_id)
    )
    runs = [(day_text(d), int(lid), int(n)) for d, lid, n in conn.execute(run)]
    tracks = {(day_text(d), int(t), int(p)): int(n or 0) for d, t, p, n in conn.execute(points)}
    km = _track_km(conn, where_tracks, track_day)
    marks = markings_of(conn, [r[1] for r in runs] + [i for k in tracks for i in k[1:]])
    days = _dense_days([r[0] for r in runs] + [k[0] for k in tracks])
    at = {d: i for i, d in enumerate(days)}
    series = {m: [0.0 if m == "km" else 0] * len(days) for m in PATROL_MEASURES}
    items: dict[str, dict[str, Any]] = {}

    def item(marking: str) -> dict[str, Any]:
        blank = {"id": marking, "label": marking, "patrols": 0, "track_points": 0, "km": 0.0}
        return items.setdefault(marking, blank)

    for d, lid, n in runs:
        series["patrols"][at[d]] += n
        item(marks[lid])["patrols"] += n
    for (d, t, p), n in tracks.items():
        entry = item(_stricter(marks[t], marks[p]))
        length = km.get((d, t, p), 0.0)
        series["track_points"][at[d]] += n
        series["km"][at[d]] += length
        entry["track_points"] += n
        entry["km"] += length
    out = [
        {"key": m, "total": _round(m, sum(series[m])), "counts": [_round(m, v) for v in series[m]]}
        for m in PATROL_MEASURES
    ]
    for entry in items.values():
        entry["km"] = round(entry["km"], 3)
    listed = sorted(items.values(), key=lambda e: str(e["label"]))
    return _body(start, end, days, out, listed)


def _round(measure: str, value: float) -> float:
    return round(value, 3) if measure == "km" else value


def _stricter(a: str, b: str) -> str:
    """The more restrictive of two markings (a derived count takes the stricter label)."""
    return a if a == b else most_restrictive([Label.parse(a), Label.parse(b)]).marking
