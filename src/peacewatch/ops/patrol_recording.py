"""Patrols recorded from unit positions: a position of a unit inside one of the runs of that
unit's planned patrols (status 'planned') extends that run's recorded patrol, in the write
transaction that brought it (``Store.hooks``), so CoT devices, the API and every other
position path carry out plans as a GPX file does. One patrol per plan, run and label (its
uid derived from the three): positions of two labels make two patrols, each with the label of
its positions, rather than one with a label made up from both. Its track is stored as a GPX
track is (one ISO 8601 time per vertex, in time order whatever the order of arrival); a
single position is a track of two equal vertices until the next one comes.

The hook is on the TAK gateway's hot path: a batch of positions of units with no planned run
costs one query on the plans' unit index, and nothing more."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection, select

from peacewatch.domain.schedule import days_from_text, runs
from peacewatch.store import Store
from peacewatch.store import patrol_plans as plan_store
from peacewatch.store import patrols as patrol_store
from peacewatch.store.tables import labels

ENGINE = "engine:patrols"
NAME = "Patrol recorded from positions"
# (time, lon, lat) of one position
Point = tuple[datetime, float, float]


def attach(store: Store) -> None:
    """Record the positions written to ``store`` as the patrols of their units' plans
    (idempotent)."""
    if record_written not in store.hooks:
        store.hooks.append(record_written)


def run_uid(plan_uid: str, run_start: datetime, marking: str) -> str:
    """The uid of the patrol recorded for one run of a plan, from positions of one label."""
    key = f"peacewatch:patrol-run|{plan_uid}|{run_start.astimezone(UTC).isoformat()}|{marking}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def record_written(conn: Connection, topic: str, rows: list[dict[str, Any]]) -> None:
    """Store hook: add new positions that fall in a planned run of their unit to the run's
    recorded patrol (made at the first of them)."""
    if topic != "positions" or not rows:
        return
    times = list(map(itemgetter("observed_at"), rows))  # map: a third of a loop's cost
    plans = plan_store.planned_for_units(
        conn, unit_ids=set(map(itemgetter("unit_id"), rows)), start=min(times), end=max(times)
    )
    if not plans:
        return
    pieces = _pieces(plans, rows)
    if not pieces:
        return
    markings = dict(
        conn.execute(
            select(labels.c.id, labels.c.marking).where(
                labels.c.id.in_(sorted({k[2] for k in pieces}))
            )
        ).all()
    )
    uids = {key: run_uid(plans[key[0]].uid, key[1], markings[key[2]]) for key in pieces}
    patrol_store.serialize_recording(conn)
    known = patrol_store.tracks_by_uid(conn, sorted(set(uids.values())))
    now = datetime.now(UTC)
    tracks: list[tuple[int, shapely.LineString, list[str]]] = []
    spans: list[tuple[int, datetime, datetime]] = []
    for key, points in pieces.items():
        plan, label_id = plans[key[0]], key[2]
        found = known.get(uids[key])
        if found is None:
            _new(conn, plan, uids[key], label_id, _ordered(points), now)
        elif found.unit_id == plan.unit_id:
            line, times = _extended(found, _ordered(points))
            if found.track_id is None:  # its track was removed: start it again
                patrol_store.add_track(
                    conn, patrol_id=found.id, line=line,
                    times=[datetime.fromisoformat(t) for t in times], label_id=label_id,
                    created_by=ENGINE, created_at=now,
                )  # fmt: skip
            else:
                tracks.append((found.track_id, line, times))
            first, last = datetime.fromisoformat(times[0]), datetime.fromisoformat(times[-1])
            spans.append((found.id, first, last))
        # else the plan was given to another unit mid-run: that run's record stays its unit's
    # One statement each for every track and patrol extended: the batch's cost is not a
    # round trip per patrol.
    patrol_store.replace_tracks(conn, tracks)
    patrol_store.set_times(conn, spans)


def _pieces(
    plans: list[Any], rows: list[dict[str, Any]]
) -> dict[tuple[int, datetime, int], list[Point]]:
    """Positions by (index of the plan, start of its run, label id), for those in a run."""
    planned_units = {p.unit_id for p in plans}
    by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["unit_id"] in planned_units:
            by_unit[r["unit_id"]].append(r)
    out: dict[tuple[int, datetime, int], list[Point]] = defaultdict(list)
    for index, plan in enumerate(plans):
        mine = by_unit.get(plan.unit_id)
        if not mine:
            continue
        schedule = runs(
            plan.start_at, plan.end_at, days_from_text(plan.repeat_days), plan.repeat_until
        )
        starts = np.array([s.timestamp() for s, _ in schedule])
        ends = np.array([e.timestamp() for _, e in schedule])
        at = np.array([r["observed_at"].timestamp() for r in mine])
        # Runs are in start order; a position belongs to the latest run begun by its time.
        run = np.searchsorted(starts, at, side="right") - 1
        inside = (run >= 0) & (at <= ends[np.maximum(run, 0)])
        for i in np.flatnonzero(inside).tolist():
            r = mine[i]
            key = (index, schedule[int(run[i])][0], int(r["label_id"]))
            out[key].append((r["observed_at"].astimezone(UTC), float(r["lon"]), float(r["lat"])))
    return out


def _ordered(points: list[Point]) -> list[Point]:
    """Points in time order, a position received twice kept once."""
    out: list[Point] = []
    for p in sorted(points):
        if not out or p != out[-1]:
            out.append(p)
    return out


def _vertices(points: list[Point]) -> tuple[shapely.LineString, list[str]]:
    """The line and vertex times of ordered points; one point is a line of two equal vertices."""
    if len(points) == 1:
        points = points * 2
    line = shapely.linestrings([(p[1], p[2]) for p in points])
    return line, [p[0].isoformat() for p in points]


def _new(
    conn: Connection, plan: Any, uid: str, label_id: int, points: list[Point], now: datetime
) -> None:
    patrol_id = patrol_store.add_patrol(
        conn, uid=uid, mission_id=plan.mission_id, name=NAME, start_at=points[0][0],
        end_at=points[-1][0], status="completed", label_id=label_id, created_by=ENGINE,
        created_at=now, unit_id=plan.unit_id, attributes={"recorded_from": "positions"},
    )  # fmt: skip
    line, times = _vertices(points)
    patrol_store.add_track(
        conn, patrol_id=patrol_id, line=line, times=[datetime.fromisoformat(t) for t in times],
        label_id=label_id, created_by=ENGINE, created_at=now,
    )  # fmt: skip


def _extended(found: Any, new: list[Point]) -> tuple[shapely.LineString, list[str]]:
    """The line and vertex times of a stored track with ``new`` (ordered) points added."""
    if found.track_id is None:
        return _vertices(new)
    if new[0][0] > found.track_end:
        # What a device sends comes after what it sent: append, without reading the old
        # times back (a long patrol has thousands).
        old_times = list(found.times)
        old_xy = shapely.get_coordinates(found.geometry)
        if len(old_times) == 2 and old_times[0] == old_times[1]:  # one position so far
            old_times, old_xy = old_times[:1], old_xy[:1]
        xy = np.vstack([old_xy, np.array([(p[1], p[2]) for p in new])])
        return shapely.linestrings(xy), old_times + [p[0].isoformat() for p in new]
    old = [
        (datetime.fromisoformat(t), float(x), float(y))
        for t, (x, y) in zip(
            found.times, shapely.get_coordinates(found.geometry).tolist(), strict=True
        )
    ]
    return _vertices(_ordered(old + new))
