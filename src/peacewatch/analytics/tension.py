"""The tension index: per sector and UTC day, a weighted sum of interpretable signals, each
signal's contribution kept, with watch and warning levels and the alerts when a sector crosses
one upward.

Every signal compares the sector with its own recent past, so a busy sector is not always
"tense" and a quiet one can still warn:

- incidents, intimidation, violations, seizures: the count of the last ``RECENT_DAYS`` days
  against what the ``BASELINE_DAYS`` before them lead to expect, as a Poisson z-like score
  ``(recent - expected) / sqrt(expected + 1)`` (the + 1 keeps a quiet sector's first event
  from scoring as infinite), scaled to 0..1 by ``SATURATION_Z``;
- patrol decline: the share of the usual patrols (per ``PATROL_RECENT_DAYS``) that did not
  happen in the last ``PATROL_RECENT_DAYS`` days, 0..1.

index = 100 x sum(weight x score); ``contributions`` are the terms of that sum, so they add up
to the index. A day with less than ``MIN_BASELINE_DAYS`` of history has no index (None): the
comparison would be with nothing. Computed on demand from the store, through the label filter,
so each viewer's index holds only what they may see.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection

from peacewatch.analytics import signals as raw
from peacewatch.domain.labels import Viewer
from peacewatch.domain.times import rfc3339

Array = np.ndarray[Any, Any]

SIGNALS = ("incidents", "intimidation", "violations", "seizures", "patrol_decline")
# Three days: one bad day is often noise or a single busy report, three make a trend.
RECENT_DAYS = 3
# Four weeks: long enough to smooth the weekly rhythm, short enough to follow the season.
BASELINE_DAYS = 28
MIN_BASELINE_DAYS = 14
PATROL_RECENT_DAYS = 7
# A z of 6 or more saturates a signal: beyond it the size of the surge says little more.
SATURATION_Z = 6.0
# Violence weighs most; intimidation nearly as much, as it usually comes first; violations and
# patrols thinning out are weaker hints; seizures are also a sign of searches working.
WEIGHTS: dict[str, float] = {
    "incidents": 0.30,
    "intimidation": 0.30,
    "violations": 0.15,
    "seizures": 0.10,
    "patrol_decline": 0.15,
}
# One signal saturated (30) or two at half strength reach the warning level; one clear signal
# at half strength (15) is worth watching.
WATCH = 15.0
WARNING = 30.0
LEVELS = ("normal", "watch", "warning")
_LOOKBACK_DAYS = RECENT_DAYS + BASELINE_DAYS


@dataclass
class Tension:
    """The index of every visible sector over ``days`` (contributions shaped (sectors, days))."""

    days: list[date]
    sectors: list[raw.Sector]
    index: Array  # float, NaN where there is no baseline yet
    contributions: dict[str, Array]
    recent: dict[str, Array]
    expected: dict[str, Array]
    labels: list[Counter[str]]

    def level(self, s: int, d: int) -> str | None:
        """The level of sector ``s`` on day ``d`` (None: no index yet)."""
        return level_of(float(self.index[s, d]))


def level_of(value: float) -> str | None:
    """normal, watch or warning for an index value (None for no index)."""
    if np.isnan(value):
        return None
    return "warning" if value >= WARNING else "watch" if value >= WATCH else "normal"


def _windowed(c: Array, width: int, offset: int) -> Array:
    """Sum of ``c`` over the ``width`` days ending ``offset`` days before each day."""
    cum = np.concatenate([np.zeros((c.shape[0], 1)), np.cumsum(c, axis=1)], axis=1)
    end = np.arange(c.shape[1]) + 1 - offset
    begin = end - width
    out: Array = cum[:, np.clip(end, 0, None)] - cum[:, np.clip(begin, 0, None)]
    return out


def score(
    counts: dict[str, Array], history: Array
) -> tuple[dict[str, Array], dict[str, Array], dict[str, Array]]:
    """(scores 0..1, recent values, expected values) per signal, for counts shaped
    (sectors, days); ``history`` is each day's number of days with data before it."""
    base_days = np.clip(history + 1 - RECENT_DAYS, 1, BASELINE_DAYS)
    scores, recent, expected = {}, {}, {}
    for name in ("incidents", "intimidation", "violations", "seizures"):
        c = counts[name].astype(float)
        now = _windowed(c, RECENT_DAYS, 0)
        usual = _windowed(c, BASELINE_DAYS, RECENT_DAYS) / base_days * RECENT_DAYS
        z = (now - usual) / np.sqrt(usual + 1.0)
        scores[name] = np.clip(z / SATURATION_Z, 0.0, 1.0)
        recent[name], expected[name] = now, usual
    p = counts["patrols"].astype(float)
    now = _windowed(p, PATROL_RECENT_DAYS, 0)
    patrol_base = np.clip(history + 1 - PATROL_RECENT_DAYS, 1, BASELINE_DAYS)
    usual = _windowed(p, BASELINE_DAYS, PATROL_RECENT_DAYS) / patrol_base * PATROL_RECENT_DAYS
    # fewer than one patrol a week as the usual: nothing to decline from
    share = np.where(usual >= 1.0, (usual - now) / np.maximum(usual, 1.0), 0.0)
    scores["patrol_decline"] = np.clip(share, 0.0, 1.0)
    recent["patrol_decline"], expected["patrol_decline"] = now, usual
    return scores, recent, expected


