"""TAK protocol v1: takproto encodes what the gateway must accept and decodes what it sends."""

from __future__ import annotations

import asyncio
import socket

import pytak
import takproto
from takproto.functions import msg2proto
from takproto.proto import TakMessage

from tests.tak.clients import KOSOVO, raw, sa
from tests.tak.conftest import Running
from tests.tak.test_interop import _track

QUERY = (
    b'<?xml version="1.0"?><event version="2.0" uid="client-q" type="t-x-takp-q" how="m-g" '
    b'time="2026-01-01T00:00:00Z" start="2026-01-01T00:00:00Z" stale="2030-01-01T00:00:00Z">'
    b'<point lat="0" lon="0" hae="0" ce="0" le="0"/><detail><TakControl>'
    b'<TakRequest version="1"/></TakControl></detail></event>'
)


async def read_message(reader: asyncio.StreamReader) -> tuple[str, bytes]:
    """One message as sent: ("xml", the event) or ("proto", the whole v1 frame)."""
    first = await reader.readexactly(1)
    if first == b"\xbf":
        header, length, shift = bytearray(first), 0, 0
        while True:
            byte = (await reader.readexactly(1))[0]
            header.append(byte)
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        return "proto", bytes(header) + await reader.readexactly(length)
    return "xml", first + await reader.readuntil(b"</event>")


async def read_until(reader: asyncio.StreamReader, check: object, timeout: float = 10) -> list:
    """Messages read until ``check(kind, data)`` holds for one."""
    seen: list[tuple[str, bytes]] = []

    async def loop() -> None:
        while True:
            message = await read_message(reader)
            seen.append(message)
            if check(*message):  # type: ignore[operator]
                return

    await asyncio.wait_for(loop(), timeout)
    return seen


def test_negotiation_then_v1_both_ways(running: Running) -> None:
    port = running.ports["tcp"]

    async def scenario() -> None:
        reader, writer = await raw(port)
        kind, support = await read_message(reader)
        assert kind == "xml" and b"t-x-takp-v" in support and b'version="1"' in support
        writer.write(QUERY)
        await read_until(reader, lambda k, d: k == "xml" and b"t-x-takp-r" in d)
        # From now on this client sends and is sent protocol v1.
        _other_reader, other_writer = await raw(port)
        await asyncio.sleep(0.3)
        other_writer.write(sa("ANDROID-v1-src", "SOURCE"))
        await other_writer.drain()

        def is_source(k: str, d: bytes) -> bool:
            if k != "proto":
                return False
            message = takproto.parse_proto(bytearray(d))
            return message is not None and message.cotEvent.uid == "ANDROID-v1-src"

        seen = await read_until(reader, is_source)
        message = takproto.parse_proto(bytearray(seen[-1][1]))
        assert message.cotEvent.type == "a-f-G-U-C"
        assert abs(message.cotEvent.lat - KOSOVO[0]) < 1e-6
        assert message.cotEvent.detail.contact.callsign == "SOURCE"
        assert message.cotEvent.staleTime > message.cotEvent.sendTime
        # and takproto-encoded v1 from this client is understood
        writer.write(
            bytes(takproto.xml2proto(sa("ANDROID-v1-client", "V1"), takproto.TAKProtoVer.STREAM))
        )
        await writer.drain()
        for w in (writer, other_writer):
            w.close()

    asyncio.run(scenario())
    running.wait_for(lambda: len(_track(running, "ANDROID-v1-client")) == 1)


def test_ping_is_answered_in_the_clients_format(running: Running) -> None:
    async def scenario() -> None:
        reader, writer = await raw(running.ports["tcp"])
        await read_message(reader)  # t-x-takp-v
        ping = pytak.gen_cot(uid="client-ping", cot_type="t-x-c-t", stale=20)
        assert ping is not None
        writer.write(ping)
        await read_until(reader, lambda k, d: k == "xml" and b"t-x-c-t-r" in d)
        writer.close()

    asyncio.run(scenario())


def test_mesh_datagram_from_takproto(running: Running) -> None:
    mesh = takproto.xml2proto(sa("ANDROID-mesh", "MESH"), takproto.TAKProtoVer.MESH)
    assert bytes(mesh[:3]) == b"\xbf\x01\xbf"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(bytes(mesh), ("127.0.0.1", running.ports["udp"]))
    running.wait_for(lambda: len(_track(running, "ANDROID-mesh")) == 1)
    assert running.status()["messages_in"]["mesh"] == 1


def test_takmessage_with_xml_detail_keeps_remarks_and_label(running: Running) -> None:
    message = TakMessage()
    event = message.cotEvent
    event.type, event.uid, event.how = "a-h-G", "marker-pb", "h-g-i-g-o"
    event.sendTime = event.startTime = 1_700_000_000_000
    event.staleTime = 1_700_000_600_000
    event.lat, event.lon, event.ce = 42.6, 21.2, 20.0
    event.detail.contact.callsign = "Hostile group"
    event.detail.xmlDetail = (
        '<link uid="ANDROID-x" relation="p-p" type="a-f-G-U-C"/>'
        "<remarks>six armed men</remarks>"
        '<peacewatch label="NATO RESTRICTED REL TO GBR"/>'
    )
    frame = bytes(msg2proto(message, takproto.TAKProtoVer.STREAM))

    async def scenario() -> None:
        _, writer = await raw(running.ports["tcp"])
        writer.write(frame)
        await writer.drain()
        await asyncio.sleep(0.1)
        writer.close()

    asyncio.run(scenario())
    running.wait_for(lambda: running.status()["reports"].get("accepted", 0) == 1)
    from sqlalchemy import select

    from peacewatch.store.tables import labels, reports

    with running.store.read() as conn:
        row = conn.execute(
            select(reports.c.text, reports.c.kind, labels.c.marking).join(
                labels, labels.c.id == reports.c.label_id
            )
        ).one()
    assert row.text == "six armed men"
    assert row.kind == "armed_personnel_sighting"
    assert row.marking == "NATO RESTRICTED REL TO GBR"
