"""KML, GPX and HXL imports, and files refused whole: wrong CRS, broken or hostile XML.

Bad records are rejected one by one, naming the field; a refused file changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from peacewatch.errors import ValidationFailed
from peacewatch.ingest.files import (
    detect_format,
    items_from_bytes,
    patrols_from_bytes,
    store_patrols,
)
from peacewatch.ingest.pipeline import Pipeline, Summary
from peacewatch.store import Store
from peacewatch.store.tables import patrol_tracks, patrols, reports
from tests.conftest import ADMIN
from tests.helpers import feature_collection, report

KML = b"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
  <Placemark><name>Roadblock at Podujevo</name><description>Two trucks &amp; a tractor</description>
    <TimeStamp><when>1999-06-20T08:00:00Z</when></TimeStamp>
    <ExtendedData><Data name="kind"><value>roadblock</value></Data>
      <Data name="party"><value>UCK</value></Data>
      <Data name="label"><value>NATO RESTRICTED REL TO KFOR, NATO</value></Data>
      <Data name="vehicles"><value>2</value></Data></ExtendedData>
    <Point><coordinates>21.19,42.91,0</coordinates></Point></Placemark>
  <Placemark><name>Sighting</name><TimeStamp><when>1999-06-21T09:30:00Z</when></TimeStamp>
    <Point><coordinates>21.0,42.5</coordinates></Point></Placemark>
  <Placemark><name>A road</name><LineString><coordinates>21,42 21.1,42.1</coordinates></LineString>
  </Placemark>
  <Placemark><name>Bad day</name><TimeStamp><when>1999-02-31T09:30:00Z</when></TimeStamp>
    <Point><coordinates>21.0,42.5</coordinates></Point></Placemark>
</Document></kml>"""

GPX = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="a GPS" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="42.66" lon="21.16"><time>1999-06-15T10:00:00Z</time><name>Checkpoint</name>
    <type>roadblock</type></wpt>
  <wpt lat="42.38" lon="20.43"><time>1999-06-15T11:00:00Z</time><name>Cache</name>
    <type>Geocache</type></wpt>
  <wpt lat="95" lon="20.43"><time>1999-06-15T11:00:00Z</time><name>Off the map</name></wpt>
  <trk><name>Patrol Bravo</name><trkseg>
    <trkpt lat="42.60" lon="21.10"><time>1999-06-15T08:00:00Z</time></trkpt>
    <trkpt lat="42.62" lon="21.12"><time>1999-06-15T08:30:00Z</time></trkpt>
  </trkseg><trkseg>
    <trkpt lat="42.64" lon="21.15"><time>1999-06-15T09:00:00Z</time></trkpt>
  </trkseg></trk>
