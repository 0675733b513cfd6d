"""One TCP or TLS connection of a TAK device: framing in, a bounded queue out.

Slow clients: what is sent to a connection waits in its own queue of at most ``queue_size``
events while the socket's buffer is full (asyncio's ``pause_writing``). When the queue is full
the oldest situational-awareness event (a position) is dropped, then if none is left the
oldest of the others; the drop is counted. Nothing waits for a slow client: the feed only
appends to queues, so one stalled device never delays another.

Protocol: the gateway announces TAK protocol v1 (``t-x-takp-v``) on connecting; a client that
asks for it (``t-x-takp-q`` version 1) gets ``t-x-takp-r`` and from then on is sent protocol
v1. A client may send either format at any time (each message's first byte says which).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import TYPE_CHECKING, cast

from peacewatch.tak import cot, proto
from peacewatch.tak.cot import CotError, CotEvent
from peacewatch.tak.feed import Outgoing
from peacewatch.tak.framing import Framer, FramingError

if TYPE_CHECKING:
    from peacewatch.security.users import User
    from peacewatch.tak.server import Gateway

HIGH_WATER = 256 * 1024  # bytes in the socket's buffer before it counts as slow
MAX_UIDS = 10_000  # CoT uids remembered per connection (not echoed back to it)


class Encoded:
    """One outgoing event, encoded at most once per format however many clients get it, and
    only when a client is sent it (not when it waits in a queue it may be dropped from)."""

    __slots__ = ("_proto", "_xml", "item")

    def __init__(self, item: Outgoing) -> None:
        self.item = item
        self._xml: bytes | None = None
        self._proto: bytes | None = None

    def xml(self) -> bytes:
        """As an XML message."""
        if self._xml is None:
            self._xml = cot.to_xml(self.item.event)
        return self._xml

    def proto(self) -> bytes:
        """As a protocol v1 stream message."""
        if self._proto is None:
            self._proto = proto.to_stream(self.item.event)
        return self._proto


class Connection(asyncio.Protocol):
    """A device's stream connection (plain TCP or TLS)."""

    def __init__(self, gateway: Gateway, listener: str) -> None:
        self.gateway = gateway
        self.listener = listener
        self.metrics = gateway.metrics
        self.framer = Framer(gateway.config.max_message_bytes)
        # (is SA, event): encoded when sent, so that what a slow client drops is never encoded
        self.queue: deque[tuple[bool, Encoded]] = deque()
        self.transport: asyncio.Transport | None = None
        self.user: User | None = None
        self.ready = False
        self.closed = False
        self.paused = False
        self.protocol_v1 = False
        self.uids: set[str] = set()  # the CoT uids of this device (not echoed back)
        self.last_in = time.monotonic()
        self.last_ping = self.last_in
        self._early: list[bytes] = []
        self._early_bytes = 0

    # asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Count the connection, refuse it over the limit, then find its user."""
        # Not an isinstance check: under `peacewatch serve` the loop is uvloop's, whose
        # TCPTransport has asyncio.Transport's methods without subclassing it.
        transport = cast(asyncio.Transport, transport)
        self.transport = transport
        transport.set_write_buffer_limits(high=HIGH_WATER)
        if not self.gateway.admit(self):
            self.closed = True
            transport.abort()
            return
        self.metrics.connections[self.listener] += 1
        self.metrics.accepted += 1
        asyncio.get_running_loop().create_task(self._begin())

    async def _begin(self) -> None:
        user = await self.gateway.user_of(self)
        if self.closed:
            return
        if user is None:
            self.close("no_user")
            return
        self.user = user
        self.ready = True
        self.send_now(self.gateway.takp_support)
        await self.gateway.register(self)
        early, self._early = self._early, []
        for data in early:
            self.data_received(data)

    def data_received(self, data: bytes) -> None:
        """Split into messages and handle each; a broken stream closes this connection."""
        if self.closed:
            return
        self.last_in = time.monotonic()
        self.metrics.bytes_in += len(data)
        if not self.ready:  # data before the user is known waits, within the size limit
            self._early.append(data)
            self._early_bytes += len(data)
            if self._early_bytes > self.gateway.config.max_message_bytes:
                self.metrics.error("oversized")
                self.close("error")
            return
        try:
            messages = self.framer.feed(data)
        except FramingError as exc:
            self.metrics.error(exc.kind)
            self.close("error")
            return
        for fmt, body in messages:
            self.metrics.messages_in[fmt] += 1
            try:
                event = cot.from_xml(body) if fmt == "xml" else proto.from_payload(body)
                self.gateway.handle(self, event)
            except CotError as exc:
                self.metrics.error(exc.kind)
            except Exception:  # a message no rule foresaw: that message only, and counted
                self.metrics.error("internal")

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection."""
        if not self.closed:
            self.closed = True
            self.metrics.closed["peer"] += 1
        self._forget()

    def pause_writing(self) -> None:
        """The socket's buffer is full: keep what comes in the queue."""
        self.paused = True

    def resume_writing(self) -> None:
        """The socket drained: send what waited."""
        self.paused = False
        self.flush()

    # sending --------------------------------------------------------------------------------

    def send_now(self, data: bytes) -> None:
        """Send a control message at once (ahead of the queue)."""
        if self.transport is not None and not self.closed:
            self.transport.write(data)
            self.metrics.bytes_out += len(data)
            self.metrics.messages_out += 1

    def sent_by_me(self, uid: str) -> None:
        """Remember a CoT uid this device sent (bounded: a device has a few)."""
        if len(self.uids) < MAX_UIDS:
            self.uids.add(uid)

    def send_control(self, event: CotEvent) -> None:
        """A control reply in the client's current format."""
        self.send_now(proto.to_stream(event) if self.protocol_v1 else cot.to_xml(event))

    def enqueue(self, items: list[Encoded]) -> None:
        """Queue events for this client (bounded: see the module's docstring) and send."""
        if self.closed or not self.ready:
            return
        limit = self.gateway.config.queue_size
        queue = self.queue
        for encoded in items:
            if encoded.item.origin is not None and encoded.item.origin in self.uids:
                continue  # a device is not sent its own position or markers back
            queue.append((encoded.item.sa, encoded))
        while len(queue) > limit:
            self._drop_one()
        if not self.paused:
            self.flush()

    def _drop_one(self) -> None:
        for index, (sa, _) in enumerate(self.queue):
            if sa:
                del self.queue[index]
                break
        else:
            self.queue.popleft()
        self.metrics.dropped += 1

    def flush(self) -> None:
        """Write the queue to the socket until it is drained or the socket is full."""
        if self.transport is None or self.closed or not self.queue:
            return
        queue, count = self.queue, len(self.queue)
        encode = Encoded.proto if self.protocol_v1 else Encoded.xml
        data = b"".join([encode(encoded) for _, encoded in queue])
        queue.clear()
        self.transport.write(data)
        self.metrics.messages_out += count
        self.metrics.bytes_out += len(data)

    def close(self, reason: str) -> None:
        """Close this connection (counted by reason)."""
        if self.closed:
            return
        self.closed = True
        self.metrics.closed[reason] += 1
        if self.transport is not None:
            self.transport.abort()
        self._forget()

    def _forget(self) -> None:
        if self.transport is not None and self.gateway.release(self):
            self.metrics.connections[self.listener] -= 1
        self.queue.clear()