def compute(
    conn: Connection,
    *,
    viewer: Viewer,
    start: datetime | None = None,
    end: datetime | None = None,
    mission: str | None = None,
    sector: str | None = None,
) -> Tension:
    """The tension index per visible sector and UTC day of [start, end), cut to the span of the
    visible reports (and to its latest ``MAX_DAYS`` less the baselines' days), with the history
    before ``start`` the baselines need."""
    span = raw.when(conn, viewer=viewer, mission=mission)
    if span is not None:
        # Days before the first or after the last visible report have no index to show (a
        # "whole mission" window may run to today): the window is cut to the reports' span.
        end = span[1] if end is None else min(end, span[1])
        start = span[0] if start is None else max(start, span[0])
    else:
        end = end or (start + timedelta(days=1) if start else datetime.now(UTC))
        start = start or end - timedelta(days=1)
    if end <= start:  # nothing visible in the window asked for: an empty day
        end = start + timedelta(days=1)
    # the longest window: the latest days (- 2: a start and an end inside their days each
    # count a whole UTC day)
    start = max(start, end - timedelta(days=raw.MAX_DAYS - _LOOKBACK_DAYS - 2))
    sectors = raw.resolve_sector(raw.sectors_visible(conn, viewer=viewer, mission=mission), sector)
    lookback = timedelta(days=_LOOKBACK_DAYS + 1)  # + 1: the day before start, for crossings
    found = raw.count(
        conn, viewer=viewer, start=start - lookback, end=end, mission=mission, sectors=sectors
    )
    # history: days with data before each day (the store may hold nothing before its first
    # report; those days are not a quiet baseline)
    data_day = (span[0].astimezone(UTC).date() - found.first_day).days if span else found.days
    history = np.arange(found.days) - max(data_day, 0)
    scores, recent, expected = score(found.counts, history)
    contributions = {n: 100.0 * WEIGHTS[n] * scores[n] for n in SIGNALS}
    index = sum(contributions[n] for n in SIGNALS)
    assert isinstance(index, np.ndarray)
    index = np.where(history[None, :] >= MIN_BASELINE_DAYS, index, np.nan)
    keep = slice(_LOOKBACK_DAYS, found.days)  # from the day before start
    return Tension(
        days=[found.day(i) for i in range(found.days)][keep],
        sectors=found.sectors,
        index=index[:, keep],
        contributions={n: v[:, keep] for n, v in contributions.items()},
        recent={n: v[:, keep] for n, v in recent.items()},
        expected={n: v[:, keep] for n, v in expected.items()},
        labels=found.labels,
    )


