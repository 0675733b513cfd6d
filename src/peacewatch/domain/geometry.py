"""Coordinates and GeoJSON geometry: validation, and metric operations in a local UTM projection."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from numbers import Real

import pyproj
import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from peacewatch.domain.errors import GeometryError, quoted

__all__ = [
    "GEOMETRY_TYPES",
    "WGS84",
    "buffer_m",
    "distance_m",
    "from_local",
    "geometry_from_geojson",
    "to_local",
    "utm_crs_for",
    "validate_lonlat",
]

WGS84 = pyproj.CRS.from_epsg(4326)
GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
)
_GEOD = pyproj.Geod(ellps="WGS84")

_Position = list[float]


def _finite(value: object, name: str, field: str) -> float:
    # Plain floats and ints first, without the ABC check: positions arrive by the ten thousand
    # a second from TAK devices. bool is an int subclass (True as a longitude is a bug, not
    # 1 degree) and takes the slow path, which refuses it.
    if type(value) is float or type(value) is int:
        number = float(value)
    elif isinstance(value, bool) or not isinstance(value, Real):
        raise GeometryError(f"{name} must be a number, got {type(value).__name__}", field=field)
    else:
        number = float(value)
    if not math.isfinite(number):
        raise GeometryError(f"{name} {number} is not a finite number", field=field)
    return number


def validate_lonlat(lon: object, lat: object, *, field_prefix: str = "") -> tuple[float, float]:
    """Check a WGS 84 longitude/latitude pair and return it as floats."""
    lon_f = _finite(lon, "longitude", field_prefix + "lon")
    lat_f = _finite(lat, "latitude", field_prefix + "lat")
    if not -180.0 <= lon_f <= 180.0:
        raise GeometryError(f"longitude {lon_f} is outside -180..180", field=f"{field_prefix}lon")
    if not -90.0 <= lat_f <= 90.0:
        raise GeometryError(f"latitude {lat_f} is outside -90..90", field=f"{field_prefix}lat")
    return lon_f, lat_f


class _Reader:
    """Walks GeoJSON coordinates, checking each level and naming where a problem is."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.dimensions: int | None = None

    def fail(self, message: str) -> GeometryError:
        return GeometryError(message, field=self.field)

    def array(self, value: object, where: str) -> Sequence[object]:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise self.fail(f"{where} must be an array, got {type(value).__name__}")
        return value

    def position(self, value: object, where: str) -> _Position:
        items = self.array(value, where)
        if len(items) not in (2, 3):
            raise self.fail(
                f"{where} must be a position [longitude, latitude] or [lon, lat, altitude], "
                f"got {len(items)} numbers"
            )
        if self.dimensions is None:
            self.dimensions = len(items)
        elif self.dimensions != len(items):
            raise self.fail(
                f"{where} has {len(items)} numbers but earlier positions have "
                f"{self.dimensions}; do not mix 2D and 3D positions"
            )
        try:
            lon, lat = validate_lonlat(items[0], items[1])
            rest = [_finite(items[2], "altitude", self.field)] if len(items) == 3 else []
        except GeometryError as exc:
            raise self.fail(f"{exc.message} at {where}") from None
        return [lon, lat, *rest]

    def positions(self, value: object, where: str, minimum: int, what: str) -> list[_Position]:
        items = self.array(value, where)
        if len(items) < minimum:
            raise self.fail(f"{what} has {len(items)} positions; at least {minimum} are needed")
        return [self.position(item, f"{where}[{i}]") for i, item in enumerate(items)]

    def polygon(self, value: object, where: str, name: str) -> list[list[_Position]]:
        rings = self.array(value, where)
        if not rings:
            raise self.fail(f"{name} has no rings; expected an outer ring")
        checked: list[list[_Position]] = []
        for index, ring in enumerate(rings):
            positions = self.positions(ring, f"{where}[{index}]", 4, f"{name} ring {index}")
            first, last = positions[0], positions[-1]
            if first != last:
                raise self.fail(
                    f"{name} ring {index} is not closed: first position {first} "
                    f"differs from last {last}"
                )
            checked.append(positions)
        return checked

    def multi(self, value: object, where: str) -> Sequence[object]:
        items = self.array(value, where)
        if not items:
            raise self.fail(f"{where} is empty; expected at least one member")
        return items

    def coordinates(self, kind: str, value: object) -> object:
        where = "coordinates"
        if kind == "Point":
            return self.position(value, where)
        if kind == "MultiPoint":
            return [
                self.position(p, f"{where}[{i}]") for i, p in enumerate(self.multi(value, where))
            ]
        if kind == "LineString":
            return self.positions(value, where, 2, "LineString")
        if kind == "MultiLineString":
            return [
                self.positions(line, f"{where}[{i}]", 2, f"line {i}")
                for i, line in enumerate(self.multi(value, where))
            ]
        if kind == "Polygon":
            return self.polygon(value, where, "polygon")
        return [
            self.polygon(polygon, f"{where}[{i}]", f"polygon {i}")
            for i, polygon in enumerate(self.multi(value, where))
        ]


