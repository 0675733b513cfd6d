"""The ingest pipeline: validate, label, de-duplicate, insert in batches, then publish.

Every input (files, API, forms, later CoT) goes through ``Pipeline.run``. Each batch is
written in one transaction, so a batch is either wholly stored or not at all; a record that
fails validation is rejected with its reasons and never stops the others. Re-sending a report
with the same client UUID is a duplicate, not an error.

A record naming the report it ``corrects`` is a correction: in the same transaction as its
batch, the report is updated in place, its previous content kept as a version, and the engines
told (topic ``reports.corrected``) so that they judge and place it again. Its own id makes
re-sending it a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from peacewatch.domain.labels import Label, Viewer
from peacewatch.errors import FieldProblem, NotFound
from peacewatch.ingest.bus import Bus
from peacewatch.ingest.validate import Context, RecordInvalid, to_row
from peacewatch.store import Store, audit
from peacewatch.store.label_filter import intern_label, known_release_codes
from peacewatch.store.reference import default_labels, find_place, mission_id, party_ids
from peacewatch.store.report_versions import correct_report
from peacewatch.store.reports import insert_reports


@dataclass
class Rejection:
    """A record that was not stored, and why."""

    record: str
    problems: list[FieldProblem]

    def to_dict(self) -> dict[str, Any]:
        """JSON form for API responses and CLI summaries."""
        return {"record": self.record, "problems": [p.to_dict() for p in self.problems]}


Item = tuple[str, dict[str, Any]] | Rejection


@dataclass
class Summary:
    """What an ingest run did: accepted, duplicate and rejected records."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    accepted_ids: list[str] = field(default_factory=list)
    corrected: int = 0
    corrected_ids: list[str] = field(default_factory=list)  # the reports corrected

    @property
    def seen(self) -> int:
        """Records read, whatever became of them."""
        return self.accepted + self.corrected + self.duplicates + len(self.rejected)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for API responses."""
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "rejections": [r.to_dict() for r in self.rejected],
            "accepted_ids": self.accepted_ids,
            "corrected": self.corrected,
            "corrected_ids": self.corrected_ids,
        }


@dataclass
class _Correction:
    """A validated correction: the corrected record's row (its uuid is the correction's)."""

    ref: str
    corrects: str
    reason: str | None
    row: dict[str, Any]
    label: Label


@dataclass
class _Prepared:
    """A validated batch on its way to the writer."""

    seen: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    duplicates: int = 0
    corrections: list[_Correction] = field(default_factory=list)


@dataclass
class _Corrected:
    """What the writer did with a batch's corrections: the reports as corrected (with their
    labels), the duplicates, and the ones refused."""

    applied: list[tuple[dict[str, Any], Label]] = field(default_factory=list)
    duplicates: int = 0
    refused: list[Rejection] = field(default_factory=list)


@dataclass
class _Written:
    """What the writer did with a prepared batch."""

    prepared: _Prepared
    inserted: set[str] = field(default_factory=set)
    refused: list[Rejection] = field(default_factory=list)
    corrected: _Corrected = field(default_factory=_Corrected)


def _context(store: Store, viewer: Viewer, mission: str) -> Context:
    with store.read() as conn:
        found = mission_id(conn, mission)
        if found is None:
            raise NotFound(f"mission {mission!r} does not exist; load a scenario or create it")
        default = default_labels(conn, [found])[found]
        codes = known_release_codes(conn)
        parties = party_ids(conn, found)

    @lru_cache(maxsize=4096)
    def place(name: str) -> tuple[float, float] | None:
        with store.read() as conn:
            return find_place(conn, name)

    return Context(
        viewer=viewer,
        mission_id=found,
        mission_code=mission,
        default_label=default,
        release_codes=codes,
        party_ids=parties,
        find_place=place,
    )


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Pipeline:
    """One ingest run for one mission on behalf of one viewer."""

    def __init__(
        self,
        store: Store,
        *,
        viewer: Viewer,
        mission: str,
        bus: Bus | None = None,
        batch_size: int = 1000,
        keep_ids: bool = False,
    ) -> None:
        self.store = store
        self.viewer = viewer
        self.bus = bus
        self.batch_size = batch_size
        self.keep_ids = keep_ids
        self.ctx = _context(store, viewer, mission)

    def run(
        self, items: Iterable[Item], *, progress: Callable[[Summary], None] | None = None
    ) -> Summary:
        """Ingest every item; returns the summary (also passed to ``progress`` per batch).

        Two stages overlap: this thread validates batch N+1 while a writer thread stores
        batch N (the database driver releases the GIL while it works). Batches are written
        and counted in order; a batch's reports are published only after its commit.
        """
        summary = Summary()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer") as writer:
            pending: Future[_Written] | None = None
            for batch in _batches(items, self.batch_size):
                prepared = self._prepare(batch, summary)
                if pending is not None:
                    self._account(pending.result(), summary, progress)
                pending = writer.submit(self._store, prepared)
            if pending is not None:
                self._account(pending.result(), summary, progress)
        return summary

    def _prepare(self, batch: list[Item], summary: Summary) -> _Prepared:
        """Validate a batch: rows to write, and the rejections and in-batch duplicates."""
        self.ctx.now = datetime.now(UTC)
        prepared = _Prepared(seen=len(batch))
        uuids: set[str] = set()
        for item in batch:
            if isinstance(item, Rejection):
                summary.rejected.append(item)
                continue
            ref, record = item
            try:
                row, label = to_row(record, self.ctx)
            except RecordInvalid as exc:
                summary.rejected.append(Rejection(ref, exc.problems))
                continue
            if row["uuid"] in uuids:
                prepared.duplicates += 1
                continue
            uuids.add(row["uuid"])
            if "corrects" in row:
                corrects, reason = row.pop("corrects"), row.pop("reason")
                prepared.corrections.append(_Correction(ref, corrects, reason, row, label))
                continue
            prepared.rows.append(row)
            prepared.labels.append(label)
            prepared.refs.append(ref)
        return prepared

    def _store(self, prepared: _Prepared) -> _Written:
        """Write one prepared batch (runs on the writer thread) and publish what was new."""
        written = _Written(prepared)
        if not prepared.rows and not prepared.corrections:
            return written
        try:
            written.inserted = self._write(
                prepared.rows, prepared.labels, prepared.corrections, written.corrected
            )
        except (IntegrityError, DBAPIError):
            written.corrected = _Corrected()
            written.inserted = self._write_one_by_one(prepared, written)
        if self.bus is not None and written.inserted:
            self.bus.publish(
                "reports",
                [
                    _published(r, label)
                    for r, label in zip(prepared.rows, prepared.labels, strict=True)
                    if r["uuid"] in written.inserted
                ],
            )
        if self.bus is not None and written.corrected.applied:
            # The live feed re-reads these reports through each viewer's label filter.
            self.bus.publish(
                "reports.corrected",
                [_published(r, label) for r, label in written.corrected.applied],
            )
        return written

    def _account(
        self, written: _Written, summary: Summary, progress: Callable[[Summary], None] | None
    ) -> None:
        prepared = written.prepared
        summary.accepted += len(written.inserted)
        summary.duplicates += prepared.duplicates
        summary.duplicates += len(prepared.rows) - len(written.inserted) - len(written.refused)
        summary.rejected.extend(written.refused)
        corrected = written.corrected
        summary.corrected += len(corrected.applied)
        summary.duplicates += corrected.duplicates
        summary.rejected.extend(corrected.refused)
        if self.keep_ids:
            summary.accepted_ids.extend(
                r["uuid"] for r in prepared.rows if r["uuid"] in written.inserted
            )
            summary.corrected_ids.extend(r["uuid"] for r, _ in corrected.applied)
        if progress is not None:
            progress(summary)

    def _write(
        self,
        rows: list[dict[str, Any]],
        row_labels: list[Label],
        corrections: Sequence[_Correction] = (),
        corrected: _Corrected | None = None,
    ) -> set[str]:
        cache = self.store.label_cache
        with self.store.write() as conn:
            for row, label in zip(rows, row_labels, strict=True):
                row["label_id"] = intern_label(conn, label, cache)
            inserted = insert_reports(conn, rows) if rows else set()
            if inserted:  # the batch, its audit entry and what engines make of it commit together
                self.store.written(conn, "reports", [r for r in rows if r["uuid"] in inserted])
                audit.append(
                    conn,
                    actor=self.viewer.name,
                    action="reports.ingest",
                    target=self.ctx.mission_code,
                    detail={
                        "accepted": len(inserted),
                        "labels": sorted({lb.marking for lb in row_labels}),
                    },
                )
            # After the inserts: a batch may hold a report made offline and its correction.
            for correction in corrections:
                assert corrected is not None
                self._correct(conn, correction, corrected)
            return inserted

    def _correct(self, conn: Connection, c: _Correction, corrected: _Corrected) -> None:
        """Apply one correction in the batch's transaction, with the engines' re-judging and
        re-placing of the report and its audit entry."""
        c.row["label_id"] = intern_label(conn, c.label, self.store.label_cache)
        outcome = correct_report(
            conn, viewer=self.viewer, corrects=c.corrects, row=c.row, reason=c.reason,
            now=self.ctx.now,
        )  # fmt: skip
        if outcome.duplicate:
            corrected.duplicates += 1
            return
        if outcome.row is None:
            corrected.refused.append(
                Rejection(c.ref, [FieldProblem("corrects", outcome.problem or "refused")])
            )
            return
        # One report at a time: two corrections of it in a batch are judged in order.
        self.store.written(conn, "reports.corrected", [outcome.row])
        audit.append(
            conn,
            actor=self.viewer.name,
            action="report.correct",
            target=c.corrects,
            detail={
                "correction": c.row["uuid"],
                "version": outcome.row["version"],
                "label": c.label.marking,
                "reason": c.reason,
            },
        )
        corrected.applied.append((outcome.row, c.label))

    def _write_one_by_one(self, prepared: _Prepared, written: _Written) -> set[str]:
        """Fallback when a batch fails as a whole: isolate the rows the database refuses."""
        inserted: set[str] = set()
        for row, label, ref in zip(prepared.rows, prepared.labels, prepared.refs, strict=True):
            try:
                inserted |= self._write([row], [label])
            except (IntegrityError, DBAPIError) as exc:
                reason = type(getattr(exc, "orig", exc)).__name__
                written.refused.append(
                    Rejection(ref, [FieldProblem("record", f"the store refused it ({reason})")])
                )
        for correction in prepared.corrections:
            try:
                self._write([], [], [correction], written.corrected)
            except (IntegrityError, DBAPIError) as exc:
                reason = type(getattr(exc, "orig", exc)).__name__
                written.corrected.refused.append(
                    Rejection(
                        correction.ref,
                        [FieldProblem("record", f"the store refused it ({reason})")],
                    )
                )
        return inserted


def _published(row: dict[str, Any], label: Label) -> dict[str, Any]:
    return {
        "id": row["uuid"],
        "kind": row["kind"],
        "observed_at": row["observed_at"].isoformat(),
        "lon": row["lon"],
        "lat": row["lat"],
        "title": row["title"],
        "label": label.marking,
        "classification": int(label.classification),
        "releasable_to": sorted(label.releasable_to),
        "version": row.get("version", 1),
    }
