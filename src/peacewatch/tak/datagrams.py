"""UDP: one CoT message per datagram; nothing is sent back over UDP."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from peacewatch.tak import cot, proto
from peacewatch.tak.cot import CotError
from peacewatch.tak.framing import Framer, FramingError

if TYPE_CHECKING:
    from peacewatch.tak.server import Gateway


class Datagrams(asyncio.DatagramProtocol):
    """UDP: one message per datagram, mesh protocol v1 (``0xbf 0x01 0xbf``) or XML; nothing
    is sent back over UDP."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        """Parse and handle one datagram as the plain user."""
        metrics = self.gateway.metrics
        metrics.bytes_in += len(data)
        try:
            if data.startswith(proto.MESH_HEADER):
                metrics.messages_in["mesh"] += 1
                event = proto.from_payload(data[len(proto.MESH_HEADER) :])
            elif data[:1] == bytes([proto.MAGIC]):  # stream framing in a datagram (pytak does it)
                metrics.messages_in["udp_proto"] += 1
                framed = Framer(self.gateway.config.max_message_bytes).feed(data)
                if len(framed) != 1:
                    metrics.error("framing")
                    return
                event = proto.from_payload(framed[0][1])
            elif data.lstrip()[:1] == b"<":
                metrics.messages_in["udp_xml"] += 1
                event = cot.from_xml(data)
            else:
                metrics.error("framing")
                return
            self.gateway.handle(None, event, self.gateway.plain)
        except (CotError, FramingError) as exc:
            metrics.error(exc.kind)
        except Exception:  # a datagram no rule foresaw: that one only, and counted
            metrics.error("internal")
