"""/api/v1/seizures and /api/v1/trafficking: counter-trafficking seizures and the route
network they make."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from peacewatch.api.deps import (
    BBoxDep,
    Reader,
    SeizuresWriter,
    SettingsDep,
    StoreDep,
    WindowDep,
    parse_time,
)
from peacewatch.api.marking import labelled
from peacewatch.errors import FieldProblem, NotFound, ValidationFailed
from peacewatch.ops import trafficking
from peacewatch.store import seizures as seizure_store
from peacewatch.store.reports import feature_collection

router = APIRouter(prefix="/api/v1", tags=["trafficking"])

Mission = Annotated[str | None, Query(description="mission code")]
Category = Annotated[
    list[str] | None, Query(description=f"goods ({', '.join(trafficking.GOODS)}), repeatable")
]


def _categories(category: list[str] | None) -> list[str] | None:
    for c in category or ():
        if c not in trafficking.GOODS:
            raise ValidationFailed(
                "category is not valid",
                [FieldProblem("category", f"one of {', '.join(trafficking.GOODS)}")],
            )
    return category or None


@router.get("/seizures", summary="Seizures as GeoJSON")
def list_seizures(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    settings: SettingsDep,
    bbox: BBoxDep,
    window: WindowDep,
    mission: Mission = None,
    category: Category = None,
    crossing: Annotated[str | None, Query(description="crossing point name")] = None,
    limit: Annotated[int, Query(ge=1, description="seizures at most")] = 1000,
) -> dict[str, Any]:
    """Seizures visible to the caller, oldest first, with their route information and the
    field reports each cites that the caller may see."""
    with store.read() as conn:
        features = seizure_store.list_seizures(
            conn, viewer=viewer, mission=mission, start=window[0], end=window[1],
            categories=_categories(category), crossing=crossing, bbox=bbox,
            limit=min(limit, settings.page_size_max),
        )  # fmt: skip
    return labelled(request, store, viewer, feature_collection(features), embedded="reports")


@router.get("/seizures/{uid}", summary="One seizure")
def get_seizure(request: Request, uid: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """A seizure by uid with the field reports it cites that the caller may see; 404 when
    absent or not visible."""
    with store.read() as conn:
        found = seizure_store.list_seizures(conn, viewer=viewer, uid=uid)
    if not found:
        raise NotFound(f"no seizure {uid}")
    return labelled(request, store, viewer, found[0], embedded="reports")


@router.post("/seizures", status_code=201, summary="Record seizures")
def create_seizures(
    request: Request,
    store: StoreDep,
    viewer: SeizuresWriter,
    body: Annotated[Any, Body()],
) -> dict[str, Any]:
    """One seizure or a list: ``{uid?, mission?, seized_at, category, quantity, unit, place,
    lon, lat, origin?, crossing?, destination?, route?, chain?, description?, label?,
    reports?}`` where ``reports`` lists the uids of the field reports it was filed from (each one
    the caller may see); audited. Answers with the seizures as GeoJSON."""
    listed = body if isinstance(body, list) else [body]
    if not listed or not all(isinstance(i, dict) for i in listed):
        raise ValidationFailed("seizures are objects", [FieldProblem("body", "object or list")])
    uids = trafficking.add_seizures(store, viewer=viewer, items=listed)
    with store.read() as conn:
        features = [
            f for uid in uids for f in seizure_store.list_seizures(conn, viewer=viewer, uid=uid)
        ]
    return labelled(request, store, viewer, feature_collection(features), embedded="reports")


@router.get("/trafficking/routes", summary="The route network, hotspots and growing routes")
def routes(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    mission: Mission = None,
    category: Category = None,
    at: Annotated[
        str | None, Query(description="count the last 30 days back from here (default: end)")
    ] = None,
    bucket: Annotated[str, Query(description="periods: month or week")] = "month",
) -> dict[str, Any]:
    """The network of the seizures the caller sees (nodes, edges, routes) with counts per
    period; crossings ranked as hotspots; routes that grew in the 30 days before ``at``
    against the 30 before, with both counts. ``items`` split the seizures by label."""
    body = trafficking.routes_report(
        store, viewer=viewer, mission=mission, at=parse_time(at, "at"), start=window[0],
        end=window[1], categories=_categories(category), bucket=bucket,
    )  # fmt: skip
    return labelled(request, store, viewer, body)
