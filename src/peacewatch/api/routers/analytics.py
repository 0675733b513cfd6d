"""/api/v1/analytics: trends by kind, party or sector; hotspots on the H3 grid against each
cell's own baseline; patrol presence against incident density — over what the caller may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from peacewatch.analytics import coverage_density as density
from peacewatch.analytics import hotspots as spots
from peacewatch.analytics import trends as engine
from peacewatch.api.deps import Reader, StoreDep, WindowDep
from peacewatch.api.marking import collection_label, labelled, mark
from peacewatch.domain.labels import Viewer
from peacewatch.store import Store

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])

Mission = Annotated[str | None, Query(description="mission code")]
Of = Annotated[str, Query(description="what to count: reports or events")]
Resolution = Annotated[int, Query(description="H3 resolution, 5 (coarse) to 9 (fine)")]


def _marked(
    request: Request,
    store: Store,
    viewer: Viewer,
    body: dict[str, Any],
    labels_of: Callable[[dict[str, Any]], list[str]],
) -> dict[str, Any]:
    """The collection labelled with the most restrictive label of everything it counts."""
    records = [(str(f["id"]), m) for f in body["features"] for m in labels_of(f)]
    overall = mark(request, store, viewer, records)
    if overall is not None:
        body.update(collection_label(overall))
    return body


@router.get("/trends", summary="Incidents per week or day by kind, party or sector, with trends")
def trends(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    mission: Mission = None,
    by: Annotated[str, Query(description="kind, party or sector")] = "kind",
    period: Annotated[str, Query(description="week (ISO) or day (UTC)")] = "week",
    of: Of = "reports",
) -> dict[str, Any]:
    """Visible incidents per period: a ``series`` per key with its ``counts``, ``change``
    against the previous period and least-squares ``trend``; ``items`` per key and label."""
    with store.read() as conn:
        body = engine.trends(
            conn, viewer=viewer, by=by, period=period, start=window[0], end=window[1],
            mission=mission, of=of,
        )  # fmt: skip
    return labelled(request, store, viewer, body)


@router.get("/hotspots", summary="H3 cells busier than their own baseline")
def hotspots(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    mission: Mission = None,
    resolution: Resolution = spots.DEFAULT_RESOLUTION,
    baseline_weeks: Annotated[
        int, Query(description="weeks before the window that make each cell's baseline")
    ] = spots.DEFAULT_BASELINE_WEEKS,
    alpha: Annotated[
        float, Query(description="false discovery rate (Benjamini-Hochberg)")
    ] = spots.DEFAULT_ALPHA,
    of: Of = "reports",
    limit: Annotated[int, Query(description="at most this many cells")] = 500,
) -> dict[str, Any]:
    """Cells with incidents in the window (default: the 7 days to the latest), most
    significant first: count, baseline, expected, ratio, Poisson p, BH q, significant."""
    params = spots.HotspotParams(
        mission=mission, start=window[0], end=window[1], resolution=resolution,
        baseline_weeks=baseline_weeks, alpha=alpha, of=of, limit=limit,
    )  # fmt: skip
    with store.read() as conn:
        body = spots.hotspots(conn, viewer=viewer, params=params)
    return _marked(request, store, viewer, body, spots.hotspot_labels)


@router.get("/coverage", summary="Patrol presence against incident density per H3 cell")
def coverage(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    mission: Mission = None,
    resolution: Resolution = density.DEFAULT_RESOLUTION,
    of: Of = "reports",
    limit: Annotated[int, Query(description="length of the under-covered list")] = 20,
) -> dict[str, Any]:
    """Per cell (default window: the 30 days to the latest): incidents, patrols, patrol-days
    and kilometres patrolled; ``under_covered`` ranks cells by incidents per patrol-day."""
    params = density.DensityParams(
        mission=mission, start=window[0], end=window[1], resolution=resolution, of=of,
        limit=limit,
    )  # fmt: skip
    with store.read() as conn:
        body = density.coverage_density(conn, viewer=viewer, params=params)
    return _marked(request, store, viewer, body, density.density_labels)
