"""What the fuzz tests feed the parsers: valid seed documents, ways to mutate them, and the
property every parser must keep (a valid result or the project's own error, nothing else).

``PEACEWATCH_FUZZ_EXAMPLES`` sets the examples per test (200 in ``make test``, 20 000 in
``make fuzz``), ``PEACEWATCH_FUZZ_DEADLINE_MS`` the time one example may take (a parser that
takes longer counts as hanging), ``PEACEWATCH_FUZZ_RANDOM=1`` draws new inputs on every run
instead of the same derandomised ones.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from peacewatch.domain.errors import DomainError
from peacewatch.domain.labels import Label
from peacewatch.errors import PeaceWatchError
from peacewatch.ingest import records
from peacewatch.ingest.files import items_from_bytes, patrols_from_bytes
from peacewatch.ingest.pipeline import Rejection
from peacewatch.ingest.validate import Context, RecordInvalid, to_row
from peacewatch.tak import cot, meaning, proto
from tests.conftest import ADMIN, NATIONS

EXAMPLES = int(os.environ.get("PEACEWATCH_FUZZ_EXAMPLES", "200"))
DEADLINE_MS = int(os.environ.get("PEACEWATCH_FUZZ_DEADLINE_MS", "5000"))
RANDOM = os.environ.get("PEACEWATCH_FUZZ_RANDOM") == "1"

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(milliseconds=DEADLINE_MS),
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

# A report as each format writes it.
REPORT_ID = "7d1f3a52-5b0e-4c5e-9a43-2f4f4c0f6d1a"
GEOJSON = (
    b'{"type":"FeatureCollection","features":[{"type":"Feature","id":"' + REPORT_ID.encode()
    + b'","geometry":{"type":"Point","coordinates":[21.166,42.663]},"properties":{'
    b'"kind":"shooting","observed_at":"1999-06-15T12:00:00Z","label":"NATO RESTRICTED REL TO '
    b'KFOR, NATO","party":"FRY","grade":"B2","title":"Shots","location_precision":1,'
    b'"attributes":{"fatalities":0}}}]}'
)  # fmt: skip
CSV = (
    b"\xef\xbb\xbfid,kind,observed_at,lat,lon,party,grade,classification,releasable_to,notes\r\n"
    + REPORT_ID.encode()
    + b',shooting,151200ZJUN99,42.663,21.166,UCK,C3,NATO RESTRICTED,"KFOR, NATO","a ""b"""\r\n'
    b",arson,1999-06-16,,,,,,,\r\n"
)
ACLED = (
    b"event_id_cnty,event_date,event_type,sub_event_type,actor1,latitude,longitude,notes\n"
    b"KOS1,1999-06-20T10:00:00Z,Violence against civilians,Attack,FRY,42.5,21.0,x\n"
)
HXL = (
    b"Event,Type,When,Lat,Lon,Sector,Killed,Label\n"
    b"#event+id,#event+type,#date+occurred,#geo+lat,#geo+lon,#adm1+name,#affected+killed,"
    b"#meta+label\n" + REPORT_ID.encode() + b",Armed clash,1999-07-01T10:00:00Z,42.6,21.1,"
    b'MNB-East,2,"NATO RESTRICTED REL TO KFOR, NATO"\n'
)
KML = b"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>Roadblock</name><description>Two trucks &amp; a tractor</description>
<TimeStamp><when>1999-06-20T08:00:00Z</when></TimeStamp>
<ExtendedData><Data name="kind"><value>roadblock</value></Data>
<Data name="attributes"><value>{"vehicles": 2}</value></Data>
<SchemaData><SimpleData name="grade">B2</SimpleData></SchemaData></ExtendedData>
<Point><coordinates>21.19,42.91,0</coordinates></Point></Placemark>
<Placemark><TimeSpan><begin>1999-06-21T09:30:00Z</begin></TimeSpan>
<Point><coordinates>21.0,42.5</coordinates></Point></Placemark>
</Document></kml>"""
GPX = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">
<wpt lat="42.66" lon="21.16"><time>1999-06-15T10:00:00Z</time><name>Checkpoint</name>
<type>roadblock</type><extensions><grade>B2</grade></extensions></wpt>
<trk><name>Patrol Bravo</name><extensions><uid>p-1</uid></extensions><trkseg>
<trkpt lat="42.60" lon="21.10"><time>1999-06-15T08:00:00Z</time></trkpt>
<trkpt lat="42.62" lon="21.12"><time>1999-06-15T08:30:00Z</time></trkpt>
</trkseg></trk></gpx>"""
COT = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<event version="2.0" uid="m-1" type="a-h-G" how="h-g-i-g-o" time="1999-06-15T12:00:00Z"'
    b' start="1999-06-15T12:00:00Z" stale="1999-06-15T12:10:00Z">'
    b'<point lat="42.663" lon="21.166" hae="0" ce="25" le="9999999"/><detail>'
    b'<contact callsign="ALPHA"/><__group name="Cyan" role="Team Lead"/>'
    b'<track speed="1.5" course="90"/><remarks>a &lt;b&gt; &amp; c</remarks>'
    b'<link uid="x" relation="p-p" type="a-f-G"/><peacewatch label="NATO RESTRICTED REL TO '
    b'KFOR"/><TakControl><TakRequest version="1"/></TakControl></detail></event>'
)
PAYLOAD = proto.to_payload(cot.from_xml(COT))
SEEDS: dict[str, list[bytes]] = {
    "geojson": [GEOJSON],
    "csv": [CSV, ACLED],
    "hxl": [HXL],
    "kml": [KML],
    "gpx": [GPX],
    "cot": [COT],
    "proto": [PAYLOAD],
}

