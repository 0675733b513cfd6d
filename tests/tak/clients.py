"""TAK clients for the tests: pytak (a TAK client library nobody here wrote) and raw sockets."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import xml.etree.ElementTree as ET
from configparser import ConfigParser, SectionProxy
from typing import Any

import pytak

from peacewatch.tak import certs

KOSOVO = (42.66, 21.16)  # Pristina


def config(url: str, **extra: str) -> SectionProxy:
    """A pytak configuration section."""
    parser = ConfigParser()
    parser["test"] = {"COT_URL": url, **extra}
    return parser["test"]


def tls_extra(issued: certs.Issued, cert_dir: Any) -> dict[str, str]:
    """pytak's TLS settings for a client certificate issued by the gateway's CA."""
    return {
        "PYTAK_TLS_CLIENT_CERT": str(issued.cert),
        "PYTAK_TLS_CLIENT_KEY": str(issued.key),
        "PYTAK_TLS_CLIENT_CAFILE": str(cert_dir / "ca.pem"),
    }


class Client:
    """One pytak connection: send with its TXWorker, read with its RXWorker."""

    def __init__(self, cfg: SectionProxy, reader: Any, writer: Any) -> None:
        self.cfg, self.reader, self.writer = cfg, reader, writer
        self.tx = pytak.TXWorker(asyncio.Queue(), cfg, writer)
        self.rx = pytak.RXWorker(asyncio.Queue(), cfg, reader) if reader is not None else None
        self.seen: list[ET.Element] = []

    @classmethod
    async def open(cls, url: str, **extra: str) -> Client:
        """Connect with pytak's own protocol factory."""
        cfg = config(url, **extra)
        reader, writer = await pytak.protocol_factory(cfg)
        return cls(cfg, reader, writer)

    async def send(self, data: bytes) -> None:
        """Send one CoT event (pytak converts it to protocol v1 when TAK_PROTO=1)."""
        await self.tx.send_data(data)

    async def wait_for(self, uid: str, timeout: float = 10.0) -> ET.Element:
        """Read until an event with ``uid`` arrives; every event read is kept in ``seen``."""
        found = next((e for e in self.seen if e.get("uid") == uid), None)
        if found is not None:
            return found

        async def read() -> ET.Element:
            assert self.rx is not None
            while True:
                data = await self.rx.readcot()
                if data is None:
                    raise ConnectionError("the gateway closed the connection")
                if not isinstance(data, bytes | bytearray):
                    continue
                event = ET.fromstring(bytes(data).strip())
                self.seen.append(event)
                if event.get("uid") == uid:
                    return event

        return await asyncio.wait_for(read(), timeout)

    async def none_of(self, uids: set[str], seconds: float) -> None:
        """Read for ``seconds``; fail when an event with one of ``uids`` arrives."""
        with contextlib.suppress(TimeoutError):
            await self.wait_for("\x00never", timeout=seconds)
        got = {e.get("uid") for e in self.seen} & uids
        assert not got, f"received events it must not: {got}"

    def close(self) -> None:
        """Close the connection."""
        if hasattr(self.writer, "close"):
            self.writer.close()


def sa(uid: str, callsign: str, *, lat: float = KOSOVO[0], lon: float = KOSOVO[1]) -> bytes:
    """A device's own position (what ATAK sends every few seconds), made by pytak."""
    data = pytak.gen_cot(
        lat=lat, lon=lon, ce=10, hae=0, le=10, uid=uid, stale=120, cot_type="a-f-G-U-C",
        callsign=callsign,
    )  # fmt: skip
    assert data is not None
    return data


def marker(
    uid: str,
    cot_type: str = "a-h-G",
    *,
    remarks: str = "armed men at the crossroads",
    label: str | None = None,
    parent: str = "ANDROID-parent",
) -> bytes:
    """A marker placed on the map by a user (how h-g-i-g-o, linked to its maker)."""
    detail = pytak.cot_detail(flow_tag=False)
    link = ET.SubElement(detail, "link")
    link.set("uid", parent)
    link.set("relation", "p-p")
    link.set("type", "a-f-G-U-C")
    ET.SubElement(detail, "remarks").text = remarks
    if label is not None:
        ET.SubElement(detail, "peacewatch").set("label", label)
    event = pytak.cot_event(
        lat=KOSOVO[0] + 0.01, lon=KOSOVO[1] + 0.01, ce=50, uid=uid, cot_type=cot_type,
        how="h-g-i-g-o", detail=detail, callsign=f"marker {uid}",
    )  # fmt: skip
    return pytak.serialize_cot(event)


async def raw(port: int, *, tls: ssl.SSLContext | None = None) -> tuple[Any, Any]:
    """A bare socket connection (for hostile input)."""
    return await asyncio.open_connection("127.0.0.1", port, ssl=tls)
