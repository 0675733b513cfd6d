"""The convoy alert hook: a report, or a violation raised by a unit position, near a convoy
under way writes an alert in the write transaction that brought it (``Store.hooks``), so the
alert exists the moment the report does. Each alert carries the most restrictive label of the
convoy and of the record that raised it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection

from peacewatch.domain.labels import most_restrictive
from peacewatch.ops import route_risk
from peacewatch.ops.route_risk import RiskParams
from peacewatch.store import Store
from peacewatch.store import convoys as convoy_store
from peacewatch.store.label_filter import intern_label

ALERT_DISTANCE_M = RiskParams().distance_m
ENGINE = "engine:convoys"


def attach(store: Store) -> None:
    """Raise convoy alerts from every report and position written to ``store`` (idempotent;
    attach after the compliance engine, whose violations it reads in the same transaction)."""
    if alert_written not in store.hooks:
        store.hooks.append(alert_written)


def alert_written(conn: Connection, topic: str, rows: list[dict[str, Any]]) -> None:
    """Store hook: alert each convoy under way that a new report, or a violation raised by a
    new position, lies within ``ALERT_DISTANCE_M`` of its route and counts in its risk."""
    if topic not in ("reports", "positions") or not rows:
        return
    active = convoy_store.active_convoys(conn)
    if not active:
        return
    if topic == "reports":
        items = [(r["id"], None, r["lon"], r["lat"], r["observed_at"], r["label_id"]) for r in rows]
    else:
        found = convoy_store.violations_of_positions(conn, [int(r["id"]) for r in rows])
        items = [(None, v.id, v.lon, v.lat, v.observed_at, v.label_id) for v in found]
    if not items:
        return
    routes = shapely.multilinestrings([c.route for c in active])
    crs = route_risk.local_crs(routes)
    lines = np.array([route_risk.to_local(c.route, crs) for c in active], dtype=object)
    points = route_risk.project(
        crs, np.array([i[2] for i in items], float), np.array([i[3] for i in items], float)
    )
    tree = shapely.STRtree(lines)
    which, near = tree.query(points, predicate="dwithin", distance=ALERT_DISTANCE_M)
    if not len(which):
        return
    distance = shapely.distance(points[which], lines[near])
    lookback = timedelta(hours=RiskParams().lookback_h)
    label_ids = [c.label_id for c in active] + [i[5] for i in items]
    known = convoy_store.labels_by_id(conn, label_ids)
    now = datetime.now(UTC)
    alerts = []
    for p, c, d in zip(which.tolist(), near.tolist(), distance.tolist(), strict=True):
        convoy, item = active[c], items[p]
        if convoy.departed_at is not None and item[4] < convoy.departed_at - lookback:
            continue  # history being filed: it cannot weigh on this journey's risk
        label = most_restrictive([known[convoy.label_id], known[item[5]]])
        alerts.append({
            "convoy_id": convoy.id, "report_id": item[0], "violation_id": item[1],
            "observed_at": item[4], "distance_m": d, "label_id": intern_label(conn, label),
            "created_by": ENGINE, "created_at": now,
        })  # fmt: skip
    convoy_store.add_alerts(conn, alerts)
