"""Hostile input closes at most its message or its connection, is counted, and never stops
other clients: after each attack a pytak client's position still reaches another client."""

from __future__ import annotations

import asyncio
import contextlib
import itertools

from tests.tak.clients import Client, raw, sa
from tests.tak.conftest import Running

_counter = itertools.count()
HEAD = (
    b'<event version="2.0" uid="evil" type="a-h-G" how="h-g-i-g-o" '
    b'time="2026-01-01T00:00:00Z" start="2026-01-01T00:00:00Z" stale="2030-01-01T00:00:00Z">'
    b'<point lat="42.6" lon="21.1" hae="0" ce="10" le="10"/><detail><remarks>'
)
TAIL = b"</remarks></detail></event>"
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
    + HEAD
    + b"&lol9;"
    + TAIL
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE event [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    + HEAD
    + b"&xxe;"
    + TAIL
)


async def still_flowing(running: Running) -> None:
    """A position sent by one pytak client reaches another."""
    url = f"tcp://127.0.0.1:{running.ports['tcp']}"
    sender, watcher = await Client.open(url), await Client.open(url)
    await asyncio.sleep(0.2)
    uid = f"ANDROID-ok-{next(_counter)}"
    await sender.send(sa(uid, "STILL OK"))
    await watcher.wait_for(uid)
    sender.close()
    watcher.close()


async def closed_by_gateway(reader: asyncio.StreamReader, timeout: float = 10) -> bool:
    """True when the gateway closes the connection (after its greeting) within ``timeout``."""

    async def drain() -> None:
        while await reader.read(65536):
            pass

    with contextlib.suppress(ConnectionResetError, BrokenPipeError):
        await asyncio.wait_for(drain(), timeout)
    return True


def test_entity_bombs_and_external_entities_are_refused(running: Running) -> None:
    async def scenario() -> None:
        _reader, writer = await raw(running.ports["tcp"])
        writer.write(BILLION_LAUGHS + XXE + sa("ANDROID-after-bomb", "AFTER"))
        await writer.drain()
        await still_flowing(running)
        writer.close()

    asyncio.run(scenario())
    status = running.status()
    assert status["errors"]["xml_forbidden"] == 2
    # the message after them on the same connection was still read
    running.wait_for(lambda: running.status()["positions"] >= 2)


def test_a_50_mb_event_closes_its_connection_only(running: Running) -> None:
    async def scenario() -> None:
        reader, writer = await raw(running.ports["tcp"])
        try:
            writer.write(HEAD + b"A" * (50 * 1024 * 1024) + TAIL)
            await writer.drain()
        except (ConnectionResetError, BrokenPipeError):
            pass  # the gateway hung up mid-way, as it should
        assert await closed_by_gateway(reader)
        await still_flowing(running)

    asyncio.run(scenario())
    status = running.status()
    assert status["errors"]["oversized"] == 1
    assert status["closed"]["error"] == 1


def test_a_never_ending_event_is_cut_at_the_limit(running: Running) -> None:
    async def scenario() -> None:
        reader, writer = await raw(running.ports["tcp"])
        writer.write(HEAD)
        try:
            for _ in range(200):  # 200 x 64 KiB, never a </event>
                writer.write(b"<x>" * 21845)
                await writer.drain()
        except (ConnectionResetError, BrokenPipeError):
            pass
        assert await closed_by_gateway(reader)
        await still_flowing(running)

    asyncio.run(scenario())
    assert running.status()["errors"]["oversized"] == 1


def test_truncated_and_malformed_protobuf(running: Running) -> None:
    async def scenario() -> None:
        # a frame whose payload is not a TakMessage: that message only
        _reader, writer = await raw(running.ports["tcp"])
        writer.write(b"\xbf\x05\xff\xff\xff\xff\xff" + sa("ANDROID-after-junk", "AFTER JUNK"))
        await writer.drain()
        # a frame cut short by the client hanging up
        _, cut = await raw(running.ports["tcp"])
        cut.write(b"\xbf\x64" + b"\x12" * 30)
        await cut.drain()
        cut.close()
        await still_flowing(running)
        writer.close()

    asyncio.run(scenario())
    running.wait_for(lambda: running.status()["positions"] >= 2)
    assert running.status()["errors"]["protobuf"] == 1


def test_wrong_varint_lengths_close_the_connection(running: Running) -> None:
    async def scenario() -> None:
        for frame in (b"\xbf\xff\xff\xff\xff\xff\xff\x01", b"\xbf\x00", b"\xbf\xff\xff\xff\x7f"):
            reader, writer = await raw(running.ports["tcp"])
            writer.write(frame)
            await writer.drain()
            assert await closed_by_gateway(reader)
        await still_flowing(running)

    asyncio.run(scenario())
    errors = running.status()["errors"]
    assert errors["varint"] == 2  # too long, and zero
    assert errors["oversized"] == 1  # 256 MiB announced


def test_a_thousand_abandoned_connections(running: Running) -> None:
    async def scenario() -> None:
        opened = [await raw(running.ports["tcp"]) for _ in range(1000)]
        await still_flowing(running)  # while they hang around
        for _, writer in opened[:500]:
            writer.transport.abort()  # gone without a word
        for _, writer in opened[500:]:
            writer.write(HEAD)  # half an event, then gone
            writer.close()
        await still_flowing(running)

    asyncio.run(scenario())
    running.wait_for(lambda: running.status()["connections"]["open"] == 0)
    assert running.status()["accepted"] >= 1004
