"""Tests for MGRS conversion."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacewatch.domain.errors import GridError
from peacewatch.domain.geometry import distance_m
from peacewatch.domain.grid import from_mgrs, to_mgrs

PRISTINA = (21.166, 42.663)  # lon, lat


def test_pristina_is_in_34t() -> None:
    reference = to_mgrs(*PRISTINA)
    assert reference.startswith("34TEN")
    assert len(reference) == 15


def test_from_mgrs_returns_lon_then_lat() -> None:
    lon, lat = from_mgrs(to_mgrs(*PRISTINA))
    assert lon == pytest.approx(PRISTINA[0], abs=1e-4)
    assert lat == pytest.approx(PRISTINA[1], abs=1e-4)


def test_spaces_and_case_are_accepted() -> None:
    compact = to_mgrs(*PRISTINA)
    spaced = f" {compact[:3].lower()} {compact[3:5]} {compact[5:10]} {compact[10:]} "
    assert from_mgrs(spaced) == from_mgrs(compact)


def test_southern_and_western_hemispheres() -> None:
    assert to_mgrs(-58.38, -34.60).startswith("21H")  # Buenos Aires
    lon, lat = from_mgrs(to_mgrs(-58.38, -34.60))
    assert (lon, lat) == pytest.approx((-58.38, -34.60), abs=1e-4)


@pytest.mark.parametrize("lat", [-1e-9, -5e-8, -1e-7, -0.0, 0.0, 1e-9])
def test_points_just_south_of_the_equator_round_trip(lat: float) -> None:
    decoded = from_mgrs(to_mgrs(21.0, lat))
    assert distance_m((21.0, lat), decoded) <= 1.5


@pytest.mark.parametrize("precision", range(6))
def test_precision_sets_digit_count(precision: int) -> None:
    assert len(to_mgrs(*PRISTINA, precision=precision)) == 5 + 2 * precision


@pytest.mark.parametrize("precision", range(1, 5))
def test_lower_precision_decodes_inside_its_cell(precision: int) -> None:
    # The package decodes to the centre of the cell, so the error is at most half a diagonal.
    cell = 10 ** (5 - precision)
    decoded = from_mgrs(to_mgrs(*PRISTINA, precision=precision))
    assert distance_m(PRISTINA, decoded) <= cell * math.sqrt(2) / 2 * 1.01


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(0.0, 84.5), (0.0, -80.5), (10.0, 90.0), (181.0, 0.0), (math.nan, 0.0), ("21", 42.0)],
)
def test_to_mgrs_rejects_positions_without_mgrs(lon: object, lat: object) -> None:
    with pytest.raises(GridError) as info:
        to_mgrs(lon, lat)  # type: ignore[arg-type]
    assert info.value.field == "mgrs"
    assert info.value.code == "invalid_grid"


def test_polar_message_mentions_ups() -> None:
    with pytest.raises(GridError, match="UPS"):
        to_mgrs(0.0, 85.0)


@pytest.mark.parametrize("precision", [-1, 6, True, 2.0])
def test_to_mgrs_rejects_bad_precision(precision: object) -> None:
    with pytest.raises(GridError) as info:
        to_mgrs(*PRISTINA, precision=precision)  # type: ignore[arg-type]
    assert info.value.field == "mgrs"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "is not <zone><band><square><digits>"),
        ("34TEN123", "same number of digits"),
        ("61TEN1234", "zone 61"),
        ("0TEN1234", "zone 0"),
        ("34IEN1234", "is not <zone>"),
        ("34TEW1234", "is not <zone>"),
        ("34TEN123456789012", "is not <zone>"),
        ("ZAC7714662481", "UPS"),
        ("34XEN1360423405", "does not exist"),
        ("hello", "is not <zone>"),
    ],
)
def test_from_mgrs_errors(text: str, fragment: str) -> None:
    with pytest.raises(GridError) as info:
        from_mgrs(text)
    assert info.value.field == "mgrs"
    assert fragment in info.value.message


def test_from_mgrs_rejects_non_text() -> None:
    with pytest.raises(GridError) as info:
        from_mgrs(3412345)  # type: ignore[arg-type]
    assert info.value.field == "mgrs"


@given(
    lon=st.floats(min_value=-180.0, max_value=180.0),
    lat=st.floats(min_value=-79.9, max_value=83.9),
)
@settings(max_examples=300)
def test_round_trip_within_1_5_m(lon: float, lat: float) -> None:
    decoded = from_mgrs(to_mgrs(lon, lat, precision=5))
    assert distance_m((lon, lat), decoded) <= 1.5
