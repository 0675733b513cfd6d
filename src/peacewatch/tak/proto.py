"""TAK protocol version 1: protobuf ``TakMessage`` payloads (through takproto) to and from
``CotEvent``, and the two framings: stream (``0xbf`` + varint length) and mesh
(``0xbf 0x01 0xbf`` + payload, one per UDP datagram).

The payload's ``xmlDetail`` (detail elements without a typed field) is parsed with the same
hardened parser as XML messages.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from google.protobuf.message import DecodeError
from takproto.proto import TakMessage

from peacewatch.tak.cot import CotError, CotEvent, detail_xml, read_detail_xml

MAGIC = 0xBF
MESH_HEADER = b"\xbf\x01\xbf"
# Characters XML 1.0 cannot carry (C0 controls but tab, newline and return; U+FFFE, U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def encode_varint(value: int) -> bytes:
    """Protobuf's base-128 varint."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _moment(ms: int, name: str) -> datetime:
    try:
        return datetime.fromtimestamp(ms / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise CotError("protobuf", f"{name} is out of range") from None


def from_payload(payload: bytes) -> CotEvent:
    """The event of one TakMessage payload (no framing)."""
    message: Any = TakMessage()
    try:
        message.ParseFromString(payload)
    except (DecodeError, RuntimeWarning, ValueError):
        raise CotError("protobuf", "the payload is not a TakMessage") from None
    if not message.HasField("cotEvent"):
        raise CotError("protobuf", "the TakMessage carries no event")
    cot = message.cotEvent
    if not cot.uid or not cot.type:
        raise CotError("cot", "the event has no uid or no type")
    detail = cot.detail
    texts = (cot.uid, cot.type, cot.how, detail.contact.callsign, detail.contact.endpoint,
             detail.group.name, detail.group.role)  # fmt: skip
    if any(_NOT_XML.search(text) for text in texts):
        # The gateway passes events on to XML clients too, which could not parse these.
        raise CotError("protobuf", "a text field holds characters XML cannot carry")
    event = CotEvent(
        uid=cot.uid,
        type=cot.type,
        how=cot.how,
        time=_moment(cot.sendTime, "sendTime"),
        start=_moment(cot.startTime or cot.sendTime, "startTime"),
        stale=_moment(cot.staleTime, "staleTime"),
        lat=cot.lat,
        lon=cot.lon,
        hae=cot.hae,
        ce=cot.ce,
        le=cot.le,
    )
    if detail.xmlDetail:
        read_detail_xml(event, detail.xmlDetail)
    if detail.HasField("contact"):
        event.callsign = detail.contact.callsign or event.callsign
        event.endpoint = detail.contact.endpoint or event.endpoint
    if detail.HasField("group"):
        event.group_name = detail.group.name or None
        event.group_role = detail.group.role or None
    if detail.HasField("track"):
        event.speed, event.course = detail.track.speed, detail.track.course
    return event


def to_payload(event: CotEvent) -> bytes:
    """The event as a TakMessage payload."""
    message: Any = TakMessage()
    cot = message.cotEvent
    cot.type, cot.uid, cot.how = event.type, event.uid, event.how or "m-g"
    cot.sendTime, cot.startTime, cot.staleTime = (
        _ms(event.time),
        _ms(event.start),
        _ms(event.stale),
    )
    cot.lat, cot.lon, cot.hae, cot.ce, cot.le = event.lat, event.lon, event.hae, event.ce, event.le
    detail = cot.detail
    if event.callsign or event.endpoint:
        detail.contact.callsign = event.callsign or ""
        detail.contact.endpoint = event.endpoint or ""
    if event.group_name:
        detail.group.name = event.group_name
        detail.group.role = event.group_role or "Team Member"
    if event.speed is not None or event.course is not None:
        detail.track.speed = event.speed or 0.0
        detail.track.course = event.course or 0.0
    rest = detail_xml(event, known_only=True)
    if rest:
        detail.xmlDetail = rest
    return bytes(message.SerializeToString())


def to_stream(event: CotEvent) -> bytes:
    """The event framed for a TCP/TLS stream in protocol v1."""
    payload = to_payload(event)
    return bytes([MAGIC]) + encode_varint(len(payload)) + payload


def to_mesh(event: CotEvent) -> bytes:
    """The event framed as one UDP mesh datagram."""
    return MESH_HEADER + to_payload(event)
