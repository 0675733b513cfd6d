"""/api/v1/stream: the live feed as Server-Sent Events, resumable from the last event id.

Ingest publishes on the bus after each commit; the bus only wakes the feed, which then reads
the new reports and violations from the store through the viewer's label filter, exactly as
the lists do. An event's id is "<report row>-<violation row>", the feed's position after it,
so a client that reconnects with ``Last-Event-ID`` (browsers do it by themselves) gets
everything it missed and nothing twice.

A correction keeps its report's row, so it is not "new": while connected, a client gets
``event: correction`` with the report's Feature as corrected (its ``version`` says which),
read through the same label filter. Corrections made while a client was away are not
replayed on reconnection; it sees the corrected report in its next read of the report.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from peacewatch.api.deps import BusDep, Reader, StoreDep
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.store import reports as report_store
from peacewatch.store import violations as violation_store

router = APIRouter(prefix="/api/v1", tags=["live"])

BATCH = 500
KEEPALIVE_S = 15.0


def _start(last_event_id: str | None, after: str | None) -> tuple[int | None, int | None]:
    value = last_event_id if last_event_id not in (None, "") else after
    if value is None or value == "":
        return None, None
    field = "Last-Event-ID" if last_event_id not in (None, "") else "after"
    try:
        parts = [int(p) for p in value.split("-")]
        if len(parts) > 2 or min(parts) < 0:
            raise ValueError
    except ValueError:
        raise ValidationFailed(
            f"{field} must be an event id this server sent",
            [FieldProblem(field, "not an event id (<report>-<violation>)")],
        ) from None
    return parts[0], parts[1] if len(parts) == 2 else None


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
    """``event: report`` with a GeoJSON Feature per new report, ``event: violation`` per new
    violation (an alert), ``event: correction`` per report corrected while connected, each
    only when the caller may see it."""
    reports_from, violations_from = _start(last_event_id, after)
    newest = await run_in_threadpool(_newest, store)
    start = (
        newest[0] if reports_from is None else reports_from,
        newest[1] if violations_from is None else violations_from,
    )
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    corrected: set[str] = set()  # uuids of reports corrected since the last read

    def on_publish(topic: str, items: list[dict[str, Any]]) -> None:
        if topic == "reports.corrected":
            corrected.update(str(i["id"]) for i in items)
        loop.call_soon_threadsafe(wake.set)  # called on the writer's thread

    unsubscribe = bus.subscribe(on_publish)

    def read(position: tuple[int, int]) -> tuple[list[Any], list[Any], list[Any]]:
        uuids = sorted(corrected)
        corrected.difference_update(uuids)
        with store.read() as conn:
            new_reports = report_store.reports_after(
                conn, viewer=viewer, after=position[0], limit=BATCH
            )
            new_violations = violation_store.violations_after(
                conn, viewer=viewer, after=position[1], limit=BATCH
            )
            fresh = {feature["id"] for _, feature in new_reports}  # sent whole, as corrected
            corrections = [
                f
                for u in uuids
                if u not in fresh
                and (f := report_store.get_report(conn, viewer=viewer, uuid=u)) is not None
            ]
        return new_reports, new_violations, corrections

    async def events() -> AsyncIterator[bytes]:
        r, v = start
        try:
            yield b"retry: 2000\n\n"
            while True:
                wake.clear()
                new_reports, new_violations, corrections = await run_in_threadpool(read, (r, v))
                for feature in corrections:
                    yield b"id: %d-%d\nevent: correction\ndata: %s\n\n" % (
                        r,
                        v,
                        orjson.dumps(feature),
                    )
                for row_id, feature in new_reports:
                    r = row_id
                    yield b"id: %d-%d\nevent: report\ndata: %s\n\n" % (r, v, orjson.dumps(feature))
                for row_id, feature in new_violations:
                    v = row_id
                    yield b"id: %d-%d\nevent: violation\ndata: %s\n\n" % (
                        r,
                        v,
                        orjson.dumps(feature),
                    )
                if BATCH in (len(new_reports), len(new_violations)):
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


def _newest(store: Any) -> tuple[int, int]:
    with store.read() as conn:
        return report_store.last_report_row(conn), violation_store.last_violation_row(conn)
