"""/api/v1/patrol-plans: planned patrols (route or area, schedule, unit) and the recorded
patrols that carried them out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from peacewatch.api.deps import Allow, Reader, StoreDep, WindowDep
from peacewatch.api.marking import labelled
from peacewatch.domain.labels import Viewer
from peacewatch.errors import FieldProblem, NotFound, ValidationFailed
from peacewatch.ingest import patrol_plans as plan_writer
from peacewatch.security.policy import Permission
from peacewatch.store import patrol_plans as plan_store
from peacewatch.store.reports import feature_collection

router = APIRouter(prefix="/api/v1/patrol-plans", tags=["patrols"])

Planner = Annotated[Viewer, Depends(Allow(Permission.PLAN_PATROLS))]


@router.get("", summary="Patrol plans with the patrols that carried them out")
def list_plans(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    mission: Annotated[str | None, Query(description="mission code")] = None,
    status: Annotated[
        list[str] | None, Query(description="draft, planned or cancelled (repeatable)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> dict[str, Any]:
    """Plans whose schedule overlaps the window, as GeoJSON (a route or an area), each with
    ``patrols``: the visible recorded patrols of its unit overlapping one of its runs."""
    unknown = [s for s in status or () if s not in plan_store.PLAN_STATUSES]
    if unknown:
        raise ValidationFailed(
            "unknown status",
            [FieldProblem("status", f"one of {', '.join(plan_store.PLAN_STATUSES)}")],
        )
    with store.read() as conn:
        features = plan_store.list_plans(
            conn, viewer=viewer, mission=mission, start=window[0], end=window[1],
            status=tuple(status or ()), limit=limit,
        )  # fmt: skip
    return labelled(request, store, viewer, feature_collection(features))


@router.get("/{uid}", summary="One patrol plan")
def get_plan(request: Request, uid: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """A plan by uid; 404 when absent or not releasable to the caller."""
    with store.read() as conn:
        found = plan_store.list_plans(conn, viewer=viewer, uid=uid, limit=1)
    if not found:
        raise NotFound(f"no patrol plan {uid}")
    return labelled(request, store, viewer, found[0])


@router.post("", status_code=201, summary="Plan a patrol")
def create_plan(store: StoreDep, viewer: Planner, data: Annotated[Any, Body()]) -> dict[str, Any]:
    """A plan: mission, name, geometry (GeoJSON LineString: a route; Polygon: an area), start,
    end, optional repeat {days: [mon…sun], until}, unit, status (draft, planned, cancelled),
    label; or a list of them, written together."""
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ValidationFailed(
            "no patrol plan was sent", [FieldProblem("body", "send a plan or a list of plans")]
        )
    uids = plan_writer.add_plans(store, viewer=viewer, items=items)
    return {"id": uids[0], "ids": uids}


@router.patch("/{uid}", summary="Change a patrol plan")
def update_plan(
    request: Request,
    uid: str,
    store: StoreDep,
    viewer: Planner,
    data: Annotated[Any, Body()],
) -> dict[str, Any]:
    """Change name, geometry, unit, start, end, repeat, status or attributes; the plan after."""
    plan_writer.update_plan(store, viewer=viewer, uid=uid, data=data)
    return get_plan(request, uid, store, viewer)


@router.delete("/{uid}", status_code=204, summary="Delete a patrol plan")
def delete_plan(uid: str, store: StoreDep, viewer: Planner) -> Response:
    """Remove a plan; the patrols matched to it stay."""
    plan_writer.delete_plan(store, viewer=viewer, uid=uid)
    return Response(status_code=204)
