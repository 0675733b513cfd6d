"""/api/v1/violations, /api/v1/compliance and /api/v1/agreements: what the compliance engine
found, a compliance officer's decisions, and the agreements it judges against."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from peacewatch.api.deps import (
    AlertAcknowledger,
    BBoxDep,
    Reader,
    SettingsDep,
    StoreDep,
    ViolationJudge,
    WindowDep,
)
from peacewatch.api.marking import labelled
from peacewatch.errors import NotFound
from peacewatch.store import compliance_views
from peacewatch.store import violations as violation_store

router = APIRouter(prefix="/api/v1", tags=["compliance"])

Mission = Annotated[str | None, Query(description="mission code")]


@router.get("/violations", summary="Violations as GeoJSON")
def list_violations(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    settings: SettingsDep,
    bbox: BBoxDep,
    window: WindowDep,
    mission: Mission = None,
    party: Annotated[list[str] | None, Query(description="party code (repeatable)")] = None,
    obligation: Annotated[list[str] | None, Query(description="obligation code")] = None,
    zone: Annotated[list[str] | None, Query(description="zone uid (repeatable)")] = None,
    state: Annotated[list[str] | None, Query(description="state (repeatable)")] = None,
    limit: Annotated[int, Query(ge=1, description="features per page")] = 1000,
    cursor: Annotated[str | None, Query(description="opaque cursor from next_cursor")] = None,
) -> dict[str, Any]:
    """Violations visible to the caller, oldest first, one page at a time."""
    with store.read() as conn:
        body = violation_store.list_violations(
            conn,
            viewer=viewer,
            mission=mission,
            party=party or (),
            obligation=obligation or (),
            zone=zone or (),
            state=state or (),
            start=window[0],
            end=window[1],
            bbox=bbox,
            limit=min(limit, settings.page_size_max),
            cursor=cursor,
        )
    return labelled(request, store, viewer, body)


def _one(request: Request, store: StoreDep, viewer: Any, violation_id: str) -> dict[str, Any]:
    with store.read() as conn:
        feature = violation_store.get_violation(conn, viewer=viewer, uuid=violation_id.lower())
    if feature is None:
        raise NotFound(f"no violation {violation_id}")
    return labelled(request, store, viewer, feature)


@router.get("/violations/{violation_id}", summary="One violation with its evidence")
def get_violation(
    request: Request, violation_id: str, store: StoreDep, viewer: Reader
) -> dict[str, Any]:
    """A violation by its UUID with the evidence the caller may see; 404 when not visible."""
    return _one(request, store, viewer, violation_id)


@router.patch("/violations/{violation_id}", summary="Confirm or dismiss a violation")
def decide_violation(
    request: Request,
    violation_id: str,
    store: StoreDep,
    viewer: ViolationJudge,
    decision: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    """``{"state": "confirmed"|"dismissed", "reason": "…"}``; audited."""
    violation_store.decide(
        store,
        viewer=viewer,
        uuid=violation_id.lower(),
        state=decision.get("state"),
        reason=decision.get("reason"),
    )
    return _one(request, store, viewer, violation_id)


@router.post("/violations/{violation_id}/acknowledge", summary="Acknowledge a violation's alert")
def acknowledge_violation(
    request: Request,
    violation_id: str,
    store: StoreDep,
    viewer: AlertAcknowledger,
    body: Annotated[dict[str, Any] | None, Body()] = None,
) -> dict[str, Any]:
    """``{"note": "…"}`` (optional): the alert is acknowledged for the whole operations centre,
    audited; the first acknowledgement stands (a second answers with it, unchanged)."""
    violation_store.acknowledge(
        store, viewer=viewer, uuid=violation_id.lower(), note=(body or {}).get("note")
    )
    return _one(request, store, viewer, violation_id)


@router.get("/compliance/summary", summary="Violations counted per key and state")
def compliance_summary(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    by: Annotated[str, Query(description="party, zone, obligation, day or state")] = "party",
    mission: Mission = None,
) -> dict[str, Any]:
    """Counts over the violations visible to the caller, split by label."""
    with store.read() as conn:
        body = compliance_views.summary(
            conn, viewer=viewer, by=by, mission=mission, start=window[0], end=window[1]
        )
    return labelled(request, store, viewer, body)


@router.get("/compliance/deadlines", summary="Deadlines of obligations and compliance since")
def compliance_deadlines(
    request: Request, store: StoreDep, viewer: Reader, mission: Mission = None
) -> dict[str, Any]:
    """Each obligation version with a deadline: violations since it, and whether complied."""
    with store.read() as conn:
        body = compliance_views.deadlines(conn, viewer=viewer, mission=mission)
    return labelled(request, store, viewer, body)


@router.get("/compliance/heatmap", summary="Violations counted per grid cell")
def compliance_heatmap(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    cell_deg: Annotated[float, Query(description="cell size in degrees")] = 0.05,
    mission: Mission = None,
) -> dict[str, Any]:
    """GeoJSON cells with a ``count`` of the violations visible to the caller."""
    with store.read() as conn:
        body = compliance_views.heatmap(
            conn, viewer=viewer, cell_deg=cell_deg, mission=mission, start=window[0], end=window[1]
        )
    return labelled(request, store, viewer, body)


@router.get("/agreements", summary="Agreements and their obligations")
def list_agreements(
    request: Request, store: StoreDep, viewer: Reader, mission: Mission = None
) -> dict[str, Any]:
    """Agreements visible to the caller, with every visible version of their obligations."""
    with store.read() as conn:
        items = violation_store.list_agreements(conn, viewer=viewer, mission=mission)
    return labelled(request, store, viewer, {"items": items})


@router.get("/agreements/{code}", summary="One agreement")
def get_agreement(
    request: Request, code: str, store: StoreDep, viewer: Reader, mission: Mission = None
) -> dict[str, Any]:
    """An agreement by code (in ``mission`` when given); 404 when not visible."""
    with store.read() as conn:
        found = violation_store.list_agreements(conn, viewer=viewer, mission=mission, code=code)
    if not found:
        raise NotFound(f"no agreement {code}")
    return labelled(request, store, viewer, found[0])
