"""/api/v1/stream: the live feed as Server-Sent Events, resumable from the last event id.

Ingest publishes on the bus after each commit; the bus only wakes the feed, which then reads
the new reports, violations and unit positions from the store through the viewer's label
filter, exactly as the lists do. An event's id is "<report row>-<violation row>-<position
row>", the feed's position after it, so a client that reconnects with ``Last-Event-ID``
(browsers do it by themselves) gets everything it missed and nothing twice. (An id of one or
two parts, as older servers sent, resumes the positions from the newest.)

With each batch of new reports comes ``event: event`` for each fused event that holds one of
them (as fusion placed it in the same transaction), so a reconnecting client gets those too.
An analyst's later merge or split is not pushed: the client sees it in its next read.

A correction keeps its report's row, so it is not "new": while connected, a client gets
``event: correction`` with the report's Feature as corrected (its ``version`` says which),
read through the same label filter. Corrections made while a client was away are not
replayed on reconnection; it sees the corrected report in its next read of the report.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from peacewatch.api.deps import BusDep, Reader, StoreDep
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.store import events as event_store
from peacewatch.store import reports as report_store
from peacewatch.store import units as unit_store
from peacewatch.store import violations as violation_store

router = APIRouter(prefix="/api/v1", tags=["live"])

BATCH = 500
KEEPALIVE_S = 15.0


Position = tuple[int, int, int]


def _start(last_event_id: str | None, after: str | None) -> tuple[int | None, ...]:
    """(reports, violations, positions) rows to resume after; None where the id says none."""
    value = last_event_id if last_event_id not in (None, "") else after
    if value is None or value == "":
        return None, None, None
    field = "Last-Event-ID" if last_event_id not in (None, "") else "after"
    try:
        parts = [int(p) for p in value.split("-")]
        if len(parts) > 3 or min(parts) < 0:
            raise ValueError
    except ValueError:
        raise ValidationFailed(
            f"{field} must be an event id this server sent",
            [FieldProblem(field, "not an event id (<report>-<violation>-<position>)")],
        ) from None
    padded: list[int | None] = [*parts, None, None]
    return padded[0], padded[1], padded[2]


@router.get("/stream", summary="Live feed of new reports (Server-Sent Events)")
async def stream(
    request: Request,
    store: StoreDep,
    bus: BusDep,
    viewer: Reader,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[str | None, Query(description="resume after this event id")] = None,
    follow: Annotated[
        bool, Query(description="false: send what is there after the id, then close")
    ] = True,
) -> StreamingResponse:
    """``event: report`` with a GeoJSON Feature per new report, ``event: event`` per fused
    event holding a new report, ``event: violation`` per new violation (an alert),
    ``event: position`` per new unit position, ``event: correction`` per report corrected
    while connected, each only when the caller may see it. The first event, ``resume`` (no
    data), gives the feed's starting point as its id."""
    asked = _start(last_event_id, after)
    newest = await run_in_threadpool(_newest, store)
    start: Position = (
        newest[0] if asked[0] is None else asked[0],
        newest[1] if asked[1] is None else asked[1],
        newest[2] if asked[2] is None else asked[2],
    )
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    corrected: set[str] = set()  # uuids of reports corrected since the last read

    def on_publish(topic: str, items: list[dict[str, Any]]) -> None:
        if topic == "reports.corrected":
            corrected.update(str(i["id"]) for i in items)
        loop.call_soon_threadsafe(wake.set)  # called on the writer's thread

    unsubscribe = bus.subscribe(on_publish)

    def read(position: Position) -> Batch:
        uuids = sorted(corrected)
        corrected.difference_update(uuids)
        with store.read() as conn:
            new_reports = report_store.reports_after(
                conn, viewer=viewer, after=position[0], limit=BATCH
            )
            new_violations = violation_store.violations_after(
                conn, viewer=viewer, after=position[1], limit=BATCH
            )
            new_positions = unit_store.positions_after(
                conn, viewer=viewer, after=position[2], limit=BATCH
            )
            fused = event_store.events_of_reports(
                conn, viewer=viewer, report_ids=[row for row, _ in new_reports]
            )
            fresh = {feature["id"] for _, feature in new_reports}  # sent whole, as corrected
            corrections = [
                f
                for u in uuids
                if u not in fresh
                and (f := report_store.get_report(conn, viewer=viewer, uuid=u)) is not None
            ]
        return Batch(new_reports, fused, new_violations, new_positions, corrections)

    async def events() -> AsyncIterator[bytes]:
        r, v, p = start
        try:
            yield b"retry: 2000\n\n"
            # Where the feed starts, as an event id: a browser that loses the connection before
            # any other event still reconnects from here, and misses nothing written meanwhile.
            yield _message(r, v, p, b"resume", {})
            while True:
                wake.clear()
                got = await run_in_threadpool(read, (r, v, p))
                for feature in got.corrections:
                    yield _message(r, v, p, b"correction", feature)
                for row_id, feature in got.reports:
                    r = row_id
                    yield _message(r, v, p, b"report", feature)
                for feature in got.events:
                    yield _message(r, v, p, b"event", feature)
                for row_id, feature in got.violations:
                    v = row_id
                    yield _message(r, v, p, b"violation", feature)
                for row_id, feature in got.positions:
                    p = row_id
                    yield _message(r, v, p, b"position", feature)
                if BATCH in (len(got.reports), len(got.violations), len(got.positions)):
                    continue
                if not follow or await request.is_disconnected():
                    return
                try:
                    await asyncio.wait_for(wake.wait(), timeout=KEEPALIVE_S)
                except TimeoutError:
                    yield b": keepalive\n\n"
        finally:
            unsubscribe()

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@dataclass
class Batch:
    """What one read of the store found for a feed."""

    reports: list[tuple[int, dict[str, Any]]]
    events: list[dict[str, Any]]
    violations: list[tuple[int, dict[str, Any]]]
    positions: list[tuple[int, dict[str, Any]]]
    corrections: list[dict[str, Any]]


def _message(r: int, v: int, p: int, kind: bytes, feature: dict[str, Any]) -> bytes:
    return b"id: %d-%d-%d\nevent: %s\ndata: %s\n\n" % (r, v, p, kind, orjson.dumps(feature))


def _newest(store: Any) -> Position:
    with store.read() as conn:
        return (
            report_store.last_report_row(conn),
            violation_store.last_violation_row(conn),
            unit_store.last_position_row(conn),
        )
