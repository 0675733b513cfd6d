"""The CoT model, its type mapping and the stream framing, without a network."""

from __future__ import annotations

import pytest
import takproto
from hypothesis import given, settings
from hypothesis import strategies as st

from peacewatch.tak import cot, proto
from peacewatch.tak.cot import CotError, CotEvent
from peacewatch.tak.framing import Framer, FramingError
from peacewatch.tak.meaning import is_position
from peacewatch.tak.types import kind_for_type, sidc_for_type, type_for_kind, type_for_sidc
from tests.tak.clients import marker, sa


@pytest.mark.parametrize(
    ("cot_type", "sidc"),
    [
        ("a-f-G-U-C", "SFGPUC---------"),
        ("a-f-G-U-C-I", "SFGPUCI--------"),
        ("a-h-G", "SHGP-----------"),
        ("a-n-A-C-F", "SNAPCF---------"),
        ("b-m-p-s-p-i", "SUGP-----------"),
    ],
)
def test_cot_types_map_to_2525c_sidcs(cot_type: str, sidc: str) -> None:
    assert sidc_for_type(cot_type) == sidc


def test_sidcs_map_back_to_cot_types() -> None:
    assert type_for_sidc("SFGPUCI--------") == "a-f-G-U-C-I"
    assert type_for_sidc("10031000001211000000") == "a-f-G-U"  # 2525D friendly land unit
    assert type_for_sidc("10061000001211000000") == "a-h-G-U"
    assert type_for_sidc("garbage") == "a-u-G"


def test_kinds_of_markers_and_bits() -> None:
    assert kind_for_type("a-h-G") == "armed_personnel_sighting"
    assert kind_for_type("a-h-G-E-W-A") == "heavy_weapons_sighting"
    assert kind_for_type("b-m-p-s-p-i") == "spot"
    assert kind_for_type("u-d-p") == "spot"
    assert kind_for_type("b-t-f") is None  # chat is not a report
    assert type_for_kind("roadblock") == "a-h-G-I-c"
    assert type_for_kind("aid_delivery") == "b-m-p-s-p-i"


def test_sa_is_a_position_and_a_placed_marker_is_not() -> None:
    assert is_position(cot.from_xml(sa("ANDROID-1", "A1")))
    assert not is_position(cot.from_xml(marker("m-1")))


def test_xml_round_trip_keeps_what_peacewatch_reads() -> None:
    event = cot.from_xml(marker("m-2", label="NATO RESTRICTED REL TO GBR", remarks="a <b> & c"))
    again = cot.from_xml(cot.to_xml(event))
    assert (again.uid, again.type, again.how) == ("m-2", "a-h-G", "h-g-i-g-o")
    assert again.remarks == "a <b> & c"
    assert again.label == "NATO RESTRICTED REL TO GBR"
    assert again.links == event.links
    assert abs(again.lat - event.lat) < 1e-9


def test_protocol_v1_round_trip_through_takproto() -> None:
    event = cot.from_xml(marker("m-3", remarks="seen"))
    parsed = takproto.parse_proto(bytearray(proto.to_stream(event)))
    assert (
        parsed.cotEvent.uid == "m-3"
        and "<remarks>seen</remarks>" in parsed.cotEvent.detail.xmlDetail
    )
    back = proto.from_payload(proto.to_payload(event))
    assert back.remarks == "seen" and back.links == event.links


def test_bad_events_are_named() -> None:
    with pytest.raises(CotError) as caught:
        cot.from_xml(b"<event uid='x'/>")
    assert caught.value.kind == "cot"
    with pytest.raises(CotError) as caught:
        cot.from_xml(b"<event")
    assert caught.value.kind == "xml"
    with pytest.raises(CotError) as caught:
        proto.from_payload(b"\xff\xff\xff")
    assert caught.value.kind == "protobuf"


def test_framing_refuses_bytes_that_start_nothing() -> None:
    with pytest.raises(FramingError):
        Framer(1024).feed(b"GET / HTTP/1.1\r\n")


MESSAGES = [
    sa("ANDROID-a", "A"),
    proto.to_stream(CotEvent.now("ANDROID-b", "a-f-G-U-C")),
    marker("m-c"),
    proto.to_stream(CotEvent.now("big", "a-f-G", remarks="x" * 300)),
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=30))
def test_framing_is_independent_of_how_the_stream_is_cut(cuts: list[int]) -> None:
    stream = b"\n".join(MESSAGES)
    framer, got, at = Framer(64 * 1024), [], 0
    for size in [*cuts, len(stream)]:
        got += framer.feed(stream[at : at + size])
        at += size
    assert [body for _, body in got] == [
        m if m.startswith(b"<") else m[2:] if m[1] < 0x80 else m[3:] for m in MESSAGES
    ]
    assert framer.pending == 0
