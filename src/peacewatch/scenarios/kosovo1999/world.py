"""The generator's view of the scenario: towns, sectors and zones as numpy lookup arrays."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from peacewatch.scenarios.kosovo1999.facts import SECTORS
from peacewatch.scenarios.kosovo1999.geography import kosovo, places, zones
from peacewatch.scenarios.kosovo1999.projection import lonlat_to_utm, to_utm

__all__ = ["World", "ZonePool", "world", "zone_pool"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class World:
    """Towns (all places, UTM metres), Kosovo's towns with weights, sectors and their lookups."""

    town_names: list[str]
    town_lon: FloatArray
    town_lat: FloatArray
    town_x: FloatArray
    town_y: FloatArray
    kosovo_towns: IntArray  # indices into the town arrays
    kosovo_town_cdf: FloatArray  # cumulative weights for drawing a Kosovo town
    town_sector: IntArray  # sector index of every town (nearest sector outside Kosovo)
    sector_uids: list[str]
    sector_shorts: list[str]
    sector_nations: list[str]
    sector_geometries: list[shapely.Geometry]  # lon/lat, prepared
    kosovo: shapely.Geometry  # lon/lat, prepared

    def town_index(self, name: str) -> int:
        """Index of a town by its GeoNames name (KeyError when unknown)."""
        try:
            return self.town_names.index(name)
        except ValueError:
            raise KeyError(name) from None

    def sector_of(self, lon: FloatArray, lat: FloatArray, fallback: IntArray) -> IntArray:
        """Sector index of each point; `fallback` where no sector contains it (outside Kosovo)."""
        found = np.full(lon.shape, -1, dtype=np.int64)
        for index, geometry in enumerate(self.sector_geometries):
            hit = (found < 0) & shapely.contains_xy(geometry, lon, lat)
            found[hit] = index
        return np.where(found < 0, fallback, found)


@cache
def world() -> World:
    """The lookups, built once per process."""
    towns = places()
    lon = np.array([t["lon"] for t in towns])
    lat = np.array([t["lat"] for t in towns])
    x, y = lonlat_to_utm(lon, lat)
    in_kosovo = np.array([t["area"] == "kosovo" for t in towns])
    kosovo_towns = np.flatnonzero(in_kosovo).astype(np.int64)
    # Activity follows people, less than proportionally: a town ten times larger reports about
    # four times as much. Places without a population figure count as small villages.
    population = np.array([max(t["population"], 500) for t in towns], dtype=float)
    weights = population[kosovo_towns] ** 0.6
    cdf = np.cumsum(weights) / weights.sum()

    sector_zones = {z["uid"]: z for z in zones() if z["kind"] == "sector"}
    geometries = [sector_zones[s["uid"]]["geometry"] for s in SECTORS]
    for geometry in geometries:
        shapely.prepare(geometry)
    sector_utm = [to_utm(g) for g in geometries]
    points_utm = shapely.points(np.column_stack([x, y]))
    distances = np.column_stack([shapely.distance(points_utm, g) for g in sector_utm])
    town_sector = np.argmin(distances, axis=1).astype(np.int64)
    outline = kosovo()
    shapely.prepare(outline)
    return World(
        town_names=[t["name"] for t in towns],
        town_lon=lon,
        town_lat=lat,
        town_x=x,
        town_y=y,
        kosovo_towns=kosovo_towns,
        kosovo_town_cdf=cdf,
        town_sector=town_sector,
        sector_uids=[s["uid"] for s in SECTORS],
        sector_shorts=[s["short"] for s in SECTORS],
        sector_nations=[s["lead_nation"] for s in SECTORS],
        sector_geometries=geometries,
        kosovo=outline,
    )


@dataclass(frozen=True)
class ZonePool:
    """Points inside the safety zones where planted FRY violations are placed (UTM metres)."""

    x: FloatArray
    y: FloatArray
    zone_uids: list[str]
    zone: IntArray  # index into zone_uids
    in_gsz: NDArray[np.bool_]
    sector: IntArray  # nearest brigade sector, whose OPs would see it


def _sample_in(
    geometry: shapely.Geometry, count: int, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """`count` uniform points inside a lon/lat geometry, by rejection in its bounding box."""
    utm = to_utm(geometry)
    shapely.prepare(utm)
    west, south, east, north = utm.bounds
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    have = 0
    while have < count:
        x = rng.uniform(west, east, count * 8)
        y = rng.uniform(south, north, count * 8)
        keep = shapely.contains_xy(utm, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        have += int(keep.sum())
    return np.concatenate(xs)[:count], np.concatenate(ys)[:count]


@lru_cache(maxsize=8)
def zone_pool(seed: int, size: int = 4096) -> ZonePool:
    """A seeded pool of points in the Ground Safety Zone sectors and the 25 km Air Safety Zone."""
    rng = np.random.default_rng([seed, 0x5AFE])
    zone_list: list[dict[str, Any]] = [
        z for z in zones() if z["kind"] == "ground_safety_zone" or z["uid"] == "mta-asz-25km"
    ]
    gsz = shapely.union_all([z["geometry"] for z in zone_list if z["kind"] == "ground_safety_zone"])
    asz_only = shapely.difference(
        next(z["geometry"] for z in zone_list if z["uid"] == "mta-asz-25km"), gsz
    )
    # Two thirds in the GSZ (ground forces), one third further out (air defence in the ASZ).
    gx, gy = _sample_in(gsz, size * 2 // 3, rng)
    ax, ay = _sample_in(asz_only, size - gx.size, rng)
    x = np.concatenate([gx, ax])
    y = np.concatenate([gy, ay])
    points = shapely.points(np.column_stack([x, y]))
    uids = [z["uid"] for z in zone_list]
    zone = np.full(x.size, uids.index("mta-asz-25km"), dtype=np.int64)
    for index, z in enumerate(zone_list):
        if z["kind"] == "ground_safety_zone":
            zone[shapely.contains(to_utm(z["geometry"]), points)] = index
    in_gsz = zone != uids.index("mta-asz-25km")
    w = world()
    sector_utm = [to_utm(g) for g in w.sector_geometries]
    distances = np.column_stack([shapely.distance(points, g) for g in sector_utm])
    return ZonePool(
        x=x,
        y=y,
        zone_uids=uids,
        zone=zone,
        in_gsz=in_gsz,
        sector=np.argmin(distances, axis=1).astype(np.int64),
    )
