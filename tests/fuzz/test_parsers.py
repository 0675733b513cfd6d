"""Fuzzing every parser of outside input: GeoJSON, CSV (ours and ACLED's), HXL, KML, GPX,
CoT XML, TAK protocol v1 (payloads and stream framing), MGRS and DTG.

Each gets random bytes or text and mutated valid documents; the property is always the
same: a valid result, or the project's own error naming what is wrong (a whole file
refused with ``ValidationFailed``, a record rejected naming its field, ``CotError`` and
``FramingError`` on the TAK side, ``DomainError`` for grid references and times), never
another exception and never longer than the deadline. See tests/fuzz/inputs.py for the
knobs (examples, deadline, random or derandomised).
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peacewatch.domain.dtg import MONTHS, ZONE_OFFSETS, format_dtg, parse_dtg, parse_time
from peacewatch.domain.grid import from_mgrs, to_mgrs
from peacewatch.ingest.validate import KNOWN_FIELDS
from peacewatch.tak.framing import Framer, FramingError
from peacewatch.tak.proto import MAGIC, MESH_HEADER, encode_varint
from tests.fuzz.inputs import (
    FUZZ,
    PAYLOAD,
    SEEDS,
    check_cot_xml,
    check_file,
    check_payload,
    check_record,
    domain_error_or,
    mutated,
)

FILE_FORMATS = ["geojson", "csv", "hxl", "kml", "gpx"]


@pytest.mark.parametrize("fmt", FILE_FORMATS)
@FUZZ
@given(data=st.binary(max_size=4096))
def test_files_of_random_bytes(fmt: str, data: bytes) -> None:
    check_file(data, fmt)


@pytest.mark.parametrize("fmt", FILE_FORMATS)
@FUZZ
@given(data=st.data())
def test_files_mutated_from_valid_ones(fmt: str, data: st.DataObject) -> None:
    check_file(data.draw(mutated(SEEDS[fmt])), fmt)


@pytest.mark.parametrize("fmt", ["csv", "hxl", "geojson"])
@FUZZ
@given(text=st.text(max_size=2048))
def test_files_of_random_text(fmt: str, text: str) -> None:
    check_file(text.encode("utf-8", "surrogatepass"), fmt)


def test_the_seed_documents_are_valid() -> None:
    """The mutations start from documents that parse and validate."""
    for fmt in FILE_FORMATS:
        for seed in SEEDS[fmt]:
            check_file(seed, fmt)
    check_cot_xml(SEEDS["cot"][0])
    check_payload(PAYLOAD)


# Values a report's fields may be given in JSON: every JSON type, numbers at the edges.
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["1999-06-15T12:00:00Z", "151200ZJUN99", "B2", "FRY", "1", "NaN", "KFOR"])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(sorted(KNOWN_FIELDS)) | st.text(max_size=12)


@FUZZ
@given(record=st.dictionaries(FIELDS, JSON_VALUES, max_size=12))
def test_records_of_any_json(record: dict[str, object]) -> None:
    """Any JSON object as a report record (what POST /api/v1/reports passes on)."""
    check_record(record)


@FUZZ
@given(
    properties=st.dictionaries(FIELDS, JSON_VALUES, max_size=10),
    coordinates=st.lists(JSON_SCALARS, max_size=4) | JSON_VALUES,
    geometry_type=st.sampled_from(["Point", "LineString", "Polygon", None, 3]),
    crs=st.none() | st.sampled_from(["CRS84", "EPSG:4326", "EPSG:3857"]) | JSON_VALUES,
)
def test_geojson_features_of_any_content(
    properties: dict[str, object], coordinates: object, geometry_type: object, crs: object
) -> None:
    doc: dict[str, object] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": geometry_type, "coordinates": coordinates},
                "properties": properties,
            }
        ],
    }
    if crs is not None:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    check_file(json.dumps(doc).encode(), "geojson")


@FUZZ
@given(
    header=st.lists(FIELDS | st.sampled_from(["latitude", "event_type", "uuid"]), max_size=10),
    rows=st.lists(st.lists(st.text(max_size=30), max_size=10), max_size=5),
)
def test_csv_of_any_cells(header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "kind", "observed_at", *header])
    writer.writerows(rows)
    check_file(out.getvalue().encode("utf-8", "surrogatepass"), "csv")


ENCODINGS = st.sampled_from(
    ["UTF-8", "UTF-16", "ISO-8859-1", "US-ASCII", "U-F-8", "UNDEFINED", "hex", "rot13", ""]
) | st.text(
    st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters='"'), max_size=12
)


@FUZZ
@given(encoding=ENCODINGS, fmt=st.sampled_from(["kml", "gpx", "cot"]))
def test_xml_declaring_any_encoding(encoding: str, fmt: str) -> None:
    """Once a LookupError or UnicodeError (a declared encoding with no usable codec) from
    KML, GPX and CoT."""
    seed = SEEDS[fmt][0]
    data = seed.replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode(), 1)
    assert data != seed or encoding == "UTF-8"
    check_cot_xml(data) if fmt == "cot" else check_file(data, fmt)


# CoT XML and TAK protocol v1.


@FUZZ
@given(data=st.binary(max_size=4096))
def test_cot_xml_of_random_bytes(data: bytes) -> None:
    check_cot_xml(data)


@FUZZ
@given(data=st.data())
def test_cot_xml_mutated_from_a_valid_event(data: st.DataObject) -> None:
    check_cot_xml(data.draw(mutated(SEEDS["cot"])))


ATTRIBUTE = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters='<&"'), max_size=40
)


@FUZZ
@given(
    attributes=st.dictionaries(
        st.sampled_from(["uid", "type", "how", "time", "start", "stale"]), ATTRIBUTE
    ),
    point=st.dictionaries(st.sampled_from(["lat", "lon", "hae", "ce", "le"]), ATTRIBUTE),
    detail=st.sampled_from(
        [
            "",
            '<contact callsign="A" endpoint="*:-1:stcp"/>',
            '<track speed="1e999" course="NaN"/>',
            '<TakControl><TakRequest version="1e300"/></TakControl>',
            '<link uid="x" relation="p-p"/>' * 200,
            "<remarks>" + "x" * 30_000 + "</remarks>",
            '<peacewatch label="NATO SECRET REL TO XXX"/>',
        ]
    ),
)
def test_cot_events_of_any_attributes(
    attributes: dict[str, str], point: dict[str, str], detail: str
) -> None:
    def attrs(values: dict[str, str]) -> str:
        return "".join(f' {k}="{v}"' for k, v in values.items())

    message = f"<event{attrs(attributes)}><point{attrs(point)}/><detail>{detail}</detail></event>"
    check_cot_xml(message.encode())


@FUZZ
@given(data=st.binary(max_size=2048))
def test_protobuf_payloads_of_random_bytes(data: bytes) -> None:
    check_payload(data)


@FUZZ
@given(data=st.data())
def test_protobuf_payloads_mutated_from_a_valid_one(data: st.DataObject) -> None:
    check_payload(data.draw(mutated(SEEDS["proto"])))


@FUZZ
@given(
    chunks=st.lists(
        st.binary(max_size=64)
        | st.sampled_from(
            [
                bytes([MAGIC]) + encode_varint(len(PAYLOAD)) + PAYLOAD,
                MESH_HEADER + PAYLOAD,
                SEEDS["cot"][0],
                b"\xbf" + b"\xff" * 6,
                b"\xbf\x00",
                b"<event>",
                b"</event>",
            ]
        ),
        max_size=12,
    )
)
def test_stream_framing_of_any_bytes(chunks: list[bytes]) -> None:
    """A stream is cut into messages no longer than the limit, or refused with a named
    FramingError; each message then parses or is refused as its kind says."""
    framer = Framer(max_bytes=8192)
    for chunk in chunks:
        try:
            messages = framer.feed(chunk)
        except FramingError as exc:
            assert exc.kind in ("framing", "varint", "oversized")
            return
        for kind, message in messages:
            assert len(message) <= 8192 + 16
            (check_cot_xml if kind == "xml" else check_payload)(message)
    assert framer.pending <= sum(map(len, chunks))


# MGRS.

MGRS_PARTS = st.tuples(
    st.integers(0, 99).map(str) | st.text("0123456789", max_size=3),
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=0, max_size=2),
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=0, max_size=3),
    st.text("0123456789", max_size=12),
    st.sampled_from(["", " ", "  ", "\t", "\n"]),
)


@FUZZ
@given(text=st.text(max_size=40) | MGRS_PARTS.map(lambda p: p[4].join(p[:4])))
def test_mgrs_references_of_any_text(text: str) -> None:
    found = domain_error_or(from_mgrs, text)
    if found is not None:
        lon, lat = found
        assert -180 <= lon <= 180 and -80.5 <= lat <= 84.5


@FUZZ
@given(
    lon=st.floats(allow_nan=True, allow_infinity=True) | st.floats(-180, 180),
    lat=st.floats(allow_nan=True, allow_infinity=True) | st.floats(-90, 90),
    precision=st.integers(-2, 7),
)
def test_mgrs_of_any_position_reads_back(lon: float, lat: float, precision: int) -> None:
    reference = domain_error_or(to_mgrs, lon, lat, precision=precision)
    if reference is not None:
        back_lon, back_lat = from_mgrs(reference)
        assert math.isfinite(back_lon) and math.isfinite(back_lat)


# DTG and times.

DTG_PARTS = st.tuples(
    st.integers(0, 39).map(lambda n: f"{n:02d}"),
    st.integers(0, 29).map(lambda n: f"{n:02d}"),
    st.integers(0, 69).map(lambda n: f"{n:02d}"),
    st.sampled_from([*ZONE_OFFSETS, "J", "z", "1"]),
    st.sampled_from([*MONTHS, "FEB", "XYZ", "jun"]),
    st.integers(0, 99).map(lambda n: f"{n:02d}") | st.integers(0, 12000).map(str),
    st.sampled_from(["", " "]),
)


@FUZZ
@given(text=st.text(max_size=40) | DTG_PARTS.map(lambda p: p[6].join(p[:6])))
def test_dtgs_of_any_text(text: str) -> None:
    found = domain_error_or(parse_dtg, text)
    if found is not None:
        assert found.tzinfo is not None
        assert parse_dtg(format_dtg(found, four_digit_year=True)) == found.replace(second=0)


ISO_LIKE = st.datetimes(timezones=st.timezones() | st.just(UTC)).map(datetime.isoformat)


@FUZZ
@given(
    text=st.text(max_size=40)
    | ISO_LIKE
    | st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
    | DTG_PARTS.map(lambda p: "".join(p[:6]))
)
def test_times_of_any_text(text: str) -> None:
    """parse_time is the one reader of users' times (files, API, CoT through the pipeline)."""
    found = domain_error_or(parse_time, text, field="observed_at")
    if found is not None:
        assert found.utcoffset() == timedelta(0)


@FUZZ
@given(moment=st.datetimes(timezones=st.just(UTC)), zone=st.sampled_from([*ZONE_OFFSETS, "J"]))
def test_dtgs_are_written_for_any_moment(moment: datetime, zone: str) -> None:
    written = domain_error_or(format_dtg, moment, zone=zone, four_digit_year=True)
    if written is not None:
        back = domain_error_or(parse_dtg, written)
        assert back is None or back == moment.replace(second=0, microsecond=0)