def _why_invalid(geometry: shapely.Geometry) -> str:
    # explain_validity gives 'Self-intersection[0.5 0.5]'; say where in lon/lat words.
    reason = str(explain_validity(geometry))
    match = re.fullmatch(r"(?P<what>[^\[]+)\[(?P<x>\S+) (?P<y>\S+)\]", reason)
    if match is None:
        return reason
    return f"{match['what'].lower()} near lon {match['x']}, lat {match['y']}"


def geometry_from_geojson(
    obj: Mapping[str, object], *, field: str = "geometry"
) -> shapely.Geometry:
    """Validate a GeoJSON geometry object (WGS 84 lon/lat) and return it as a shapely geometry."""
    if not isinstance(obj, Mapping):
        raise GeometryError(
            f"{field} must be a GeoJSON geometry object, got {type(obj).__name__}", field=field
        )
    kind = obj.get("type")
    if not isinstance(kind, str) or kind not in GEOMETRY_TYPES:
        raise GeometryError(
            f"geometry type {quoted(kind)} is not supported; expected one of "
            f"{', '.join(GEOMETRY_TYPES)}",
            field=field,
        )
    if "coordinates" not in obj:
        raise GeometryError(f"{kind} geometry has no 'coordinates'", field=field)
    coordinates = _Reader(field).coordinates(kind, obj["coordinates"])
    geometry = shape({"type": kind, "coordinates": coordinates})
    if not geometry.is_valid:
        raise GeometryError(f"{kind} is not valid: {_why_invalid(geometry)}", field=field)
    return geometry


def utm_crs_for(lon: float, lat: float) -> pyproj.CRS:
    """The WGS 84 / UTM CRS whose zone holds the point (with the Norway and Svalbard zones)."""
    lon, lat = validate_lonlat(lon, lat)
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    if 56.0 <= lat < 64.0 and 3.0 <= lon < 12.0:
        zone = 32
    elif lat >= 72.0 and 0.0 <= lon < 42.0:
        zone = 31 if lon < 9.0 else 33 if lon < 21.0 else 35 if lon < 33.0 else 37
    return _crs_from_epsg((32600 if lat >= 0.0 else 32700) + zone)


@lru_cache(maxsize=128)
def _crs_from_epsg(code: int) -> pyproj.CRS:
    return pyproj.CRS.from_epsg(code)


@lru_cache(maxsize=128)
def _transformers(crs: pyproj.CRS) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    # pyproj Transformers are thread-safe since 3.1, so they can be shared from this cache.
    forward = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    inverse = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
    return forward, inverse


def _check_geometry(geom: object) -> shapely.Geometry:
    if not isinstance(geom, shapely.Geometry):
        raise GeometryError(
            f"expected a shapely geometry, got {type(geom).__name__}", field="geometry"
        )
    return geom


def to_local(geom: shapely.Geometry, crs: pyproj.CRS) -> shapely.Geometry:
    """Project a lon/lat geometry into the given metric CRS."""
    forward, _ = _transformers(crs)
    return shapely.transform(
        _check_geometry(geom), forward.transform, include_z=None, interleaved=False
    )


def from_local(geom: shapely.Geometry, crs: pyproj.CRS) -> shapely.Geometry:
    """Project a geometry from the given metric CRS back to lon/lat."""
    _, inverse = _transformers(crs)
    return shapely.transform(
        _check_geometry(geom), inverse.transform, include_z=None, interleaved=False
    )


def buffer_m(
    geom: shapely.Geometry,
    metres: float,
    *,
    crs: pyproj.CRS | None = None,
    quad_segs: int = 16,
) -> shapely.Geometry:
    """Buffer a lon/lat geometry by a distance in metres, computed in a local UTM projection."""
    geom = _check_geometry(geom)
    if geom.is_empty:
        raise GeometryError("cannot buffer an empty geometry", field="geometry")
    distance = _finite(metres, "buffer distance", "metres")
    if crs is None:
        centroid = geom.centroid
        crs = utm_crs_for(centroid.x, centroid.y)
    return from_local(to_local(geom, crs).buffer(distance, quad_segs=quad_segs), crs)


def _point(value: object, field_prefix: str) -> tuple[float, float]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != 2:
        raise GeometryError(
            "a point must be a (longitude, latitude) pair", field=field_prefix.rstrip(".")
        )
    return validate_lonlat(value[0], value[1], field_prefix=field_prefix)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (lon, lat) points on the WGS 84 ellipsoid."""
    lon1, lat1 = _point(a, "a.")
    lon2, lat2 = _point(b, "b.")
    _, _, distance = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(distance)
