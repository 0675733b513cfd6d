"""/api/v1/tak/status: the TAK gateway's metrics, and starting it with the app."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request

from peacewatch.api.deps import Reader
from peacewatch.settings import Settings

router = APIRouter(prefix="/api/v1/tak", tags=["tak"])


async def start(app: FastAPI, settings: Settings) -> Any:
    """Start the gateway inside the API's process (``PEACEWATCH_TAK_ENABLED``); it shares the
    app's store and bus, so what devices send reaches the live feed and vice versa."""
    from peacewatch.tak.server import serve

    gateway = await serve(app.state.store, settings, bus=app.state.bus)
    app.state.tak = gateway
    return gateway


@router.get("/status", summary="TAK gateway metrics")
def tak_status(request: Request, viewer: Reader) -> dict[str, Any]:
    """Whether the gateway runs in this process; its listeners and ports; connections open,
    accepted and refused; messages in (by format) and out; SA dropped for slow clients;
    errors by kind; positions and reports written. Counts only: no user or device is named."""
    gateway = getattr(request.app.state, "tak", None)
    if gateway is None:
        return {"running": False}
    return {"running": True, **gateway.status()}
