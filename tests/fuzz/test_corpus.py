"""Known-bad inputs kept as regression tests (tests/fuzz/corpus/): entity bombs, external
entities, truncated and mis-framed protobuf, coordinates no map holds, times before year 1,
31 February, invalid MGRS zones, CSV with a BOM and NULs, JSON nested too deeply.

Each is refused by its parser naming the problem; through the way it comes in (the HTTP
ingest route for GeoJSON and CSV, ``peacewatch ingest`` for KML, GPX and HXL, the TAK
framing and parsers for CoT) it gives a clean 4xx problem+json (or exit status) naming the
same field, and nothing is stored. A file added to the corpus must say here what it names.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from peacewatch.cli import main
from peacewatch.domain.dtg import parse_dtg, parse_time
from peacewatch.domain.errors import DomainError
from peacewatch.domain.grid import from_mgrs
from peacewatch.errors import PeaceWatchError
from peacewatch.ingest import records
from peacewatch.ingest.files import items_from_bytes, patrols_from_bytes
from peacewatch.ingest.pipeline import Rejection
from peacewatch.ingest.validate import RecordInvalid, to_row
from peacewatch.store import Store
from peacewatch.store.tables import patrols, reports
from peacewatch.tak import cot, proto
from peacewatch.tak.framing import Framer, FramingError
from tests.conftest import make_user
from tests.fuzz.inputs import context

CORPUS = Path(__file__).parent / "corpus"
FORMATS = {"geojson": "geojson", "csv": "csv", "hxl": "hxl", "kml": "kml", "gpx": "gpx"}
# Each file and the field its problem names ("file": the whole file is refused).
NAMED = {
    "geojson/deep-nesting.geojson": "file",
    "geojson/huge-coordinates.geojson": "lon",
    "geojson/invalid-mgrs-zone.geojson": "mgrs",
    "geojson/kind-is-a-list.geojson": "kind",
    "geojson/nan-coordinates.geojson": "lon",
    "geojson/not-a-collection.geojson": "type",
    "geojson/polygon-report.geojson": "geometry",
    "geojson/time-before-year-one.geojson": "observed_at",
    "geojson/truncated.geojson": "file",
    "geojson/wrong-crs.geojson": "crs",
    "csv/bom-and-nuls.csv": "kind",
    "csv/february-31.csv": "observed_at",
    "csv/header-only-nuls.csv": "id",
    "csv/latin1.csv": "file",
    "csv/missing-columns.csv": "observed_at",
    "csv/nan-and-huge-coordinates.csv": "lon",
    "csv/nul-in-header.csv": "kind",
    "csv/unterminated-quote.csv": "observed_at",
    "hxl/lat-out-of-range.hxl.csv": "lat",
    "hxl/latin1.hxl.csv": "file",
    "hxl/no-hashtag-row.hxl.csv": "file",
    "hxl/unknown-hashtag.hxl.csv": "#secret+sauce",
    "kml/billion-laughs.kml": "file",
    "kml/deep-attributes.kml": "attributes",
    "kml/external-entity.kml": "file",
    "kml/line-not-point.kml": "geometry",
    "kml/nan-coordinates.kml": "lon",
    "kml/not-kml.kml": "file",
    "kml/parameter-entity.kml": "file",
    "kml/truncated.kml": "file",
    "kml/undefined-encoding.kml": "file",
    "kml/unknown-encoding.kml": "file",
    "gpx/billion-laughs.gpx": "file",
    "gpx/external-entity.gpx": "file",
    "gpx/time-after-year-9999.gpx": "observed_at",
    "gpx/track-of-nan.gpx": "track[0].lat",
    "gpx/unknown-encoding.gpx": "file",
    "gpx/waypoint-off-the-map.gpx": "lon",
    "gpx/waypoint-without-position.gpx": "lat",
}
# CoT and TAK protocol v1: the error kind each is counted under.
TAK = {
    "cot/billion-laughs.xml": "xml_forbidden",
    "cot/external-entity.xml": "xml_forbidden",
    "cot/nan-latitude.xml": "cot",
    "cot/no-uid.xml": "cot",
    "cot/not-an-event.xml": "cot",
    "cot/time-before-year-one.xml": "cot",
    "cot/truncated.xml": "xml",
    "cot/undefined-encoding.xml": "xml",
    "cot/unknown-encoding.xml": "xml",
    "proto/control-character-in-callsign.bin": "protobuf",
    "proto/no-event.bin": "protobuf",
    "proto/no-uid.bin": "cot",
    "proto/not-a-takmessage.bin": "protobuf",
    "proto/time-out-of-range.bin": "protobuf",
    "proto/truncated-payload.bin": "protobuf",
    "proto/xml-detail-with-entity.bin": "xml",  # a DOCTYPE inside <detail> is not XML
    "proto/oversized-length.stream": "oversized",
    "proto/starts-with-garbage.stream": "framing",
    "proto/wrong-varint.stream": "varint",
    "proto/zero-length.stream": "varint",
}


def _files(*folders: str) -> list[str]:
    return sorted(
        str(p.relative_to(CORPUS)) for f in folders for p in (CORPUS / f).iterdir() if p.is_file()
    )


def test_every_corpus_file_says_what_it_names() -> None:
    on_disk = set(_files(*FORMATS, "cot", "proto"))
    assert on_disk == set(NAMED) | set(TAK), on_disk ^ (set(NAMED) | set(TAK))


def _fields_named(data: bytes, fmt: str) -> tuple[bool, list[str]]:
    """(refused whole?, every field named) when the parsers and validation read ``data``;
    fails if any record of it would be stored."""
    try:
        items = list(items_from_bytes(data, fmt))
        tracks = patrols_from_bytes(data, fmt, mission="KFOR")
    except PeaceWatchError as exc:
        assert 400 <= exc.status < 500
        return True, [p.field for p in exc.problems]
    fields: list[str] = []
    for item in items:
        if isinstance(item, Rejection):
            fields += [p.field for p in item.problems]
            continue
        with pytest.raises(RecordInvalid) as invalid:
            to_row(item[1], context())
        fields += [p.field for p in invalid.value.problems]
    for patrol in tracks:
        check = records._Checker()
        check("start", records._time, patrol.get("start"), "start")
        check("track", records._track, patrol.get("track"))
        assert check.problems, "a patrol of the corpus passed validation"
        fields += [p.field for p in check.problems]
    return False, fields


@pytest.mark.parametrize("name", sorted(NAMED))
def test_parsers_refuse_the_corpus_naming_the_problem(name: str) -> None:
    _, fields = _fields_named((CORPUS / name).read_bytes(), FORMATS[name.split("/")[0]])
    assert NAMED[name] in fields, fields


def _count(store: Store, table: Any) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


HTTP = {"geojson": "application/geo+json", "csv": "text/csv"}
# The route takes any JSON object that is not a Feature or FeatureCollection as one record.
HTTP_NAMED = {"geojson/not-a-collection.geojson": "id"}


@pytest.mark.parametrize("name", [n for n in sorted(NAMED) if n.split("/")[0] in HTTP])
def test_the_ingest_route_answers_the_corpus_with_a_problem(
    name: str, client: Any, store: Store
) -> None:
    content_type = HTTP[name.split("/")[0]]
    response = client.post(
        "/api/v1/reports",
        content=(CORPUS / name).read_bytes(),
        headers={"Content-Type": content_type},
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    fields = [e["field"] for e in body["errors"]]
    named = HTTP_NAMED.get(name, NAMED[name])
    expected = {"file", "body"} if named == "file" else {named}
    assert expected & set(fields), body
    assert body["detail"] and "Traceback" not in response.text
    assert _count(store, reports) == 0


@pytest.mark.parametrize("name", [n for n in sorted(NAMED) if n.split("/")[0] not in HTTP])
def test_the_ingest_command_refuses_the_corpus(name: str, store: Store) -> None:
    """KML, GPX and HXL come in by ``peacewatch ingest``: exit 2 (file refused) or 1 (records
    rejected), the field named, nothing stored."""
    make_user(store, "corpus.patrol", roles=("patrol_leader",))
    url = store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        main,
        ["--database", url, "ingest", str(CORPUS / name), "--json"],
        env={"PEACEWATCH_AS_USER": "corpus.patrol"},
    )
    refused, _ = _fields_named((CORPUS / name).read_bytes(), FORMATS[name.split("/")[0]])
    # A GPX file's tracks are patrols, validated together: a bad one refuses them all (2).
    assert result.exit_code == (2 if refused or "track" in NAMED[name] else 1), result.output
    assert NAMED[name] in result.output and "Traceback" not in result.output
    assert _count(store, reports) == 0 and _count(store, patrols) == 0


@pytest.mark.parametrize("name", sorted(TAK))
def test_the_tak_gateway_refuses_the_corpus(name: str) -> None:
    """As the gateway reads them: a stream through the framer, a payload or XML message by
    its parser; each refused under its error kind."""
    data = (CORPUS / name).read_bytes()
    with pytest.raises((cot.CotError, FramingError)) as refused:
        if name.endswith(".stream"):
            for kind, message in Framer(max_bytes=64 * 1024).feed(data):
                (cot.from_xml if kind == "xml" else proto.from_payload)(message)
        elif name.endswith(".bin"):
            proto.from_payload(data)
        else:
            cot.from_xml(data)
    assert refused.value.kind == TAK[name] and str(refused.value)


def _lines(name: str) -> list[str]:
    text = (CORPUS / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@pytest.mark.parametrize("text", _lines("mgrs/invalid.txt"))
def test_invalid_mgrs_references_are_refused(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        from_mgrs(text)
    assert refused.value.field == "mgrs" and refused.value.code == "invalid_grid"


@pytest.mark.parametrize("text", _lines("dtg/invalid.txt"))
def test_invalid_dtgs_are_refused(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_dtg(text)
    assert refused.value.field == "dtg" and refused.value.code == "invalid_dtg"


@pytest.mark.parametrize("text", _lines("dtg/times.txt"))
def test_invalid_times_are_refused(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_time(text, field="observed_at")
    assert refused.value.field == "observed_at"


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "path",
    [
        # Each was a 500 before: a row id beyond 64 bits reached the database driver, JSON
        # nested deeper than Python recurses, a time that is before year 1 in UTC.
        "/api/v1/reports?cursor="
        + _cursor('["1999-06-15T12:00:00+00:00", 1180591620717411303424]'),
        "/api/v1/reports?cursor=" + _cursor("[" * 3000 + "]" * 3000),
        "/api/v1/reports?start=0001-01-01T00:00:00%2B01:00",
        "/api/v1/reports?end=9999-12-31T23:59:59-01:00",
        "/ogc/collections/reports/items?cursor=" + _cursor("[" * 3000 + "]" * 3000),
    ],
)
def test_hostile_query_parameters_are_a_clean_problem(path: str, client: Any) -> None:
    response = client.get(path)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"], response.text


def test_an_empty_list_of_patrol_plans_is_a_problem(client: Any) -> None:
    """Once an IndexError (a 500): POST /api/v1/patrol-plans with []."""
    response = client.post("/api/v1/patrol-plans", json=[])
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "body"
