"""Splitting a TCP/TLS byte stream into CoT messages.

Each message is either XML (``<?xml …?><event …>…</event>``, ended by ``</event>``) or TAK
protocol v1 (``0xbf``, a varint length, that many bytes of protobuf); the first byte of each
message says which, so a client may switch after the negotiation. A message longer than the
limit, a stream that never ends its event, a bad varint or a byte that starts neither is a
``FramingError``: the stream can no longer be trusted and its connection is closed.
"""

from __future__ import annotations

from peacewatch.tak.proto import MAGIC

_END = b"</event>"
_BLANK = frozenset(b" \t\r\n\x00")
_LT = ord("<")


class FramingError(ValueError):
    """The stream broke its framing; ``kind`` names it for the metrics."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Framer:
    """Accumulates received bytes and hands out whole messages as ("xml"|"proto", bytes)."""

    __slots__ = ("_buffer", "_scan", "max_bytes")

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._buffer = bytearray()
        self._scan = 0  # where to resume looking for </event> (not quadratic on long events)

    @property
    def pending(self) -> int:
        """Bytes received and not yet part of a whole message."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[tuple[str, bytes]]:
        """The whole messages completed by ``data``, in order."""
        buffer = self._buffer
        buffer += data
        out: list[tuple[str, bytes]] = []
        pos, size = 0, len(buffer)
        try:
            while pos < size:
                first = buffer[pos]
                if first in _BLANK:
                    pos += 1
                    continue
                if first == MAGIC:
                    found = self._proto(buffer, pos, size)
                    if found is None:
                        break
                    start, stop = found
                    out.append(("proto", bytes(buffer[start:stop])))
                    pos = stop
                elif first == _LT:
                    end = buffer.find(_END, max(pos, self._scan))
                    if end < 0:
                        if size - pos > self.max_bytes:
                            raise FramingError(
                                "oversized", f"an XML event runs past {self.max_bytes} bytes"
                            )
                        self._scan = max(pos, size - len(_END) + 1)
                        break
                    stop = end + len(_END)
                    if stop - pos > self.max_bytes:
                        raise FramingError(
                            "oversized", f"an XML event is over {self.max_bytes} bytes"
                        )
                    out.append(("xml", bytes(buffer[pos:stop])))
                    pos = stop
                else:
                    raise FramingError(
                        "framing", f"byte 0x{first:02x} starts neither XML nor TAK protocol"
                    )
        finally:
            if pos:
                del buffer[:pos]
                self._scan = max(0, self._scan - pos)
        return out

    def _proto(self, buffer: bytearray, pos: int, size: int) -> tuple[int, int] | None:
        """(start, stop) of a protobuf payload at ``pos``, or None while incomplete."""
        length, shift, at = 0, 0, pos + 1
        while True:
            if at >= size:
                return None
            byte = buffer[at]
            at += 1
            length |= (byte & 0x7F) << shift
            if not byte & 0x80:
                break
            shift += 7
            if shift >= 35:  # 5 bytes say more than 2^35: not a length anyone sends
                raise FramingError("varint", "a TAK protocol length varint is too long")
        if length == 0:
            raise FramingError("varint", "a TAK protocol message of length 0")
        if length > self.max_bytes:
            raise FramingError("oversized", f"a TAK protocol message of {length} bytes")
        if at + length > size:
            return None
        return at, at + length
