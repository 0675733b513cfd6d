"""Seeded generator of synthetic but plausible KFOR activity, 12 Jun 1999 - 11 Jun 2000.

Every batch draws all its random numbers as numpy arrays from its own generator, seeded from
(seed, stream, batch index), so batches are independent and reproducible and the large size
streams in bounded memory; plain dicts are built only at the end of each batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import numpy as np
import shapely

from peacewatch.scenarios.kosovo1999.assemble import assemble, uuids
from peacewatch.scenarios.kosovo1999.catalogue import FLARE_UPS, KINDS, VIOLATION_SHARE
from peacewatch.scenarios.kosovo1999.facts import MISSION_START, PARTIES, WITHDRAWAL_COMPLETE
from peacewatch.scenarios.kosovo1999.movements import iter_patrols, iter_unit_positions
from peacewatch.scenarios.kosovo1999.projection import utm_to_lonlat
from peacewatch.scenarios.kosovo1999.tables import (
    DAYS,
    KIND_INDEX,
    SPAN_S,
    cumulative,
    pick,
    tables,
)
from peacewatch.scenarios.kosovo1999.world import world, zone_pool

__all__ = ["FLARE_UPS", "KINDS", "SIZES", "VIOLATION_SHARE", "Generator"]

SIZES: Final[dict[str, int]] = {"small": 1_000, "medium": 100_000, "large": 10_000_000}
STREAM_REPORTS: Final = 1
STREAM_TIMELINE: Final = 4  # positions and patrols use 2 and 3 (movements.py)
STREAM_PRECURSORS: Final = 5

_WITHDRAWN_S: Final = int((WITHDRAWAL_COMPLETE - MISSION_START).total_seconds())
_DEMILITARISED_S: Final = int(
    (
        next(p for p in PARTIES if p["code"] == "UCK")["demilitarised_by"] - MISSION_START
    ).total_seconds()
)
# Kinds that armed parties commit or are seen doing; the others have no party.
_ARMED_KINDS: Final = frozenset(
    {"armed_clash", "shooting", "explosion", "armed_personnel_sighting", "heavy_weapons_sighting",
     "seizure"}
)  # fmt: skip
_ARMED: Final = np.array([name in _ARMED_KINDS for name in KINDS])
_PRECISION: Final = cumulative([0.55, 0.30, 0.15])
_TIME_PRECISION: Final = cumulative([0.85, 0.12, 0.03])
# Timeline buckets: 0 violation, 1..F flare-up, F + 1 background, F + 2 + f precursor of f.
_BACKGROUND: Final = len(FLARE_UPS) + 1
_PRECURSOR: Final = len(FLARE_UPS) + 2


@dataclass(frozen=True)
class _Precursors:
    """Each flare-up's precursor phase as arrays (see catalogue.FLARE_UPS)."""

    first_day: np.ndarray[Any, Any]  # day index of the phase's first day
    days: np.ndarray[Any, Any]
    peak: np.ndarray[Any, Any]
    kinds: np.ndarray[Any, Any]  # (flare-ups, max kinds), padded
    kind_count: np.ndarray[Any, Any]


@cache
def _precursors() -> _Precursors:
    days = np.array([f["precursor_days"] for f in FLARE_UPS], dtype=np.int64)
    start = np.array([(f["start"] - MISSION_START).days for f in FLARE_UPS], dtype=np.int64)
    kinds = np.zeros((len(FLARE_UPS), max(len(f["precursor_kinds"]) for f in FLARE_UPS)), np.int64)
    for index, flare in enumerate(FLARE_UPS):
        kinds[index, : len(flare["precursor_kinds"])] = [
            KIND_INDEX[kind] for kind in flare["precursor_kinds"]
        ]
    return _Precursors(
        first_day=start - days,
        days=days,
        peak=np.array([f["precursor_peak"] for f in FLARE_UPS], dtype=float),
        kinds=kinds,
        kind_count=np.array([len(f["precursor_kinds"]) for f in FLARE_UPS], dtype=np.int64),
    )