</gpx>"""

HXL = """Event,Type,When,Lat,Lon,Sector,Killed,Label,Comment
#event+id,#event+type,#date+occurred,#geo+lat,#geo+lon,#adm1+name,#affected+killed,#meta+label,
{a},Armed clash,1999-07-01T10:00:00Z,42.6,21.1,MNB-East,2,"NATO RESTRICTED REL TO KFOR, NATO",x
{b},arson,31/02/1999,42.6,21.1,,,,
{c},arson,1999-02-31T10:00:00Z,42.6,21.1,,,,
"""


def _ingest(store: Store, data: bytes, fmt: str) -> Summary:
    return Pipeline(store, viewer=ADMIN, mission="KFOR").run(items_from_bytes(data, fmt))


def _counts(store: Store) -> tuple[int, int]:
    with store.read() as conn:
        n = conn.execute(select(func.count()).select_from(reports)).scalar_one()
        p = conn.execute(select(func.count()).select_from(patrols)).scalar_one()
    return int(n), int(p)


def _problems(summary: Summary) -> dict[str, list[str]]:
    return {r.record: [p.field for p in r.problems] for r in summary.rejected}


def test_kml_points_become_reports_and_other_placemarks_are_rejected(store: Store) -> None:
    summary = _ingest(store, KML, "kml")
    assert summary.accepted == 2
    problems = _problems(summary)
    assert problems["placemark 2 (A road)"] == ["geometry"]
    assert problems["placemark 3 (Bad day)"] == ["observed_at"]
    with store.read() as conn:
        rows = {r.title: r for r in conn.execute(select(reports))}
    assert rows["Roadblock at Podujevo"].kind == "roadblock"
    assert rows["Roadblock at Podujevo"].text == "Two trucks & a tractor"
    assert rows["Roadblock at Podujevo"].attributes == {"vehicles": 2}  # numbers stored as such
    assert rows["Sighting"].kind == "spot"
    again = _ingest(store, KML, "kml")  # ids derived from content: a duplicate, not a copy
    assert again.accepted == 0 and again.duplicates == 2


def test_gpx_waypoints_become_reports_and_tracks_become_patrols(store: Store) -> None:
    summary = _ingest(store, GPX, "gpx")
    assert summary.accepted == 2
    assert _problems(summary) == {"waypoint 2 (Off the map)": ["lat"]}
    found = patrols_from_bytes(GPX, "gpx", mission="KFOR")
    assert len(found) == 1 and len(found[0]["track"]) == 3
    assert store_patrols(store, viewer=ADMIN, patrols=found) == 1
    assert store_patrols(store, viewer=ADMIN, patrols=found) == 0  # sent again: skipped
    with store.read() as conn:
        patrol = conn.execute(select(patrols)).one()
        assert patrol.name == "Patrol Bravo" and patrol.status == "completed"
        assert conn.execute(select(func.count()).select_from(patrol_tracks)).scalar_one() == 1
        kinds = {r.title: (r.kind, r.attributes) for r in conn.execute(select(reports))}
    assert kinds["Cache"] == ("spot", {"gpx_type": "Geocache"})
    assert kinds["Checkpoint"][0] == "roadblock"


def test_a_gpx_track_without_times_is_refused_whole(store: Store) -> None:
    bad = GPX.replace(b"<time>1999-06-15T08:30:00Z</time>", b"")
    before = _counts(store)
    with pytest.raises(ValidationFailed) as caught:
        store_patrols(store, viewer=ADMIN, patrols=patrols_from_bytes(bad, "gpx", mission="KFOR"))
    assert "track[1].time" in [p.field for p in caught.value.problems]
    assert _counts(store) == before


def test_hxl_rows_map_back_and_impossible_dates_reject_their_row(store: Store) -> None:
    ids = [report()["id"] for _ in range(3)]
    data = HXL.format(a=ids[0], b=ids[1], c=ids[2]).encode()
    summary = _ingest(store, data, "hxl")
    assert summary.accepted == 1
    assert _problems(summary) == {"line 4": ["observed_at"], "line 5": ["observed_at"]}
    with store.read() as conn:
        row = conn.execute(select(reports)).one()
    assert row.kind == "armed_clash"
    assert row.attributes == {"sector": "MNB-East", "fatalities": 2}


def test_an_unknown_hxl_hashtag_rejects_every_row_naming_the_column(store: Store) -> None:
    data = HXL.replace("#adm1+name", "#adm9+name").format(a="x", b="y", c="z").encode()
    before = _counts(store)
    summary = _ingest(store, data, "hxl")
    assert summary.accepted == 0 and len(summary.rejected) == 3
    assert all(_problems(summary)[r] == ["#adm9+name"] for r in _problems(summary))
    assert _counts(store) == before


def test_a_csv_without_hashtags_is_not_hxl() -> None:
    with pytest.raises(ValidationFailed) as caught:
        list(items_from_bytes(b"a,b\n1,2\n", "hxl"))
    assert caught.value.problems[0].field == "file"


@pytest.mark.parametrize(
    "name",
    ["urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326", "OGC:CRS84", "urn:ogc:def:crs:EPSG::4326"],
)
def test_geojson_in_wgs84_is_accepted(store: Store, name: str) -> None:
    doc = feature_collection([report()]) | {"crs": {"type": "name", "properties": {"name": name}}}
    assert _ingest(store, json.dumps(doc).encode(), "geojson").accepted == 1


@pytest.mark.parametrize("crs", ["urn:ogc:def:crs:EPSG::3857", "EPSG:32634", {"type": "link"}])
def test_geojson_in_another_crs_is_refused_naming_crs(store: Store, crs: Any) -> None:
    member = {"type": "name", "properties": {"name": crs}} if isinstance(crs, str) else crs
    doc = feature_collection([report()]) | {"crs": member}
    before = _counts(store)
    with pytest.raises(ValidationFailed) as caught:
        _ingest(store, json.dumps(doc).encode(), "geojson")
    assert [p.field for p in caught.value.problems] == ["crs"]
    assert _counts(store) == before


@pytest.mark.parametrize("fmt", ["kml", "gpx"])
def test_broken_xml_is_refused_naming_the_line(store: Store, fmt: str) -> None:
    data = (KML if fmt == "kml" else GPX).replace(b"</name>", b"</nom>", 2)
    before = _counts(store)
    with pytest.raises(ValidationFailed) as caught:
        _ingest(store, data, fmt)
    assert "line 3" in caught.value.detail or "line 4" in caught.value.detail
    assert caught.value.problems[0].field == "file"
    assert _counts(store) == before


@pytest.mark.parametrize("fmt", ["kml", "gpx"])
def test_dtds_and_entities_are_refused(store: Store, fmt: str) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><kml><Placemark><name>&b;</name>'
        b"</Placemark></kml>"
    )
    xxe = b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]><gpx/>'
    for data in (bomb, xxe):
        with pytest.raises(ValidationFailed) as caught:
            _ingest(store, data, fmt)
        assert "DTD" in caught.value.detail


def test_formats_are_told_by_file_name() -> None:
    names = {"a.kml": "kml", "a.GPX": "gpx", "a.hxl": "hxl", "a.hxl.csv": "hxl", "a.csv": "csv"}
    assert {n: detect_format(n) for n in names} == names
