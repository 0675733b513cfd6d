"""Trends: visible incidents per ISO week (or UTC day) by kind, party or sector, each series
with its change against the previous period and a least-squares slope with its direction.

Kind and party are counted in SQL (GROUP BY day, key and label, through the label filter, as
store/stats.py counts per day); sector — the one sector holding the incident, by the overlap
rule of store/sectors.py, so counts per sector add up to the total — needs geometry that
SQLite lacks, so the window's visible incidents are placed in the visible sectors at once
(shapely, vectorised). Days fold into ISO weeks in Python. ``items`` split the
totals by key and label, so the answer takes the most restrictive label of what it counts; a
sector is named in ``items`` under its own label too (with a total of 0: it counts nothing).

The periods run densely over the window asked for (a period with nothing counts 0), cut to
the span from the first to the last incident the viewer may see at all; with no window, from
the first to the last period with anything counted. The last period may be
partial when the window ends inside it: compare like with like by choosing the window.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, func, literal_column, select

from peacewatch.analytics.points import incident_points, source
from peacewatch.domain.labels import Viewer
from peacewatch.domain.times import rfc3339
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.store.label_filter import visible
from peacewatch.store.sectors import OUTSIDE, sector_of, visible_sectors
from peacewatch.store.stats import day_text, in_window, markings_of, of_mission, utc_day
from peacewatch.store.tables import parties, reports

BY = ("kind", "party", "sector")
PERIODS = ("week", "day")
# A slope is called rising or falling when it is at least this many standard errors from 0
# (about 95 % two-sided for a dozen periods or more); otherwise flat.
T_THRESHOLD = 2.0


def period_of(day: date, period: str) -> date:
    """The first day of the period holding ``day``: itself, or the Monday of its ISO week."""
    return day - timedelta(days=day.weekday()) if period == "week" else day


def period_name(first: date, period: str) -> str:
    """A period's name: ``1999-W24`` for an ISO week, ``1999-06-14`` for a day."""
    if period == "day":
        return first.isoformat()
    year, week, _ = first.isocalendar()
    return f"{year}-W{week:02d}"


def linear_trend(counts: Sequence[float]) -> dict[str, Any]:
    """Least-squares slope of ``counts`` over their periods (per period), its standard error
    and direction: rising or falling when the slope is ``T_THRESHOLD`` standard errors from 0
    (or, with no scatter at all, when it is not 0), else flat."""
    y = np.asarray(counts, dtype=float)
    n = len(y)
    if n < 2:
        return {"slope": 0.0, "stderr": None, "direction": "flat"}
    x = np.arange(n, dtype=float)
    sxx = float(((x - x.mean()) ** 2).sum())
    slope = float(((x - x.mean()) * (y - y.mean())).sum() / sxx)
    stderr: float | None = None
    if n > 2:
        residual = y - (y.mean() + slope * (x - x.mean()))
        stderr = math.sqrt(float((residual**2).sum()) / (n - 2) / sxx)
    if abs(slope) < 1e-12:
        direction = "flat"
    elif stderr is None or stderr < 1e-12 or abs(slope) >= T_THRESHOLD * stderr:
        direction = "rising" if slope > 0 else "falling"
    else:
        direction = "flat"
    return {
        "slope": round(slope, 4),
        "stderr": None if stderr is None else round(stderr, 4),
        "direction": direction,
    }


def change(counts: Sequence[int]) -> dict[str, Any]:
    """The last period against the one before: both counts, the difference and the percentage
    (none when the previous period counted nothing)."""
    last = counts[-1] if counts else 0
    previous = counts[-2] if len(counts) > 1 else 0
    percent = None if previous == 0 else round(100.0 * (last - previous) / previous, 1)
    return {"last": last, "previous": previous, "absolute": last - previous, "percent": percent}


