"""Synthetic movement: unit positions (KFOR near base, VJ/MUP leaving Kosovo) and patrols."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Final

import numpy as np
import shapely

from peacewatch.scenarios.kosovo1999.facts import MISSION_END, MISSION_START, PARTIES
from peacewatch.scenarios.kosovo1999.forces import units
from peacewatch.scenarios.kosovo1999.geography import kosovo
from peacewatch.scenarios.kosovo1999.projection import lonlat_to_utm, to_utm, utm_to_lonlat
from peacewatch.scenarios.kosovo1999.world import world

__all__ = ["iter_patrols", "iter_unit_positions"]

STREAM_POSITIONS: Final = 2
STREAM_PATROLS: Final = 3
_DAYS: Final = (MISSION_END - MISSION_START).days
_PATROL_LABEL: Final = "NATO RESTRICTED REL TO KFOR, NATO"
_TRACK_STEP_M: Final = 500.0
_COMMAND: Final = "110000"  # 2525D entity codes of units that do not patrol
_MEDICAL: Final = "161300"


def _moments(seconds: np.ndarray[Any, Any]) -> list[datetime]:
    return [MISSION_START + timedelta(seconds=float(s)) for s in seconds.tolist()]


def _position_rows(
    unit: dict[str, Any], seconds: np.ndarray[Any, Any], lon: np.ndarray[Any, Any],
    lat: np.ndarray[Any, Any],
) -> list[dict[str, Any]]:  # fmt: skip
    order = np.argsort(seconds, kind="stable")
    return [
        {
            "unit_uid": unit["uid"],
            "observed_at": moment,
            "lon": round(x, 6),
            "lat": round(y, 6),
            "synthetic": True,
            "label": unit["label"],
        }
        for moment, x, y in zip(
            _moments(seconds[order]), lon[order].tolist(), lat[order].tolist(), strict=True
        )
    ]


def _jitter(
    rng: np.random.Generator,
    home: tuple[float, float],
    n: int,
    scale_m: float,
    *,
    inside_kosovo: bool = False,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """`n` points scattered around `home` (lon, lat), distance decaying over `scale_m` metres.

    With `inside_kosovo`, points that would fall outside Kosovo are put back at `home`.
    """
    hx, hy = lonlat_to_utm([home[0]], [home[1]])
    radius = np.minimum(rng.exponential(scale_m, n), 4 * scale_m)
    angle = rng.uniform(0, 2 * math.pi, n)
    lon, lat = utm_to_lonlat(hx[0] + radius * np.sin(angle), hy[0] + radius * np.cos(angle))
    if inside_kosovo:
        outside = ~shapely.contains_xy(world().kosovo, lon, lat)
        lon[outside], lat[outside] = home
    return lon, lat


def iter_unit_positions(seed: int) -> Iterator[list[dict[str, Any]]]:
    """One batch per unit: KFOR daily-ish near base, VJ/MUP until out of Kosovo, UÇK weekly."""
    uck_end = next(p for p in PARTIES if p["code"] == "UCK")["demilitarised_by"]
    for index, unit in enumerate(units()):
        rng = np.random.default_rng([seed, STREAM_POSITIONS, index])
        if unit["party"] is None:
            # A report on most days (a unit's position is not logged every single day).
            days = np.flatnonzero(rng.random(_DAYS) < 0.85)
            seconds = days * 86_400 + rng.integers(6 * 3600, 20 * 3600, days.size)
            lon, lat = _jitter(rng, unit["home"], days.size, 1500.0, inside_kosovo=True)
            yield _position_rows(unit, seconds, lon, lat)
        elif unit["party"] == "FRY":
            yield _withdrawal(rng, unit)
        else:
            weeks = int((uck_end - MISSION_START).days // 7)
            seconds = np.arange(weeks) * 7 * 86_400 + rng.integers(0, 7 * 86_400, weeks)
            lon, lat = _jitter(rng, unit["home"], weeks, 4000.0, inside_kosovo=True)
            yield _position_rows(unit, seconds, lon, lat)


def _withdrawal(rng: np.random.Generator, unit: dict[str, Any]) -> list[dict[str, Any]]:
    """Near home every six hours until the day before `withdrawn_by`; then at the destination.

    The transit itself is not observed, so no position falls in the Ground Safety Zone.
    """
    out_s = int((unit["withdrawn_by"] - MISSION_START).total_seconds())
    leave_s = out_s - 12 * 3600
    home_s = np.arange(0, max(leave_s, 0), 6 * 3600)
    hlon, hlat = _jitter(rng, unit["home"], home_s.size, 1000.0)
    # At the destination daily until the end of June 1999 (beyond the 25 km Air Safety Zone).
    end_s = int((datetime(1999, 7, 1, tzinfo=UTC) - MISSION_START).total_seconds())
    away_s = np.arange(out_s, end_s, 86_400)
    alon, alat = _jitter(rng, unit["withdraw_to"], away_s.size, 1000.0)
    return _position_rows(
        unit,
        np.concatenate([home_s, away_s]),
        np.concatenate([hlon, alon]),
        np.concatenate([hlat, alat]),
    )


@cache
def _sector_routes() -> tuple[tuple[tuple[int, int], ...], ...]:
    """Town pairs of each sector whose straight line stays inside Kosovo (town indices)."""
    w = world()
    lon, lat = w.town_lon[w.kosovo_towns], w.town_lat[w.kosovo_towns]
    sector = w.sector_of(lon, lat, fallback=w.town_sector[w.kosovo_towns])
    outline = to_utm(kosovo())
    shapely.prepare(outline)
    routes: list[tuple[tuple[int, int], ...]] = []
    for s in range(len(w.sector_uids)):
        towns = w.kosovo_towns[sector == s].tolist()
        pairs = [(a, b) for a in towns for b in towns if a != b]
        lines = shapely.linestrings(
            [[(w.town_x[a], w.town_y[a]), (w.town_x[b], w.town_y[b])] for a, b in pairs]
        )
        inside = shapely.contains(outline, lines)
        routes.append(tuple(pair for pair, ok in zip(pairs, inside.tolist(), strict=True) if ok))
    return tuple(routes)


@cache
def _sector_units() -> tuple[tuple[str, ...], ...]:
    """Units that patrol in each sector: its battalions, not HQs or medical units."""
    w = world()
    kfor = [u for u in units() if u["party"] is None and u["sector"] is not None]
    return tuple(
        tuple(
            u["uid"]
            for u in kfor
            if u["sector"] == uid and u["sidc"][10:16] not in {_COMMAND, _MEDICAL}
        )
        for uid in w.sector_uids
    )


def iter_patrols(
    seed: int, count: int, *, batch_size: int = 1000
) -> Iterator[list[dict[str, Any]]]:
    """`count` patrols in batches, each town to town within one sector, densified every 500 m."""
    w = world()
    routes, sector_units = _sector_routes(), _sector_units()
    for index, start in enumerate(range(0, count, batch_size)):
        n = min(batch_size, count - start)
        rng = np.random.default_rng([seed, STREAM_PATROLS, index])
        sector = rng.integers(0, len(routes), n)
        route = rng.random(n)
        day = rng.integers(0, _DAYS, n)
        start_s = day * 86_400 + rng.integers(6 * 3600, 18 * 3600, n)
        mounted_kmh = rng.uniform(15.0, 35.0, n)
        which_unit = rng.random(n)
        ids = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16)
        batch: list[dict[str, Any]] = []
        for i in range(n):
            options = routes[sector[i]]
            a, b = options[int(route[i] * len(options))]
            ax, ay, bx, by = w.town_x[a], w.town_y[a], w.town_x[b], w.town_y[b]
            length = math.hypot(bx - ax, by - ay)
            steps = max(1, math.ceil(length / _TRACK_STEP_M))
            f = np.linspace(0.0, 1.0, steps + 1)
            lon, lat = utm_to_lonlat(ax + f * (bx - ax), ay + f * (by - ay))
            # Short legs on foot (4 km/h), longer ones mounted.
            speed_ms = (4.0 if length < 6000 else mounted_kmh[i]) / 3.6
            began = MISSION_START + timedelta(seconds=int(start_s[i]))
            offsets = (f * length / speed_ms).tolist()
            track = [
                (round(x, 6), round(y, 6), began + timedelta(seconds=round(s)))
                for x, y, s in zip(lon.tolist(), lat.tolist(), offsets, strict=True)
            ]
            candidates = sector_units[sector[i]]
            batch.append(
                {
                    "uid": str(uuid.UUID(bytes=ids[i].tobytes(), version=4)),
                    "unit_uid": candidates[int(which_unit[i] * len(candidates))],
                    "name": f"{w.sector_shorts[sector[i]]} patrol {w.town_names[a]} - "
                    f"{w.town_names[b]}",
                    "start": track[0][2],
                    "end": track[-1][2],
                    "label": _PATROL_LABEL,
                    "synthetic": True,
                    "track": track,
                    "attributes": {
                        "sector": w.sector_uids[sector[i]],
                        "from": w.town_names[a],
                        "to": w.town_names[b],
                        "length_m": round(length, 1),
                        "mode": "foot" if length < 6000 else "mounted",
                    },
                }
            )
        yield batch