def _plant_precursors(
    seed: int, buckets: np.ndarray[Any, Any], times: np.ndarray[Any, Any]
) -> None:
    """Mark background reports of each precursor phase as precursors (in place), the share
    ramping up linearly to the flare-up's start.

    Reports keep their time and their place in the feed, so every other report's draws stay
    as they were; only which story a redrawn report tells changes. ``times`` is sorted, so
    each phase is one slice; the draws come from their own stream, in phase order."""
    p = _precursors()
    rng = np.random.default_rng([seed, STREAM_PRECURSORS])
    for f in range(len(FLARE_UPS)):
        lo, hi = np.searchsorted(
            times, [p.first_day[f] * 86_400, (p.first_day[f] + p.days[f]) * 86_400]
        )
        day = times[lo:hi] // 86_400 - p.first_day[f]
        chance = p.peak[f] * (day + 1) / p.days[f]
        chosen = (rng.random(hi - lo) < chance) & (buckets[lo:hi] == _BACKGROUND)
        buckets[lo:hi][chosen] = _PRECURSOR + f


@dataclass
class Generator:
    """Synthetic KFOR reporting of a given size; the same seed always yields the same data."""

    size: int
    seed: int = 1999

    def __post_init__(self) -> None:
        if self.size < 0:
            raise ValueError(f"size must be zero or more, got {self.size}")
        if self.seed < 0:
            raise ValueError(f"seed must be zero or more, got {self.seed}")

    @classmethod
    def from_size(cls, size: str | int, seed: int = 1999) -> Generator:
        """A generator for a named size (small, medium, large) or an exact report count."""
        if isinstance(size, str):
            if size not in SIZES:
                raise ValueError(f"unknown size {size!r}; expected one of {', '.join(SIZES)}")
            return cls(SIZES[size], seed)
        return cls(int(size), seed)

    def reports(self, *, batch_size: int = 1000) -> Iterator[list[dict[str, Any]]]:
        """Canonical report dicts in batches; identical for the same seed and batch size."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        for index, start in enumerate(range(0, self.size, batch_size)):
            yield self._batch(index, start, min(batch_size, self.size - start))

    def unit_positions(self) -> Iterator[list[dict[str, Any]]]:
        """Positions of KFOR units near their bases and of VJ/MUP units leaving Kosovo."""
        return iter_unit_positions(self.seed)

    def iter_patrols(self, *, batch_size: int = 1000) -> Iterator[list[dict[str, Any]]]:
        """Patrols in batches (use this rather than patrols() for the large size)."""
        return iter_patrols(self.seed, self.patrol_count, batch_size=batch_size)

    def patrols(self) -> list[dict[str, Any]]:
        """All patrols with their tracks, town to town within a sector."""
        return [patrol for batch in self.iter_patrols() for patrol in batch]

    @property
    def patrol_count(self) -> int:
        """How many patrols this size makes: size // 20, at least 20."""
        return max(20, self.size // 20)

    def _timeline(self) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Story bucket and observed second of every report, in time order (computed once).

        Drawn in chunks from their own stream, then sorted: 10^7 reports take ~90 MB here.
        """
        cached: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None = getattr(
            self, "_timeline_cache", None
        )
        if cached is not None:
            return cached
        t = tables()
        flares = len(FLARE_UPS)
        rng = np.random.default_rng([self.seed, STREAM_TIMELINE])
        buckets, times = [], []
        for chunk_start in range(0, self.size, 1_000_000):
            n = min(1_000_000, self.size - chunk_start)
            bucket = np.searchsorted(t.bucket_edges, rng.random(n), side="right")
            in_flare = (bucket >= 1) & (bucket <= flares)
            flare = np.clip(bucket - 1, 0, flares - 1)
            # a day from the decaying weekly rhythm (flare-ups: inside their window), and a
            # time of day that peaks in the afternoon
            day = np.minimum(pick(t.day_cdf, rng.random(n)), DAYS - 1)
            flare_day = t.flare_day0[flare] + (rng.random(n) * t.flare_days[flare]).astype(np.int64)
            day = np.where(in_flare, flare_day, day)
            daytime = rng.normal(14.5 * 3600, 4 * 3600, n) % 86_400
            time_of_day = np.where(rng.random(n) < 0.8, daytime, rng.uniform(0, 86_400, n))
            seconds = np.clip(day * 86_400 + time_of_day.astype(np.int64), 0, SPAN_S - 1)
            buckets.append(bucket.astype(np.int16))
            times.append(seconds.astype(np.int64))
        all_buckets = np.concatenate(buckets) if buckets else np.zeros(0, np.int16)
        all_times = np.concatenate(times) if times else np.zeros(0, np.int64)
        order = np.argsort(all_times, kind="stable")
        result = (all_buckets[order], all_times[order])
        _plant_precursors(self.seed, *result)
        object.__setattr__(self, "_timeline_cache", result)
        return result

    def _batch(self, index: int, start: int, n: int) -> list[dict[str, Any]]:
        w, t, pool = world(), tables(), zone_pool(self.seed)
        rng = np.random.default_rng([self.seed, STREAM_REPORTS, index])
        flares = len(FLARE_UPS)

        # Which story each report belongs to and when it happened come from the timeline, so
        # batches follow each other in time as a real feed of reports does.
        bucket, seconds = self._timeline()
        bucket, seconds = bucket[start : start + n].astype(np.int64), seconds[start : start + n]
        violation = bucket == 0
        in_flare = (bucket >= 1) & (bucket <= flares)
        flare = np.clip(bucket - 1, 0, flares - 1)
        pre, before = bucket >= _PRECURSOR, np.clip(bucket - _PRECURSOR, 0, flares - 1)
        late = (seconds >= _DEMILITARISED_S).astype(np.int64)

        # What: kind by regime; flare-ups and their precursors draw from their own kinds (with
        # the same uniform, so the batch's draws do not depend on them); violations are
        # sightings.
        kind = pick(t.kind_cum[late], rng.random(n))
        which = rng.random(n)
        kind = np.where(
            in_flare, t.flare_kinds[flare, (which * t.flare_kind_count[flare]).astype(int)], kind
        )
        phase = _precursors()
        kind = np.where(
            pre, phase.kinds[before, (which * phase.kind_count[before]).astype(int)], kind
        )
        spot = rng.integers(0, pool.x.size, n)
        ground = pool.in_gsz[spot] & (rng.random(n) < 0.6)
        zone_kind = np.where(
            ground, KIND_INDEX["armed_personnel_sighting"], KIND_INDEX["heavy_weapons_sighting"]
        )
        kind = np.where(violation, zone_kind, kind)

        # Where: near a town (distance decaying over a few km), inside Kosovo; violations at a
        # point of the safety-zone pool.
        town = w.kosovo_towns[pick(w.kosovo_town_cdf, rng.random(n))]
        town = np.where(in_flare, t.flare_town[flare], town)
        town = np.where(pre, t.flare_town[before], town)
        clustered = in_flare | pre
        precision = pick(_PRECISION, rng.random(n)) + 1
        precision = np.where(violation, np.minimum(precision, 2), precision)
        scale = np.where(clustered, 800.0, np.where(precision == 1, 2000.0, 3500.0))
        radius = np.minimum(rng.exponential(1.0, n) * scale, 12_000.0)
        radius[precision == 3] = 0.0
        angle = rng.uniform(0.0, 2.0 * math.pi, n)
        x = np.where(violation, pool.x[spot], w.town_x[town] + radius * np.sin(angle))
        y = np.where(violation, pool.y[spot], w.town_y[town] + radius * np.cos(angle))
        lon, lat = utm_to_lonlat(x, y)
        outside = ~violation & ~shapely.contains_xy(w.kosovo, lon, lat)
        x[outside], y[outside] = w.town_x[town[outside]], w.town_y[town[outside]]
        lon[outside], lat[outside] = w.town_lon[town[outside]], w.town_lat[town[outside]]
        sector = w.sector_of(lon, lat, fallback=w.town_sector[town])
        sector = np.where(in_flare, t.flare_sector[flare], sector)
        sector = np.where(pre, t.flare_sector[before], sector)
        sector = np.where(violation, pool.sector[spot], sector)

        # The nearest town of all (Kosovo and the zones' area), with distance and bearing.
        dx = x[:, None] - w.town_x[None, :]
        dy = y[:, None] - w.town_y[None, :]
        near = np.argmin(dx * dx + dy * dy, axis=1)
        ox, oy = x - w.town_x[near], y - w.town_y[near]

        # Who: FRY forces only until their withdrawal (after it only in the zones), the UÇK
        # mostly before its demilitarisation deadline.
        armed = _ARMED[kind]
        p_fry = np.where(armed & (seconds < _WITHDRAWN_S), 0.35, 0.0)
        p_uck = np.where(armed, np.where(late == 1, 0.12, 0.35), 0.0)
        handed = kind == KIND_INDEX["weapons_handed_in"]
        p_uck = np.where(handed, np.where(late == 1, 0.2, 0.7), p_uck)
        u = rng.random(n)
        party = np.where(u < p_fry, 1, np.where(u < p_fry + p_uck, 2, 0))
        party = np.where(violation, 1, party)

        # Reporting: source and grade, label, time precision, delay (a few reports days late).
        source = np.where(
            violation,
            pick(t.zone_source_cum, rng.random(n)),
            pick(t.source_cum[kind], rng.random(n)),
        )
        delay = np.clip(rng.lognormal(math.log(40 * 60), 0.9, n), 120, 18 * 3600)
        delay += (rng.random(n) < 0.02) * rng.uniform(1, 10, n) * 86_400
        heavy = kind == KIND_INDEX["heavy_weapons_sighting"]
        columns = {
            "kind": kind,
            "lon": lon,
            "lat": lat,
            "precision": precision,
            "time_precision": pick(_TIME_PRECISION, rng.random(n)) + 1,
            "label": pick(t.label_cum, rng.random(n)),
            "sector": sector,
            "party": party,
            "source": source,
            "grade": pick(t.grade_cum[source], rng.random(n)),
            "near": near,
            "distance_km": np.hypot(ox, oy) / 1000.0,
            "compass": np.rint(np.arctan2(ox, oy) / (math.pi / 4)).astype(np.int64) % 8,
            "observed": seconds,
            "reported": seconds + delay.astype(np.int64),
            "hhmm": (seconds % 86_400) // 3600 * 100 + (seconds % 3600) // 60,
            "size": rng.integers(2, 25, n),
            "vehicles": rng.integers(1, 7, n),
            "crowd": (np.rint(rng.lognormal(math.log(300), 0.8, n) / 10) * 10 + 20).astype(
                np.int64
            ),
            "killed": rng.poisson(0.15, n),
            "wounded": rng.poisson(0.6, n),
            "count": np.where(
                heavy,
                rng.integers(1, 5, n),
                np.where(late == 1, rng.integers(1, 9, n), rng.integers(1, 41, n)),
            ),
            "quantity": rng.integers(1, 60, n),
            "tonnes": np.round(rng.gamma(2.0, 4.0, n) + 0.5, 1),
            "template": rng.integers(0, 2, n),
            "pick0": rng.integers(0, 1 << 30, n),
            "pick1": rng.integers(0, 1 << 30, n),
            "pick2": rng.integers(0, 1 << 30, n),
            "air_defence": violation & ~pool.in_gsz[spot],
            "violation": violation,
            "zone": pool.zone[spot],
            "flare": np.where(in_flare, flare, -1),
        }
        raw = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16)
        rows = assemble(t, columns, ids=uuids(raw), zone_uids=pool.zone_uids)
        for row in np.flatnonzero(pre).tolist():
            rows[row]["attributes"]["precursor_of"] = t.flare_ids[before[row]]
        return rows
