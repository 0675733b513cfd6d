"""Tests for coordinate validation, GeoJSON geometry and metric operations."""

from __future__ import annotations

import math

import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from peacewatch.domain.errors import GeometryError
from peacewatch.domain.geometry import (
    buffer_m,
    distance_m,
    from_local,
    geometry_from_geojson,
    to_local,
    utm_crs_for,
    validate_lonlat,
)

GEOD = pyproj.Geod(ellps="WGS84")
PRISTINA = (21.166, 42.663)
SQUARE = [[21.0, 42.0], [21.1, 42.0], [21.1, 42.1], [21.0, 42.1], [21.0, 42.0]]


def geodesic_area(geom: shapely.Geometry) -> float:
    area, _ = GEOD.geometry_area_perimeter(geom)
    return abs(float(area))


class TestValidateLonLat:
    def test_accepts_numbers(self) -> None:
        assert validate_lonlat(21, 42.5) == (21.0, 42.5)
        assert validate_lonlat(-180, 90) == (-180.0, 90.0)

    @pytest.mark.parametrize(
        ("lon", "lat", "field", "message"),
        [
            (0, 91.0, "lat", "latitude 91.0 is outside -90..90"),
            (0, -90.5, "lat", "latitude -90.5 is outside -90..90"),
            (180.5, 0, "lon", "longitude 180.5 is outside -180..180"),
            (math.nan, 0, "lon", "longitude nan is not a finite number"),
            (0, math.inf, "lat", "latitude inf is not a finite number"),
            ("21", 42, "lon", "longitude must be a number, got str"),
            (21, None, "lat", "latitude must be a number, got NoneType"),
            (True, 42, "lon", "longitude must be a number, got bool"),
        ],
    )
    def test_errors(self, lon: object, lat: object, field: str, message: str) -> None:
        with pytest.raises(GeometryError) as info:
            validate_lonlat(lon, lat)
        assert info.value.field == field
        assert info.value.message == message
        assert info.value.code == "invalid_geometry"

    def test_field_prefix(self) -> None:
        with pytest.raises(GeometryError) as info:
            validate_lonlat(0, 100, field_prefix="centre.")
        assert info.value.field == "centre.lat"


