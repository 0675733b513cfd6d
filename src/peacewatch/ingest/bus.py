"""In-process publication of what ingest accepted, for live feeds and engines."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Subscriber = Callable[[str, list[dict[str, Any]]], None]


class Bus:
    """Subscribers get (topic, items) after the items are durably stored."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Register ``subscriber``; returns a function that unsubscribes it."""
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, topic: str, items: list[dict[str, Any]]) -> None:
        """Deliver ``items`` to every subscriber; one failing subscriber does not stop others."""
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(topic, items)
            except Exception:
                continue