# Tokens that break parsers: numbers no float holds, times at the ends of the calendar,
# markup that declares things, encodings and separators.
TOKENS = [
    b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e999", b"1e-400", b"-0", b"0x10",
    b"9" * 400, b"0001-01-01T00:00:00+01:00", b"9999-12-31T23:59:59-01:00", b"310299",
    b"290200ZFEB00", b"311200ZFEB99", b"991299ZZZZ99", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe",
    b"\xed\xa0\x80", b"&amp;", b"&#0;", b"&#x110000;", b"&lol;", b"<!DOCTYPE x>",
    b'<!ENTITY x SYSTEM "file:///etc/passwd">', b"<![CDATA[", b"]]>", b"<?xml?>", b"</", b"/>",
    b'"', b"'", b",", b";", b"\r", b"\n", b"\r\n", b"{", b"}", b"[", b"]", b":", b"null",
    b"true", b"[]", b"{}", b"#geo+lat", b"#", b"+", b"\xbf", b"\xbf\x01\xbf", b"\x80" * 6,
    b"\xff" * 10, b'encoding="U-F-8"', b'encoding="UTF-16"', b"34TEN1360423405", b"61CAA",
    b"00TEN", b"ZAA", b"NATO SECRET REL TO XXX",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed document with a few random edits: byte flips, inserted tokens or bytes,
    deletions, repeats and truncation."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "token", "delete", "repeat", "truncate"]))
        pos = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "token":
            data[pos:pos] = draw(st.sampled_from(TOKENS))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 32))]
        elif op == "repeat":
            piece = data[pos : pos + draw(st.integers(1, 64))]
            data[pos:pos] = piece * draw(st.integers(1, 40))
        elif op == "truncate":
            del data[pos:]
    return bytes(data)


def context() -> Context:
    """What validation knows about the store, as the seeded store has it: KFOR, its two
    parties, the registered nations and communities, no gazetteer."""
    return Context(
        viewer=ADMIN,
        mission_id=1,
        mission_code="KFOR",
        default_label=Label.parse("NATO UNCLASSIFIED REL TO KFOR, NATO"),
        release_codes=frozenset(n["code"] for n in NATIONS),
        party_ids={"FRY": 1, "UCK": 2},
        find_place=lambda name: (21.166, 42.663) if name == "Pristina" else None,
    )


def check_record(record: Any) -> bool:
    """Validate a canonical record as the pipeline does: a row, or every problem named.
    True when the record is valid."""
    try:
        row, label = to_row(record, context())
    except RecordInvalid as exc:
        assert exc.problems and all(p.field and p.message for p in exc.problems)
        return False
    assert -180 <= row["lon"] <= 180 and -90 <= row["lat"] <= 90
    assert row["observed_at"].tzinfo is not None and isinstance(label, Label)
    return True


def check_patrol(patrol: dict[str, Any]) -> None:
    """Validate a patrol's times and track as ``records.add_patrols`` does before it writes."""
    check = records._Checker()
    check("start", records._time, patrol.get("start"), "start")
    check("end", records._time, patrol.get("end"), "end", required=False)
    if patrol.get("track"):
        check("track", records._track, patrol["track"])
    assert all(p.field and p.message for p in check.problems)


def check_file(data: bytes, fmt: str) -> None:
    """A file is refused whole with a named problem, or read into items that each validate
    or are rejected naming the field; never another exception."""
    try:
        items = list(items_from_bytes(data, fmt))
        patrols = patrols_from_bytes(data, fmt, mission="KFOR")
    except PeaceWatchError as exc:
        assert 400 <= exc.status < 500 and exc.problems and exc.problems[0].field
        return
    for item in items:
        if isinstance(item, Rejection):
            assert item.problems and all(p.field for p in item.problems)
        else:
            ref, record = item
            assert isinstance(ref, str)
            check_record(record)
    for patrol in patrols:
        check_patrol(patrol)


def check_event(event: cot.CotEvent) -> None:
    """What the gateway does with an event it read: a report goes through validation, and
    the event is written out again (to XML and protocol v1 clients) without failing."""
    kind = meaning.report_kind(event)
    if kind is not None:
        check_record(meaning.report(event, kind, user="fuzz")[1])
    if meaning.is_position(event):
        meaning.position(event, nation="GBR", mission="KFOR")
    again = cot.from_xml(cot.to_xml(event))
    assert again.uid == event.uid and again.type == event.type
    proto.from_payload(proto.to_payload(event))


def check_cot_xml(data: bytes) -> None:
    """An XML message is an event, or a CotError naming why not."""
    try:
        event = cot.from_xml(data)
    except cot.CotError as exc:
        assert exc.kind and str(exc)
        return
    check_event(event)


def check_payload(data: bytes) -> None:
    """A protocol v1 payload is an event, or a CotError naming why not."""
    try:
        event = proto.from_payload(data)
    except cot.CotError as exc:
        assert exc.kind and str(exc)
        return
    check_event(event)


def domain_error_or(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn``'s result, or None when it raised a DomainError naming its field."""
    try:
        return fn(*args, **kwargs)
    except DomainError as exc:
        assert exc.field and exc.message
        return None
