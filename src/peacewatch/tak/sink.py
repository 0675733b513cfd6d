"""Writing what devices send, in batches, on a thread of its own (the event loop never waits
for the database).

Positions go through ``records.add_positions`` (the same path as the API's), reports through
the ingest ``Pipeline`` (so compliance and fusion judge and place them); both call the store's
hooks in their transactions. A CoT uid is a unit's uid: a device's first position creates its
unit (named by its callsign, of its user's nation, SIDC from its type, ``attributes.cot_uid``)
with that user as author, as ``POST /api/v1/units`` would. What arrives while a batch is
being written makes the next batch (so batches grow with the load and an idle gateway writes
at once); ``delay`` can make it wait longer to gather one. ``on_written`` is called after
each commit, to wake the feed.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from peacewatch.domain.labels import Viewer
from peacewatch.errors import Conflict, PeaceWatchError
from peacewatch.ingest import records
from peacewatch.ingest.bus import Bus
from peacewatch.ingest.pipeline import Item, Pipeline
from peacewatch.store import Store
from peacewatch.store import units as unit_store
from peacewatch.tak.meaning import Position
from peacewatch.tak.metrics import Metrics


class Sink:
    """Batches positions and reports by user and writes them on its own thread."""

    def __init__(
        self,
        store: Store,
        *,
        mission: str,
        metrics: Metrics,
        on_written: Callable[[], None],
        bus: Bus | None = None,
        delay: float = 0.0,
        size: int = 5000,
    ) -> None:
        self.store, self.mission, self.metrics, self.bus = store, mission, metrics, bus
        self.on_written = on_written
        self.delay, self.size = delay, size
        self._positions: list[tuple[Viewer, Position]] = []
        self._reports: list[tuple[Viewer, Item]] = []
        self._units: set[str] = set()  # CoT uids known to be units
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="tak-sink", daemon=True)

    def start(self) -> None:
        """Start the writer thread."""
        self._thread.start()

    def stop(self) -> None:
        """Write what is pending, then stop the thread."""
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join(timeout=30)

    def position(self, viewer: Viewer, position: Position) -> None:
        """Queue a position (called on the event loop)."""
        with self._cond:
            self._positions.append((viewer, position))
            if len(self._positions) in (1, self.size):  # the first wakes the writer
                self._cond.notify()

    def report(self, viewer: Viewer, item: Item) -> None:
        """Queue a report for the pipeline (called on the event loop)."""
        with self._cond:
            self._reports.append((viewer, item))
            self._cond.notify()

    @property
    def backlog(self) -> int:
        """Items waiting to be written."""
        return len(self._positions) + len(self._reports)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not (self._stop or self._positions or self._reports):
                    self._cond.wait()  # idle: no timer ticking
                if self.delay and not self._stop and len(self._positions) < self.size:
                    self._cond.wait(self.delay)  # gather a batch
                positions, self._positions = self._positions, []
                reports, self._reports = self._reports, []
                stopping = self._stop
            if positions or reports:
                try:
                    self._write(positions, reports)
                except Exception:  # the gateway goes on; the batch is counted as lost
                    self.metrics.error("store")
                self.on_written()
            elif stopping:
                return

    def _write(
        self, positions: list[tuple[Viewer, Position]], reports: list[tuple[Viewer, Item]]
    ) -> None:
        by_viewer: dict[Viewer, list[Position]] = defaultdict(list)
        for viewer, p in positions:
            by_viewer[viewer].append(p)
        for viewer, items in by_viewer.items():
            self._write_positions(viewer, items)
        reports_by: dict[Viewer, list[Item]] = defaultdict(list)
        for viewer, item in reports:
            reports_by[viewer].append(item)
        for viewer, report_items in reports_by.items():
            try:
                summary = Pipeline(
                    self.store, viewer=viewer, mission=self.mission, bus=self.bus
                ).run(report_items)
            except PeaceWatchError:
                self.metrics.error("report")
                continue
            self.metrics.reports["accepted"] += summary.accepted
            self.metrics.reports["duplicates"] += summary.duplicates
            self.metrics.reports["rejected"] += len(summary.rejected)

    def _ensure_units(self, viewer: Viewer, items: list[Position]) -> list[Position]:
        """The positions whose unit exists (creating the units of new devices)."""
        unknown = sorted({p.cot_uid for p in items} - self._units)
        if unknown:
            with self.store.read() as conn:
                self._units.update(unit_store.unit_ids(conn, unknown))
            first = {p.cot_uid: p for p in reversed(items)}
            for uid in unknown:
                if uid in self._units:
                    continue
                try:
                    records.add_unit(self.store, viewer=viewer, data=first[uid].unit)
                except Conflict:
                    pass  # made meanwhile by another writer
                except PeaceWatchError:
                    self.metrics.error("unit")
                    continue
                self._units.add(uid)
        return [p for p in items if p.cot_uid in self._units]

    def _write_positions(self, viewer: Viewer, items: list[Position]) -> None:
        items = self._ensure_units(viewer, items)
        if not items:
            return
        rows: list[dict[str, Any]] = [p.record for p in items]
        try:
            self.metrics.positions += records.add_positions(
                self.store, viewer=viewer, positions=rows
            )
            return
        except PeaceWatchError:
            pass
        for row in rows:  # one bad position (e.g. a label its user may not write) of many
            try:
                self.metrics.positions += records.add_positions(
                    self.store, viewer=viewer, positions=[row]
                )
            except PeaceWatchError:
                self.metrics.error("position")
