"""The ingest pipeline and its first adapters (GeoJSON, CSV), on both backends."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from peacewatch.domain.labels import Classification, Viewer
from peacewatch.errors import ValidationFailed
from peacewatch.ingest.bus import Bus
from peacewatch.ingest.files import detect_format, items_from_bytes
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from peacewatch.store.tables import reports
from tests.conftest import ADMIN
from tests.helpers import feature_collection, random_reports, report


def _count(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(reports)).scalar_one())


def _run(store: Store, items, viewer: Viewer = ADMIN, **kw):  # type: ignore[no-untyped-def]
    return Pipeline(store, viewer=viewer, mission="KFOR", **kw).run(items)


def test_geojson_file_is_ingested_and_published(store: Store) -> None:
    records = random_reports(30)
    bus = Bus()
    got: list[tuple[str, list[dict[str, object]]]] = []
    bus.subscribe(lambda topic, items: got.append((topic, items)))
    data = json.dumps(feature_collection(records)).encode()
    summary = _run(store, items_from_bytes(data, "geojson"), bus=bus, batch_size=7)
    assert (summary.accepted, summary.duplicates, summary.rejected) == (30, 0, [])
    assert _count(store) == 30
    published = [i["id"] for topic, items in got for i in items]
    assert sorted(published) == sorted(r["id"] for r in records)
    assert all(topic == "reports" for topic, _ in got)


def test_csv_with_aliases_and_extra_columns(store: Store) -> None:
    text = (
        "id,kind,observed_at,latitude,longitude,classification,releasable_to,party,grade,unit\n"
        "0b7c6a52-3f7e-4a4e-9a39-3f3f1d0f0001,roadblock,1999-06-20T08:00:00Z,42.88,20.87,"
        'NATO RESTRICTED,"KFOR, NATO",UCK,C3,2 PARA\n'
        "0b7c6a52-3f7e-4a4e-9a39-3f3f1d0f0002,arson,211200ZJUN99,42.21,20.74,,,,,\n"
    )
    summary = _run(store, items_from_bytes(text.encode(), "csv"))
    assert (summary.accepted, summary.rejected) == (2, [])
    from peacewatch.store.reports import get_report

    with store.read() as conn:
        first = get_report(conn, viewer=ADMIN, uuid="0b7c6a52-3f7e-4a4e-9a39-3f3f1d0f0001")
        second = get_report(conn, viewer=ADMIN, uuid="0b7c6a52-3f7e-4a4e-9a39-3f3f1d0f0002")
    assert first is not None and second is not None
    assert first["properties"]["label"] == "NATO RESTRICTED REL TO KFOR, NATO"
    assert first["properties"]["attributes"] == {"unit": "2 PARA"}
    assert first["properties"]["party"] == "UCK"
    # a DTG is accepted for observed_at; an empty label takes the mission's default
    assert second["properties"]["observed_at"] == "1999-06-21T12:00:00Z"
    assert second["properties"]["label"] == "NATO UNCLASSIFIED REL TO KFOR, NATO"


BAD = [
    ({"lat": 91}, "lat", "outside"),
    ({"lon": "east"}, "lon", "not a number"),
    ({"kind": "picnic"}, "kind", "unknown kind"),
    ({"label": "NATO TOP SECRETISH"}, "label", "classification"),
    ({"label": "NATO RESTRICTED REL TO XYZ"}, "label", "unknown release code"),
    ({"observed_at": "yesterday"}, "observed_at", "ISO 8601"),
    ({"observed_at": "1999-06-15T12:00:00"}, "observed_at", "time zone"),
    ({"id": "42"}, "id", "not a UUID"),
    ({"grade": "Z9"}, "grade", ""),
    ({"party": "NOBODY"}, "party", "unknown party"),
    ({"mgrs": "34T ZZ 1", "lon": None, "lat": None}, "mgrs", ""),
    ({"location_precision": 7}, "location_precision", "1, 2 or 3"),
]


@pytest.mark.parametrize(
    ("change", "field", "words"), BAD, ids=[b[1] + str(i) for i, b in enumerate(BAD)]
)
def test_bad_record_is_rejected_naming_the_field_and_others_are_kept(
    store: Store, change: dict[str, object], field: str, words: str
) -> None:
    good = [report(), report()]
    bad = report(**change)
    summary = _run(store, [("r0", good[0]), ("bad one", bad), ("r2", good[1])])
    assert summary.accepted == 2
    assert len(summary.rejected) == 1
    rejection = summary.rejected[0]
    assert rejection.record == "bad one"
    fields = {p.field for p in rejection.problems}
    assert field in fields, rejection.problems
    assert any(words.lower() in p.message.lower() for p in rejection.problems)


def test_every_problem_of_a_record_is_named(store: Store) -> None:
    summary = _run(store, [("r", report(lat=91, kind="x", grade="Q"))])
    assert {p.field for p in summary.rejected[0].problems} >= {"lat", "kind", "grade"}


def test_writer_cannot_label_above_clearance(store: Store) -> None:
    low = Viewer("low", "GBR", Classification.NATO_RESTRICTED, frozenset({"NATO", "KFOR"}))
    summary = _run(store, [("r", report(label="NATO SECRET REL TO NATO"))], viewer=low)
    assert summary.accepted == 0
    assert summary.rejected[0].problems[0].field == "label"
    assert _count(store) == 0


def test_malformed_files_are_refused_whole_and_store_is_untouched(store: Store) -> None:
    _run(store, [("r", report())])
    before = _count(store)
    for data, fmt in [
        (b'{"type": "FeatureCollection", "features": [', "geojson"),
        (b'{"type": "Topology"}', "geojson"),
        (b"\xff\xfe\x00garbage", "csv"),
        (b"kind,observed_at\nshooting,1999-06-15T12:00:00Z\n", "csv"),
    ]:
        with pytest.raises(ValidationFailed) as err:
            _run(store, items_from_bytes(data, fmt))
        assert err.value.problems, data
    assert _count(store) == before


def test_feature_with_wrong_geometry_type_is_rejected(store: Store) -> None:
    doc = feature_collection([report()])
    doc["features"][0]["geometry"] = {"type": "LineString", "coordinates": [[20, 42], [21, 42]]}
    summary = _run(store, items_from_bytes(json.dumps(doc).encode(), "geojson"))
    assert summary.rejected[0].problems[0].field == "geometry"
    assert "Point" in summary.rejected[0].problems[0].message


def test_duplicates_within_one_batch_count_once(store: Store) -> None:
    r = report()
    summary = _run(store, [("a", r), ("b", dict(r))])
    assert (summary.accepted, summary.duplicates) == (1, 1)


def test_locations_by_mgrs_and_by_place(store: Store) -> None:
    from peacewatch.domain.grid import to_mgrs
    from peacewatch.store.reference import add_places
    from peacewatch.store.reports import get_report

    with store.write() as conn:
        add_places(
            conn,
            [
                {
                    "geonames_id": 786714,
                    "name": "Pristina",
                    "kind": "town",
                    "lon": 21.166,
                    "lat": 42.673,
                    "population": 550000,
                    "source": "test",
                }
            ],
        )
    by_grid = report(lon=None, lat=None, mgrs=to_mgrs(20.74, 42.214))
    by_place = report(lon=None, lat=None, place="pristina")
    assert _run(store, [("g", by_grid), ("p", by_place)]).accepted == 2
    with store.read() as conn:
        g = get_report(conn, viewer=ADMIN, uuid=by_grid["id"])
        p = get_report(conn, viewer=ADMIN, uuid=by_place["id"])
    assert g is not None and p is not None
    lon, lat = g["geometry"]["coordinates"]
    assert abs(lon - 20.74) < 1e-4 and abs(lat - 42.214) < 1e-4
    assert p["geometry"]["coordinates"] == [21.166, 42.673]


def test_detect_format() -> None:
    assert detect_format("a.GeoJSON") == "geojson"
    assert detect_format("x.csv") == "csv"
    with pytest.raises(ValidationFailed):
        detect_format("x.xlsx")