class TestGeometryFromGeoJSON:
    @pytest.mark.parametrize(
        ("obj", "geom_type"),
        [
            ({"type": "Point", "coordinates": [21.1, 42.6]}, "Point"),
            ({"type": "Point", "coordinates": [21.1, 42.6, 650.0]}, "Point"),
            ({"type": "MultiPoint", "coordinates": [[21.1, 42.6], [21.2, 42.7]]}, "MultiPoint"),
            ({"type": "LineString", "coordinates": [[21.1, 42.6], [21.2, 42.7]]}, "LineString"),
            (
                {"type": "MultiLineString", "coordinates": [[[21.1, 42.6], [21.2, 42.7]]]},
                "MultiLineString",
            ),
            ({"type": "Polygon", "coordinates": [SQUARE]}, "Polygon"),
            (
                {
                    "type": "Polygon",
                    "coordinates": [
                        SQUARE,
                        [[21.02, 42.02], [21.02, 42.05], [21.05, 42.05], [21.02, 42.02]],
                    ],
                },
                "Polygon",
            ),
            ({"type": "MultiPolygon", "coordinates": [[SQUARE]]}, "MultiPolygon"),
        ],
    )
    def test_valid(self, obj: dict[str, object], geom_type: str) -> None:
        geom = geometry_from_geojson(obj)
        assert geom.geom_type == geom_type
        assert geom.is_valid

    def test_keeps_coordinates(self) -> None:
        geom = geometry_from_geojson({"type": "Point", "coordinates": [21.1, 42.6]})
        assert (geom.x, geom.y) == (21.1, 42.6)

    @pytest.mark.parametrize(
        ("obj", "fragment"),
        [
            ([1, 2], "must be a GeoJSON geometry object"),
            ({"type": "Circle", "coordinates": [0, 0]}, "'Circle' is not supported"),
            ({"coordinates": [0, 0]}, "is not supported"),
            ({"type": "GeometryCollection", "geometries": []}, "is not supported"),
            ({"type": "Point"}, "has no 'coordinates'"),
            ({"type": "Point", "coordinates": "21,42"}, "must be an array"),
            ({"type": "Point", "coordinates": [21]}, "got 1 numbers"),
            ({"type": "Point", "coordinates": [21, 42, 0, 0]}, "got 4 numbers"),
            ({"type": "Point", "coordinates": [21, "42"]}, "latitude must be a number"),
            ({"type": "Point", "coordinates": [21, 42, "high"]}, "altitude must be a number"),
            ({"type": "Point", "coordinates": [200, 42]}, "longitude 200.0 is outside -180..180"),
            (
                {"type": "LineString", "coordinates": [[21, 42], [21, 95]]},
                "latitude 95.0 is outside -90..90 at coordinates[1]",
            ),
            ({"type": "LineString", "coordinates": [[21, 42]]}, "LineString has 1 positions"),
            ({"type": "LineString", "coordinates": [[21, 42], [21, 42]]}, "is not valid"),
            (
                {"type": "LineString", "coordinates": [[21, 42], [21, 43, 5]]},
                "do not mix 2D and 3D",
            ),
            ({"type": "MultiPoint", "coordinates": []}, "is empty"),
            ({"type": "MultiPolygon", "coordinates": []}, "is empty"),
            ({"type": "Polygon", "coordinates": []}, "polygon has no rings"),
            (
                {"type": "Polygon", "coordinates": [SQUARE[:-1]]},
                "polygon ring 0 is not closed: first position [21.0, 42.0] "
                "differs from last [21.0, 42.1]",
            ),
            (
                {"type": "Polygon", "coordinates": [[[21, 42], [21.1, 42], [21, 42]]]},
                "polygon ring 0 has 3 positions; at least 4 are needed",
            ),
            (
                {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE[:-1]]]},
                "polygon 1 ring 0 is not closed",
            ),
            (
                {
                    "type": "Polygon",
                    "coordinates": [[[21, 42], [21.1, 42.1], [21.1, 42], [21, 42.1], [21, 42]]],
                },
                "Polygon is not valid: self-intersection near lon 21.05",
            ),
            (
                {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]},
                "MultiPolygon is not valid",
            ),
        ],
    )
    def test_errors(self, obj: object, fragment: str) -> None:
        with pytest.raises(GeometryError) as info:
            geometry_from_geojson(obj)  # type: ignore[arg-type]
        assert info.value.field == "geometry"
        assert fragment in info.value.message

    def test_field_name_is_passed_through(self) -> None:
        with pytest.raises(GeometryError) as info:
            geometry_from_geojson({"type": "Point", "coordinates": [0, 99]}, field="area")
        assert info.value.field == "area"


class TestUTM:
    @pytest.mark.parametrize(
        ("lon", "lat", "epsg"),
        [
            (21.166, 42.663, 32634),  # Pristina
            (-58.38, -34.6, 32721),  # Buenos Aires, southern hemisphere
            (-180.0, 0.0, 32601),
            (180.0, 0.0, 32660),
            (5.3, 60.4, 32632),  # Bergen: the widened Norway zone
            (10.0, 78.0, 32633),  # Svalbard: 33X instead of 32X
            (0.0, 0.0, 32631),
        ],
    )
    def test_zone(self, lon: float, lat: float, epsg: int) -> None:
        assert utm_crs_for(lon, lat).to_epsg() == epsg

    def test_rejects_bad_coordinates(self) -> None:
        with pytest.raises(GeometryError) as info:
            utm_crs_for(0.0, 95.0)
        assert info.value.field == "lat"

    def test_local_round_trip_is_metric(self) -> None:
        crs = utm_crs_for(*PRISTINA)
        line = LineString([PRISTINA, (21.2, 42.7)])
        local = to_local(line, crs)
        assert local.length == pytest.approx(distance_m(PRISTINA, (21.2, 42.7)), rel=1e-3)
        back = from_local(local, crs)
        assert shapely.equals_exact(back, line, tolerance=1e-9)

    def test_local_keeps_altitude(self) -> None:
        crs = utm_crs_for(*PRISTINA)
        local = to_local(Point(*PRISTINA, 650.0), crs)
        assert local.has_z
        assert local.z == pytest.approx(650.0)

    def test_rejects_non_geometry(self) -> None:
        with pytest.raises(GeometryError) as info:
            to_local("POINT (0 0)", utm_crs_for(0, 0))
        assert info.value.field == "geometry"


