"""/api/v1/stream: the live feed as Server-Sent Events, resumable from the last event id.

Ingest publishes on the bus after each commit; the bus only wakes the feed, which then reads
the new reports from the store through the viewer's label filter, exactly as a list does.
An event's id is the report's row id, so a client that reconnects with ``Last-Event-ID``
(browsers do it by themselves) gets everything it missed and nothing twice.
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

router = APIRouter(prefix="/api/v1", tags=["live"])

BATCH = 500
KEEPALIVE_S = 15.0


def _start(last_event_id: str | None, after: int | None) -> int | None:
    value = last_event_id if last_event_id not in (None, "") else after
    if value is None:
        return None
    try:
        start = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            "Last-Event-ID must be an event id this server sent",
            [FieldProblem("Last-Event-ID", "not an event id")],
        ) from None
    if start < 0:
        raise ValidationFailed("after must be >= 0", [FieldProblem("after", "must be >= 0")])
    return start


@router.get("/stream", summary="Live feed of new reports (Server-Sent Events)")
async def stream(
    request: Request,
    store: StoreDep,
    bus: BusDep,
    viewer: Reader,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[int | None, Query(description="resume after this event id")] = None,
    follow: Annotated[
        bool, Query(description="false: send what is there after the id, then close")
    ] = True,
) -> StreamingResponse:
    """``event: report`` with a GeoJSON Feature per new report the caller may see."""
    start = _start(last_event_id, after)
    if start is None:
        start = await run_in_threadpool(_newest, store)
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def on_publish(topic: str, _items: list[dict[str, Any]]) -> None:
        if topic == "reports":  # called on the ingest writer's thread
            loop.call_soon_threadsafe(wake.set)

    unsubscribe = bus.subscribe(on_publish)

    def read(position: int) -> list[tuple[int, dict[str, Any]]]:
        with store.read() as conn:
            return report_store.reports_after(conn, viewer=viewer, after=position, limit=BATCH)

    async def events() -> AsyncIterator[bytes]:
        position = start
        try:
            yield b"retry: 2000\n\n"
            while True:
                wake.clear()
                batch = await run_in_threadpool(read, position)
                for row_id, feature in batch:
                    yield b"id: %d\nevent: report\ndata: %s\n\n" % (row_id, orjson.dumps(feature))
                    position = row_id
                if len(batch) == BATCH:
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


def _newest(store: Any) -> int:
    with store.read() as conn:
        return report_store.last_report_row(conn)
