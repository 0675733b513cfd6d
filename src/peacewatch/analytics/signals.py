"""Raw early-warning signals per sector and UTC day, as one viewer may see them.

Five daily counts per sector (``SOURCES``): violent incidents, intimidation (demonstrations,
roadblocks, arson), new violations, weapons seizures, and patrols that entered the sector.
Each is read with one query over the whole window (not one per sector or day; the three drawn
from reports share one), through the label filter, so an index built on them holds only what
the viewer may see. The rows come back as arrays of (day, point, label); each point is placed
in the one sector holding it by the overlap rule of store/sectors.py, all at once with shapely
(SQLite has no geometry functions, and the same code then serves both backends), and the
counts are binned with numpy. A patrol is not a point: it counts in every sector its track
entered.

``labels`` keeps, for each sector, how many counted records carry each label, so what is
derived from the counts can take the most restrictive label of what it was derived from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from sqlalchemy import ColumnElement, Connection, FromClause, func, literal, select

from peacewatch.domain.labels import Viewer
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.store.label_filter import visible
from peacewatch.store.sectors import Sector as Sector
from peacewatch.store.sectors import sector_of, visible_sectors
from peacewatch.store.stats import markings_of, of_mission, utc_day
from peacewatch.store.tables import (
    patrol_tracks,
    patrols,
    reports,
    seizures,
    violations,
)

Array = np.ndarray[Any, Any]

SOURCES = ("incidents", "intimidation", "violations", "seizures", "patrols")
# Kinds of report that are violence against people or property.
VIOLENT_KINDS = ("armed_clash", "shooting", "explosion")
# Kinds that pressure a community without (yet) open violence: the usual precursors.
INTIMIDATION_KINDS = ("demonstration", "roadblock", "arson")
# Weapons found on patrol; weapons handed in voluntarily are compliance, not tension.
SEIZURE_KINDS = ("seizure",)
WEAPON_GOODS = ("arms", "ammunition", "explosives")
# A violation counts while open or upheld; dismissed and withdrawn ones were no breach.
VIOLATION_STATES = ("suspected", "confirmed")
REPORT_SIGNALS = {
    "incidents": VIOLENT_KINDS,
    "intimidation": INTIMIDATION_KINDS,
    "seizures": SEIZURE_KINDS,
}
MAX_DAYS = 800


@dataclass
class SectorDays:
    """Daily counts of every source, ``counts[source]`` shaped (sectors, days)."""

    first_day: date
    days: int
    sectors: list[Sector]
    counts: dict[str, Array]
    labels: list[Counter[str]] = field(default_factory=list)

    def day(self, index: int) -> date:
        """The date of day ``index``."""
        return self.first_day + timedelta(days=index)


def _as_days(values: list[Any], first: date) -> Array:
    """Day indexes from ``first`` of SQL day values ('YYYY-MM-DD' text or dates), at once."""
    if not values:
        return np.zeros(0, np.int64)
    texts = [v.isoformat() if isinstance(v, date) else str(v) for v in values]
    return (np.array(texts, dtype="datetime64[D]") - np.datetime64(first, "D")).astype(np.int64)


def sectors_visible(conn: Connection, *, viewer: Viewer, mission: str | None) -> list[Sector]:
    """The sector zones ``viewer`` may see, whenever in force, by uid (store/sectors.py)."""
    return visible_sectors(conn, viewer=viewer, mission=mission)


def resolve_sector(sectors: list[Sector], uid: str | None) -> list[Sector]:
    """Only sector ``uid`` (when asked for); a validation error naming ``sector`` when the
    viewer sees no such sector."""
    if uid is None:
        return sectors
    chosen = [s for s in sectors if s.uid == uid]
    if not chosen:
        raise ValidationFailed(
            f"no sector {uid}", [FieldProblem("sector", "no such sector visible to you")]
        )
    return chosen


def _points(
    conn: Connection,
    table: FromClause,
    at: Any,
    where: list[ColumnElement[bool]],
    *,
    viewer: Viewer,
    lo: datetime,
    hi: datetime,
    first: date,
) -> tuple[Array, Array, Array, Array, Array]:
    """(day, lon, lat, label_id, kind) arrays of the visible rows of ``table`` in [lo, hi)
    (kind: the ``kind`` column where the table has one, else empty strings)."""
    kind = table.c.kind if "kind" in table.c else literal("")
    query = select(utc_day(conn, at), table.c.lon, table.c.lat, table.c.label_id, kind).where(
        visible(table, viewer), at >= lo, at < hi, *where
    )
    rows = conn.execute(query).all()
    if not rows:
        empty = np.zeros(0)
        return (np.zeros(0, np.int64), empty, empty, np.zeros(0, np.int64),
                np.zeros(0, dtype=object))  # fmt: skip
    d, lon, lat, lid, kinds = zip(*rows, strict=True)
    return (
        _as_days(list(d), first),
        np.asarray(lon, float),
        np.asarray(lat, float),
        np.asarray(lid, np.int64),
        np.asarray(kinds, dtype=object),
    )


def _bin(sectors: list[Sector], days: int, day: Array, inside: list[Array]) -> Array:
    """Counts per (sector, day) of the rows ``inside`` each sector."""
    out = np.zeros((len(sectors), days), np.int64)
    for s, mask in enumerate(inside):
        keep = mask & (day >= 0) & (day < days)
        out[s] = np.bincount(day[keep], minlength=days)[:days]
    return out


def count(
    conn: Connection,
    *,
    viewer: Viewer,
    start: datetime,
    end: datetime,
    mission: str | None = None,
    sectors: list[Sector] | None = None,
) -> SectorDays:
    """Daily counts of every source per visible sector, for the UTC days [start, end)."""
    if end <= start:
        raise ValidationFailed(
            "end must be after start", [FieldProblem("end", "must be after start")]
        )
    first = start.astimezone(UTC).date()
    last = (end.astimezone(UTC) - timedelta(microseconds=1)).date()
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise ValidationFailed(
            f"window of {days} days is too long",
            [FieldProblem("start", f"the window may span at most {MAX_DAYS} days")],
        )
    lo = datetime.combine(first, datetime.min.time(), UTC)
    hi = datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
    every = sectors_visible(conn, viewer=viewer, mission=mission)
    sectors = every if sectors is None else sectors
    # Points are placed among every visible sector, so one sector asked for alone counts what
    # it counts beside the others; ``slot`` maps a place in ``held`` to one of ``sectors``.
    held = every + [s for s in sectors if s not in every]
    slot = np.array([sectors.index(s) if s in sectors else -1 for s in held] + [-1], np.int64)
    tallies: list[Counter[int]] = [Counter() for _ in sectors]

    def points(table: FromClause, at: Any, where: list[ColumnElement[bool]]) -> dict[str, Array]:
        """Counts per (sector, day) of the rows read, per kind of what was read."""
        day, lon, lat, lid, kind = _points(
            conn, table, at, where, viewer=viewer, lo=lo, hi=hi, first=first
        )
        placed = slot[sector_of(held, lon, lat)]
        inside = [placed == s for s in range(len(sectors))]
        for s, mask in enumerate(inside):
            found, n = np.unique(lid[mask], return_counts=True)
            tallies[s].update(dict(zip(found.tolist(), n.tolist(), strict=True)))
        groups = {"": kind == ""} if table is not reports else {
            name: np.isin(kind, kinds) for name, kinds in REPORT_SIGNALS.items()
        }  # fmt: skip
        return {g: _bin(sectors, days, day, [m & ok for m in inside]) for g, ok in groups.items()}

    # one read of the reports for the three signals drawn from them
    from_reports = points(
        reports,
        reports.c.observed_at,
        [reports.c.kind.in_([k for ks in REPORT_SIGNALS.values() for k in ks]),
         *of_mission(reports.c.mission_id, mission)],
    )  # fmt: skip
    counts = {
        "incidents": from_reports["incidents"],
        "intimidation": from_reports["intimidation"],
        "violations": points(
            violations,
            violations.c.observed_at,
            [
                violations.c.state.in_(VIOLATION_STATES),
                *of_mission(violations.c.mission_id, mission),
            ],
        )[""],
        # weapons found in searches (reports) and recorded seizures of arms: one signal
        "seizures": from_reports["seizures"]
        + points(
            seizures,
            seizures.c.seized_at,
            [seizures.c.category.in_(WEAPON_GOODS), *of_mission(seizures.c.mission_id, mission)],
        )[""],
        "patrols": _patrol_days(conn, viewer, sectors, days, first, lo, hi, mission, tallies),
    }
    marks = markings_of(conn, (lid for t in tallies for lid in t))
    labels = [Counter({marks[lid]: n for lid, n in t.items()}) for t in tallies]
    return SectorDays(first, days, sectors, counts, labels)


def _patrol_days(
    conn: Connection,
    viewer: Viewer,
    sectors: list[Sector],
    days: int,
    first: date,
    lo: datetime,
    hi: datetime,
    mission: str | None,
    tallies: list[Counter[int]],
) -> Array:
    """Patrols per (sector, day they started) whose visible track entered the sector (a patrol
    with several tracks in one sector counts once)."""
    query = (
        select(
            utc_day(conn, patrols.c.start_at),
            patrols.c.id,
            patrol_tracks.c.geometry,
            patrols.c.label_id,
            patrol_tracks.c.label_id,
        )
        .select_from(patrol_tracks.join(patrols, patrols.c.id == patrol_tracks.c.patrol_id))
        .where(visible(patrols, viewer), visible(patrol_tracks, viewer))
        .where(patrols.c.start_at >= lo, patrols.c.start_at < hi)
        .where(*of_mission(patrols.c.mission_id, mission))
    )
    rows = conn.execute(query).all()
    out = np.zeros((len(sectors), days), np.int64)
    if not rows:
        return out
    d, pid, geometry, plabel, tlabel = zip(*rows, strict=True)
    day = _as_days(list(d), first)
    ids = np.asarray(pid, np.int64)
    tracks = np.asarray(geometry, dtype=object)
    for s, sector in enumerate(sectors):
        mask = shapely.intersects(tracks, sector.geometry)
        # one patrol, one sector: unique (patrol, day) pairs among its tracks there
        key = np.unique(ids[mask] * (days + 1) + day[mask])
        out[s] = np.bincount(key % (days + 1), minlength=days + 1)[:days]
        tallies[s].update(np.asarray(plabel, np.int64)[mask].tolist())
        tallies[s].update(np.asarray(tlabel, np.int64)[mask].tolist())
    return out


def when(
    conn: Connection, *, viewer: Viewer, mission: str | None
) -> tuple[datetime, datetime] | None:
    """The first visible report time and just after the last one (a default window), or
    None when the viewer sees no report."""
    query = select(func.min(reports.c.observed_at), func.max(reports.c.observed_at)).where(
        visible(reports, viewer), *of_mission(reports.c.mission_id, mission)
    )
    lo, hi = conn.execute(query).one()
    if lo is None or hi is None:
        return None
    return lo, hi + timedelta(microseconds=1)
