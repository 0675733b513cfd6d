"""The gateway's counters, served at /api/v1/tak/status and printed by ``peacewatch tak``."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Metrics:
    """Counts since the gateway started (no user names: connections are counted, not listed)."""

    started: float = field(default_factory=time.time)
    connections: Counter[str] = field(default_factory=Counter)  # open, by listener
    accepted: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # by reason
    closed: Counter[str] = field(default_factory=Counter)  # by reason
    messages_in: Counter[str] = field(default_factory=Counter)  # by wire format
    messages_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    dropped: int = 0  # SA dropped for slow clients
    errors: Counter[str] = field(default_factory=Counter)  # by kind
    positions: int = 0  # written as unit positions
    reports: Counter[str] = field(default_factory=Counter)  # accepted, duplicates, rejected
    ignored: int = 0  # understood, but nothing PeaceWatch keeps (chat, routes, shapes)
    listening: dict[str, int] = field(default_factory=dict)  # listener → port

    def error(self, kind: str) -> None:
        """Count one error of ``kind``."""
        self.errors[kind] += 1

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "uptime_s": round(time.time() - self.started, 1),
            "listening": dict(self.listening),
            "connections": {"open": sum(self.connections.values()), **self.connections},
            "accepted": self.accepted,
            "refused": dict(self.refused),
            "closed": dict(self.closed),
            "messages_in": {"total": sum(self.messages_in.values()), **self.messages_in},
            "messages_out": self.messages_out,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "dropped": self.dropped,
            "errors": {"total": sum(self.errors.values()), **self.errors},
            "positions": self.positions,
            "reports": dict(self.reports),
            "ignored": self.ignored,
        }