def _periods(
    found: list[date], start: datetime | None, end: datetime | None, period: str
) -> list[date]:
    """The first day of every period from the window's start (or the first found) to its end
    (or the last found), in order."""
    first = period_of(start.astimezone(UTC).date(), period) if start else None
    last = (
        period_of((end - timedelta(microseconds=1)).astimezone(UTC).date(), period) if end else None
    )
    if found:
        first = first or min(found)
        last = last or max(found)
    if first is None or last is None or last < first:
        return []
    step = 7 if period == "week" else 1
    return [first + timedelta(days=i) for i in range(0, (last - first).days + 1, step)]


def _clipped(
    conn: Connection,
    viewer: Viewer,
    of: str,
    start: datetime | None,
    end: datetime | None,
    mission: str | None,
) -> tuple[datetime | None, datetime | None]:
    """The window, cut to the span of everything the viewer may see: weeks before the first
    incident or after the last are not quiet weeks but weeks with no records at all (a window
    from the mission's start to today would otherwise chart years of zeros)."""
    if start is None and end is None:
        return start, end
    table, observed = source(of)
    first, last = conn.execute(
        select(func.min(observed), func.max(observed)).where(
            visible(table, viewer), *of_mission(table.c.mission_id, mission)
        )
    ).one()
    if first is None:
        return start, end
    if start is not None and start < first:
        start = first
    if end is not None and end > last:
        end = last + timedelta(microseconds=1)
    if start is not None and end is not None and end <= start:
        return start, start + timedelta(microseconds=1)
    return start, end


def _by_key_sql(
    conn: Connection,
    viewer: Viewer,
    by: str,
    of: str,
    start: datetime | None,
    end: datetime | None,
    mission: str | None,
) -> tuple[list[tuple[date, Any, str, int]], dict[Any, str | None]]:
    """(day, key, marking, count) rows counted in SQL, and each key's name."""
    table, observed = source(of)
    day = utc_day(conn, observed).label("d")
    where = [visible(table, viewer), *in_window(observed, start, end)]
    where += of_mission(table.c.mission_id, mission)
    if by == "kind":
        key, name, joined = table.c.kind, table.c.kind, table
    else:
        # An outer join: a report whose party the viewer may not see still counts, under no
        # key (null), as the report list shows it with its party left out.
        key, name = parties.c.code, parties.c.name
        joined = table.outerjoin(
            parties, and_(parties.c.id == reports.c.party_id, visible(parties, viewer))
        )
    query = (
        select(day, key.label("k"), name.label("n"), table.c.label_id, func.count())
        .select_from(joined)
        .where(*where)
        .group_by(literal_column("d"), key, name, table.c.label_id)
    )
    found = conn.execute(query).all()
    marks = markings_of(conn, (int(r[3]) for r in found))
    rows = [
        (date.fromisoformat(day_text(d)), k, marks[int(lid)], int(c)) for d, k, _, lid, c in found
    ]
    names = {r[1]: r[2] for r in found} if by == "party" else {}
    return rows, names


