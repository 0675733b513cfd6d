"""/api/v1/stats: activity per UTC day for the dashboards (incidents, violations, patrols),
counted over what the caller may see."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from peacewatch.api.deps import Reader, StoreDep, WindowDep
from peacewatch.api.marking import labelled
from peacewatch.store import stats

router = APIRouter(prefix="/api/v1/stats", tags=["stats"])

Mission = Annotated[str | None, Query(description="mission code")]


@router.get("/incidents", summary="Reports or events per day and kind")
def incidents(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    mission: Mission = None,
    of: Annotated[str, Query(description="what to count: reports or events")] = "reports",
) -> dict[str, Any]:
    """Visible reports (or fused events) per UTC day and kind: ``days``, a ``series`` per
    kind with its daily ``counts``, and ``items`` per kind and label."""
    with store.read() as conn:
        body = stats.incidents_per_day(
            conn, viewer=viewer, start=window[0], end=window[1], mission=mission, of=of
        )
    return labelled(request, store, viewer, body)


@router.get("/violations", summary="Violations per day and party or zone, by state")
def violations(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    mission: Mission = None,
    by: Annotated[str, Query(description="party or zone")] = "party",
) -> dict[str, Any]:
    """Visible violations per UTC day and party (or zone): a ``series`` per key with its
    daily ``counts`` and ``states`` (suspected, confirmed, dismissed), ``items`` per label."""
    with store.read() as conn:
        body = stats.violations_per_day(
            conn, viewer=viewer, by=by, start=window[0], end=window[1], mission=mission
        )
    return labelled(request, store, viewer, body)


@router.get("/patrols", summary="Patrols, track points and kilometres per day")
def patrols(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    mission: Mission = None,
) -> dict[str, Any]:
    """Visible patrols started per UTC day, and their visible tracks' points and kilometres
    (geodesic): a ``series`` each for ``patrols``, ``track_points`` and ``km``."""
    with store.read() as conn:
        body = stats.patrols_per_day(
            conn, viewer=viewer, start=window[0], end=window[1], mission=mission
        )
    return labelled(request, store, viewer, body)