def alerts(t: Tension, *, level: str = "watch") -> list[dict[str, Any]]:
    """Every day a sector's level rose to ``level`` or above from below it (the first day of
    ``t`` is only the comparison for the second), with the signals behind it, largest first."""
    rank = LEVELS.index(level)
    v = np.nan_to_num(t.index, nan=-1.0)
    r = np.where(v < 0, -1, np.where(v >= WARNING, 2, np.where(v >= WATCH, 1, 0)))
    up = (r[:, 1:] >= rank) & (r[:, :-1] < rank)
    out = [_alert(t, int(s), int(d) + 1) for s, d in zip(*np.nonzero(up), strict=True)]
    return sorted(out, key=lambda a: (a["day"], a["sector"]))


def _alert(t: Tension, s: int, d: int) -> dict[str, Any]:
    terms = {n: round(float(t.contributions[n][s, d]), 2) for n in SIGNALS}
    sector = t.sectors[s]
    return {
        "id": f"{sector.uid}|{t.days[d].isoformat()}",
        "sector": sector.uid,
        "name": sector.name,
        "day": t.days[d].isoformat(),
        "level": level_of(float(t.index[s, d])),
        "index": round(float(t.index[s, d]), 2),
        "contributions": terms,
        "signals": [n for n, v in sorted(terms.items(), key=lambda kv: -kv[1]) if v > 0],
        "labels": _sector_labels(t, s),
    }


def _sector_labels(t: Tension, s: int) -> list[str]:
    """The labels of what sector ``s``'s index was built from (its zone's and its records').

    Kept as a list, not combined: the most restrictive of REL GBR and REL NATO would be a
    label nobody could see; a collection takes the combination (api.marking.labelled)."""
    return sorted({t.sectors[s].label, *t.labels[s]})


def label_items(t: Tension, s: int) -> list[dict[str, Any]]:
    """One item per label of what sector ``s``'s index counts (``total`` records; the zone
    itself counts 0), so that a response takes the most restrictive of them."""
    sector = t.sectors[s]
    counted = Counter({sector.label: 0}) + t.labels[s]
    counted.setdefault(sector.label, 0)
    return [
        {"id": f"{sector.uid}|{m}", "sector": sector.uid, "label": m, "total": counted[m]}
        for m in sorted(counted)
    ]


def _num(values: Array) -> list[float | None]:
    return [None if np.isnan(v) else round(float(v), 2) for v in values]


def body(t: Tension, *, start: datetime | None, end: datetime | None) -> dict[str, Any]:
    """The index as a JSON-ready dict: ``days``, per sector its ``index``, ``level`` and
    ``contributions`` (and the raw ``recent`` and ``expected`` values) per day, the
    ``thresholds`` and ``weights``, and ``items`` (per sector and label) to label it by."""
    days = t.days[1:]
    sectors = []
    items = []
    for s, sector in enumerate(t.sectors):
        sectors.append(
            {
                "sector": sector.uid,
                "name": sector.name,
                "labels": _sector_labels(t, s),
                "index": _num(t.index[s, 1:]),
                "level": [level_of(float(v)) for v in t.index[s, 1:]],
                "contributions": {n: _num(t.contributions[n][s, 1:]) for n in SIGNALS},
                "recent": {n: _num(t.recent[n][s, 1:]) for n in SIGNALS},
                "expected": {n: _num(t.expected[n][s, 1:]) for n in SIGNALS},
            }
        )
        items += label_items(t, s)
    return {
        "start": rfc3339(start),
        "end": rfc3339(end),
        "days": [d.isoformat() for d in days],
        "signals": list(SIGNALS),
        "weights": WEIGHTS,
        "thresholds": {"watch": WATCH, "warning": WARNING},
        "sectors": sectors,
        "items": items,
    }


def day_start(day: date) -> datetime:
    """00:00 UTC of ``day``."""
    return datetime.combine(day, datetime.min.time(), UTC)