def _by_sector(
    conn: Connection,
    viewer: Viewer,
    of: str,
    start: datetime | None,
    end: datetime | None,
    mission: str | None,
) -> tuple[list[tuple[date, Any, str, int]], dict[Any, str | None], dict[str, str]]:
    """(day, sector uid or None, marking, count) rows: each incident counts in the one visible
    sector holding it (store/sectors.py's rule) or under no sector; each sector's name and its
    own marking."""
    pts = incident_points(conn, viewer=viewer, start=start, end=end, mission=mission, of=of)
    areas = visible_sectors(conn, viewer=viewer, mission=mission, start=start, end=end)
    uids = [a.uid for a in areas]
    names: dict[Any, str | None] = {a.uid: a.name for a in areas}
    zone_mark = {a.uid: a.label for a in areas}
    if len(pts) == 0:
        return [], names, zone_mark
    held = sector_of(areas, pts.lon, pts.lat)
    key = np.where(held == OUTSIDE, len(uids), held)  # the last key: outside any sector
    days = (pts.seconds // 86_400).astype(np.int64)
    # One integer per (day, key, label) and one np.unique over them: no per-incident Python.
    keys, codes = len(uids) + 1, max(len(pts.markings), 1)
    first = int(days.min())
    found, n = np.unique(((days - first) * keys + key) * codes + pts.code, return_counts=True)
    day_of, rest = np.divmod(found, keys * codes)
    key_at, code_at = np.divmod(rest, codes)
    day0 = date(1970, 1, 1) + timedelta(days=first)
    dates = {d: day0 + timedelta(days=d) for d in np.unique(day_of).tolist()}
    keyed: list[str | None] = [*uids, None]
    rows = [
        (dates[d], keyed[k], pts.markings[c], m)
        for d, k, c, m in zip(
            day_of.tolist(), key_at.tolist(), code_at.tolist(), n.tolist(), strict=True
        )
    ]
    return rows, names, zone_mark


def trends(
    conn: Connection,
    *,
    viewer: Viewer,
    by: str = "kind",
    period: str = "week",
    start: datetime | None = None,
    end: datetime | None = None,
    mission: str | None = None,
    of: str = "reports",
) -> dict[str, Any]:
    """Visible incidents per period by ``by`` (kind, party or sector): ``periods`` (names),
    ``period_starts`` (first days), and a ``series`` per key with its ``counts``, ``total``,
    ``change`` (last period against the previous) and ``trend`` (slope per period, its
    standard error and direction); ``items`` per key and label."""
    problems = []
    if by not in BY:
        problems.append(FieldProblem("by", f"one of {', '.join(BY)}"))
    if period not in PERIODS:
        problems.append(FieldProblem("period", f"one of {', '.join(PERIODS)}"))
    if by == "party" and of != "reports":
        problems.append(FieldProblem("of", "only reports name a party"))
    if problems:
        raise ValidationFailed("the trend parameters are not valid", problems)
    source(of)
    own: dict[str, str] = {}
    if by == "sector":
        rows, names, own = _by_sector(conn, viewer, of, start, end, mission)
    else:
        rows, names = _by_key_sql(conn, viewer, by, of, start, end, mission)
    lo, hi = _clipped(conn, viewer, of, start, end, mission)
    firsts = _periods(sorted({period_of(d, period) for d, *_ in rows}), lo, hi, period)
    at = {d: i for i, d in enumerate(firsts)}
    counts: dict[Any, list[int]] = {}
    items: dict[tuple[Any, str], dict[str, Any]] = {}
    for day, key, marking, n in rows:
        slot = at.get(period_of(day, period))
        if slot is None:
            continue
        counts.setdefault(key, [0] * len(firsts))[slot] += n
        item = items.setdefault(
            (key, marking), {"id": f"{key}|{marking}", "key": key, "label": marking, "total": 0}
        )
        item["total"] += n
    series = []
    for key, values in counts.items():
        entry: dict[str, Any] = {"key": key, "total": sum(values), "counts": values}
        if by != "kind":
            entry["name"] = names.get(key)
        entry["change"] = change(values)
        entry["trend"] = linear_trend(values)
        series.append(entry)
        if key in own:
            # The sector itself, under its own label: combined with the reports' labels it
            # could make a label nobody may see (REL GBR with REL NATO).
            sector = {"id": f"sector:{key}", "key": key, "label": own[key], "total": 0}
            items[(key, "")] = {**sector, "sector": True}
    order = lambda e: (e["key"] is None, str(e["key"]), e.get("label", ""))  # noqa: E731
    return {
        "by": by,
        "period": period,
        "of": of,
        "start": rfc3339(start),
        "end": rfc3339(end),
        "periods": [period_name(d, period) for d in firsts],
        "period_starts": [d.isoformat() for d in firsts],
        "series": sorted(series, key=order),
        "items": sorted(items.values(), key=order),
    }
