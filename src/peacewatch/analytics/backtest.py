"""Back-test of the tension index against known flare-ups (in the scenario: the ones its
generator plants), as precision, recall and lead time.

For each flare-up (a sector and its first and last day) the first day in
[start - ``BEFORE_DAYS``, end] when the index crossed the warning level upward in its sector
gives the lead time: start - that day, in days (0: the day it began; negative: that many days
late). An alert is right when it falls in such a window of a flare-up in its sector: precision
is the share of alerts that are, recall the share of flare-ups that were warned of (among those
the index could judge: a flare-up that starts before its sector has ``MIN_BASELINE_DAYS`` of
history has nothing to be compared with).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection

from peacewatch.analytics import tension
from peacewatch.domain.labels import Viewer

BEFORE_DAYS = 14


def _day(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def _peak(t: tension.Tension, s: int | None, lo: date, hi: date) -> float | None:
    """The highest index of sector ``s`` over the days [lo, hi], if any."""
    if s is None:
        return None
    a, b = max((lo - t.days[0]).days, 0), max((hi - t.days[0]).days + 1, 0)
    values = t.index[s, a:b]
    values = values[~np.isnan(values)]
    return round(float(values.max()), 2) if values.size else None


def evaluate(
    t: tension.Tension, flare_ups: Iterable[Mapping[str, Any]], *, level: str = "warning"
) -> dict[str, Any]:
    """Precision, recall and lead time of ``level`` alerts of ``t`` against ``flare_ups``
    (mappings with ``id``, ``sector``, ``start`` and ``end``; end inclusive)."""
    found = tension.alerts(t, level=level)
    sector_at = {s.uid: i for i, s in enumerate(t.sectors)}
    windows = []
    rows = []
    for f in flare_ups:
        start, end = _day(f["start"]), _day(f["end"])
        lo = start - timedelta(days=BEFORE_DAYS)
        windows.append((f["sector"], lo, end))
        row: dict[str, Any] = {"id": f["id"], "sector": f["sector"], "start": start.isoformat(),
                               "end": end.isoformat()}  # fmt: skip
        s = sector_at.get(f["sector"])
        at = (start - t.days[0]).days
        judged = s is not None and 0 <= at < len(t.days) and t.level(s, at) is not None
        hits = [a for a in found if a["sector"] == f["sector"] and lo <= _day(a["day"]) <= end]
        first = _day(hits[0]["day"]) if hits else None
        row.update(
            judged=judged,
            warned=first is not None,
            first_alert=first.isoformat() if first else None,
            lead_days=(start - first).days if first else None,
            signals=hits[0]["signals"] if hits else [],
            peak=_peak(t, s, lo, end),
        )
        rows.append(row)
    right = [
        a for a in found
        if any(a["sector"] == w[0] and w[1] <= _day(a["day"]) <= w[2] for w in windows)
    ]  # fmt: skip
    assessed = [r for r in rows if r["judged"]]
    leads = [r["lead_days"] for r in assessed if r["warned"]]
    return {
        "level": level,
        "threshold": tension.WARNING if level == "warning" else tension.WATCH,
        "before_days": BEFORE_DAYS,
        "alerts": len(found),
        "alerts_right": len(right),
        "precision": len(right) / len(found) if found else None,
        "flare_ups": len(rows),
        "judged": len(assessed),
        "warned": len(leads),
        "warned_ahead": sum(1 for d in leads if d >= 0),
        "recall": len(leads) / len(assessed) if assessed else None,
        "lead_days": {
            "median": statistics.median(leads) if leads else None,
            "min": min(leads) if leads else None,
            "max": max(leads) if leads else None,
        },
        "per_flare_up": rows,
        "false_alerts": [a for a in found if a not in right],
    }


def run(
    conn: Connection,
    *,
    viewer: Viewer,
    flare_ups: Iterable[Mapping[str, Any]],
    mission: str | None = None,
    level: str = "warning",
) -> dict[str, Any]:
    """Compute the index over everything ``viewer`` sees and evaluate it (with its runtime)."""
    t0 = time.perf_counter()
    t = tension.compute(conn, viewer=viewer, mission=mission)
    computed = time.perf_counter() - t0
    result = evaluate(t, flare_ups, level=level)
    result["days"] = len(t.days) - 1
    result["sectors"] = len(t.sectors)
    result["seconds"] = round(computed, 3)
    return result
