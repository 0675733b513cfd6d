"""The app factory: nothing happens at import time."""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Connection, text
from starlette.types import Scope

from peacewatch import __version__
from peacewatch.api import problems
from peacewatch.api.deps import public
from peacewatch.api.marking import BannerMiddleware
from peacewatch.api.routers import (
    analytics,
    audit,
    auth,
    compliance,
    convoys,
    coverage,
    events,
    exports,
    history,
    missions,
    ogc,
    partners,
    patrol_plans,
    reports,
    sitrep,
    stats,
    stream,
    tak,
    trafficking,
    units,
    users,
    warning,
    weapons,
    zones,
)
from peacewatch.compliance.judge import attach as attach_compliance
from peacewatch.fusion.engine import attach as attach_fusion
from peacewatch.ingest.bus import Bus
from peacewatch.ops.convoys import attach as attach_convoys
from peacewatch.ops.patrol_recording import attach as attach_patrol_recording
from peacewatch.runtime import tune_gc
from peacewatch.security.credentials import Throttle
from peacewatch.settings import Settings
from peacewatch.store import Store, open_store
from peacewatch.store.migrate import current_revision, head_revision
from peacewatch.store.pg_notify import Listener

NOT_BUILT = """<!doctype html><title>PeaceWatch</title>
<p>The web front end is not built. Run <code>make web</code> (or <code>make demo</code>).</p>
<p>The API is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>"""


def static_dir() -> Path:
    """Where the built web front end lives inside the package."""
    return Path(str(files("peacewatch") / "static"))


class _FeedWaker:
    """Store hook: positions are written outside the report pipeline (API, files, CoT); once
    such a transaction commits, wake the live feeds of every app on this store, which then
    read the new rows themselves. One per store, however many apps (tests make many)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.buses: weakref.WeakSet[Bus] = weakref.WeakSet()

    def __call__(self, conn: Connection, topic: str, rows: list[dict[str, Any]]) -> None:
        if topic == "positions" and rows:
            buses = list(self.buses)

            def wake() -> None:
                for bus in buses:
                    bus.publish("positions", [])

            self.store.after_commit(conn, wake)


def wake_feed_on_positions(store: Store, bus: Bus) -> None:
    """Wake ``bus``'s live feeds whenever positions are committed to ``store``."""
    waker = next((h for h in store.hooks if isinstance(h, _FeedWaker)), None)
    if waker is None:
        waker = _FeedWaker(store)
        store.hooks.append(waker)
    waker.buses.add(bus)


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """Build the PeaceWatch web app for ``settings`` (and an already opened ``store``)."""
    settings = settings or Settings()
    own_store = store is None
    store = store or open_store(
        settings.database_url, sqlite_synchronous=settings.sqlite_synchronous
    )

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        # Fewer request threads than anyio's 40: under load, a thread holding the audit
        # chain's lock until its commit waits for the GIL behind every other runnable thread,
        # and every writer of every worker waits on that lock (issue 10: scale-out).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        # On PostgreSQL, writes made by other workers and hosts wake this one's feeds.
        listener = Listener.for_store(store, app_.state.bus.publish)
        if listener is not None:
            listener.start()
        app_.state.listener = listener
        gateway = await tak.start(app_, settings) if settings.tak_enabled else None
        yield
        if gateway is not None:
            await gateway.stop()
        if listener is not None:
            await listener.stop()
        if own_store:
            store.dispose()

    app = FastAPI(
        title="PeaceWatch",
        version=__version__,
        description="Information system of a multinational peace-support operation.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    attach_compliance(store)  # every report and position written through this app is judged
    attach_fusion(store)  # and every report placed in an event (fusion/engine.py)
    attach_convoys(store)  # and convoys under way alerted to reports near them (ops/convoys.py)
    attach_patrol_recording(store)  # and positions in a planned run recorded as its patrol
    app.state.bus = Bus()
    wake_feed_on_positions(store, app.state.bus)
    app.state.login_throttle = Throttle(settings.login_failures_per_address)
    # JSON (the basemap cells, API pages) shrinks by ~4x with gzip.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(BannerMiddleware)
    problems.install(app)
    routers = (
        auth,
        users,
        audit,
        missions,
        zones,
        units,
        reports,
        stream,
        compliance,
        events,
        exports,
        stats,
        analytics,
        ogc,
        tak,
        weapons,
        trafficking,
        partners,
        patrol_plans,
        coverage,
        convoys,
        history,
        sitrep,
        warning,
    )
    for module in routers:
        app.include_router(module.router)

    @app.get(
        "/healthz",
        tags=["health"],
        summary="Liveness and schema check",
        dependencies=[Depends(public)],
    )
    def healthz() -> dict[str, Any]:
        """Ok when the database answers; says whether its schema is current."""
        with store.read() as conn:
            conn.execute(text("SELECT 1"))
        current = current_revision(store)
        return {
            "status": "ok",
            "version": __version__,
            "backend": store.backend,
            "schema": current,
            "schema_current": current == head_revision(),
        }

    web = static_dir()
    if (web / "index.html").is_file():
        app.mount("/", WebFiles(directory=web, html=True), name="web")
    else:

        @app.get("/", include_in_schema=False)
        def not_built() -> HTMLResponse:
            return HTMLResponse(NOT_BUILT)

    return app


class WebFiles(StaticFiles):
    """The built web front end. Vite names every file under assets/ by its content's hash, and
    the page asks for basemap cells with the hash of all cells (``?v=``, from world.json) and
    for glyph ranges with the build's hash of them (``?v=``, vite.config.ts), so a browser may
    keep those for good instead of asking again at each page load (issue 6: first paint; a cell
    revalidated while the server built the window's data waited 400 ms for its 304). The other
    files (index.html, world.json, anything asked for without a version) are revalidated."""

    VERSIONED = ("basemap/", "fonts/")

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200 and (
            path.startswith("assets/")
            or (path.startswith(self.VERSIONED) and "v" in self._query(scope))
        ):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    @staticmethod
    def _query(scope: Scope) -> dict[str, list[str]]:
        """The request's query parameters (``?nav=1`` names no version, ``?v=…`` does)."""
        return parse_qs(scope.get("query_string", b"").decode("latin-1"))


def factory() -> FastAPI:
    """The app for the settings in the environment: what each ``serve --workers N`` worker
    process builds (``uvicorn peacewatch.api.app:factory --factory``)."""
    app = create_app(Settings())
    tune_gc()  # a server process (peacewatch/runtime.py)
    return app


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every APIRoute of ``app``, including those of included routers.

    FastAPI >= 0.16x keeps an included router as one wrapper entry in ``app.routes``; its
    routes (with their full paths: routers here carry their prefix) are on the wrapped router.
    """
    found: list[APIRoute] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.append(route)
            elif hasattr(route, "original_router"):
                walk(list(route.original_router.routes))

    walk(list(app.routes))
    return found