class TestBuffer:
    def test_point_buffer_is_a_circle_of_the_right_size(self) -> None:
        circle = buffer_m(Point(*PRISTINA), 1000.0)
        assert circle.geom_type == "Polygon"
        assert geodesic_area(circle) == pytest.approx(math.pi * 1000.0**2, rel=0.01)
        edge = circle.exterior.coords[0]
        assert distance_m(PRISTINA, (edge[0], edge[1])) == pytest.approx(1000.0, rel=0.002)

    def test_line_buffer_contains_the_line(self) -> None:
        line = LineString([PRISTINA, (21.2, 42.7)])
        corridor = buffer_m(line, 500.0)
        assert corridor.contains(line)
        assert not corridor.contains(Point(21.2, 42.6))

    def test_explicit_crs(self) -> None:
        crs = utm_crs_for(*PRISTINA)
        assert buffer_m(Point(*PRISTINA), 100.0, crs=crs).equals(buffer_m(Point(*PRISTINA), 100.0))

    def test_negative_buffer_shrinks(self) -> None:
        square = geometry_from_geojson({"type": "Polygon", "coordinates": [SQUARE]})
        assert geodesic_area(buffer_m(square, -100.0)) < geodesic_area(square)

    @pytest.mark.parametrize(
        ("geom", "metres", "field"),
        [
            (Point(), 10.0, "geometry"),
            ("POINT (0 0)", 10.0, "geometry"),
            (Point(*PRISTINA), math.nan, "metres"),
            (Point(*PRISTINA), "10", "metres"),
        ],
    )
    def test_errors(self, geom: object, metres: object, field: str) -> None:
        with pytest.raises(GeometryError) as info:
            buffer_m(geom, metres)  # type: ignore[arg-type]
        assert info.value.field == field

    @given(
        lon=st.floats(min_value=-179.0, max_value=179.0),
        lat=st.floats(min_value=-80.0, max_value=84.0),
        radius=st.floats(min_value=10.0, max_value=50_000.0),
    )
    @settings(max_examples=60, deadline=None)
    def test_point_buffer_area_is_pi_r_squared(self, lon: float, lat: float, radius: float) -> None:
        circle = buffer_m(Point(lon, lat), radius)
        assert geodesic_area(circle) == pytest.approx(math.pi * radius**2, rel=0.01)


class TestDistance:
    def test_one_degree_of_longitude_at_the_equator(self) -> None:
        assert distance_m((0.0, 0.0), (1.0, 0.0)) == pytest.approx(111_319.49, abs=0.01)

    def test_is_symmetric_and_zero_on_itself(self) -> None:
        prizren = (20.739, 42.212)
        assert distance_m(PRISTINA, prizren) == pytest.approx(distance_m(prizren, PRISTINA))
        assert 60_000 < distance_m(PRISTINA, prizren) < 62_000
        assert distance_m(PRISTINA, PRISTINA) == 0.0

    @pytest.mark.parametrize(
        ("a", "b", "field"),
        [
            ((0.0, 91.0), (0.0, 0.0), "a.lat"),
            ((0.0, 0.0), (-181.0, 0.0), "b.lon"),
            ((0.0,), (0.0, 0.0), "a"),
            ("0,0", (0.0, 0.0), "a"),
        ],
    )
    def test_errors(self, a: object, b: object, field: str) -> None:
        with pytest.raises(GeometryError) as info:
            distance_m(a, b)  # type: ignore[arg-type]
        assert info.value.field == field
