"""/api/v1/convoys: plan, track and deliver humanitarian convoys; route risk; HXL 3W export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from peacewatch.api.deps import Allow, Reader, StoreDep, parse_time
from peacewatch.api.marking import collection_label, mark
from peacewatch.domain.labels import Viewer
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.exports.deliveries import plan_deliveries, write_hxl_3w
from peacewatch.ops import convoys as ops
from peacewatch.security.policy import Permission
from peacewatch.store import Store

router = APIRouter(prefix="/api/v1/convoys", tags=["convoys"])
ConvoyWriter = Annotated[Viewer, Depends(Allow(Permission.WRITE_CONVOYS))]
JsonBody = Annotated[dict[str, Any], Body()]


def _marked(
    request: Request, store: Store, viewer: Viewer, body: dict[str, Any], pairs: list[Any]
) -> dict[str, Any]:
    """``body`` labelled with the most restrictive of ``pairs`` ((id, marking)), which sets
    the banner and audits a read of anything NATO CONFIDENTIAL or above."""
    overall = mark(request, store, viewer, pairs)
    if overall is None:
        overall = ops.empty_label(viewer)
    body.update(collection_label(overall))
    return body


def _status_param(status: list[str] | None) -> tuple[str, ...]:
    for value in status or ():
        if value not in ops.STATUSES:
            raise ValidationFailed(
                f"unknown status {value!r}",
                [FieldProblem("status", f"must be one of {', '.join(ops.STATUSES)}")],
            )
    return tuple(status or ())


@router.get("", summary="Convoys with their status and route risk")
def list_convoys(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    mission: Annotated[str | None, Query(description="mission code")] = None,
    status: Annotated[
        list[str] | None, Query(description="planned, under_way, arrived, aborted (repeatable)")
    ] = None,
    at: Annotated[
        str | None, Query(description="score risk no later than this time (ISO 8601 or DTG)")
    ] = None,
) -> dict[str, Any]:
    """Convoys the caller may see as GeoJSON route Features; ``risk_total``, ``risk_risen`` and
    ``risk_label`` summarise each route's risk from what the caller may see."""
    body = ops.list_convoys(
        store, viewer=viewer, mission=mission, status=_status_param(status),
        at=parse_time(at, "at"),
    )  # fmt: skip
    props = [f["properties"] for f in body["features"]]
    pairs = [(p["id"], p["label"]) for p in props] + [(p["id"], p["risk_label"]) for p in props]
    return _marked(request, store, viewer, body, pairs)


@router.post("", status_code=201, summary="Plan a convoy")
def plan_convoy(request: Request, store: StoreDep, viewer: ConvoyWriter, data: JsonBody) -> Any:
    """``{mission, name, agency, route (GeoJSON LineString or [[lon, lat], …]), cargo
    ([{item, quantity, unit}]), planned_departure, planned_arrival, escort (unit uid),
    tracking_unit (unit uid whose positions track it), label, uid}``; a past convoy may also
    give ``status``, ``departed_at`` and ``arrived_at``."""
    uid = ops.plan_convoy(store, viewer=viewer, data=data)
    return get_convoy(request, uid, store, viewer)


@router.get("/deliveries", summary="Deliveries, as JSON or an HXL 3W table")
async def list_deliveries(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    mission: Annotated[str | None, Query(description="mission code")] = None,
    format: Annotated[str, Query(description="json, or hxl for an HXL 3W CSV")] = "json",
) -> Any:
    """Every delivery the caller may see (of convoys they may see). ``format=hxl`` streams
    the HXL-tagged 3W table for partner agencies (one row per item; audited)."""
    if format not in ("json", "hxl"):
        raise ValidationFailed(
            f"unknown format {format!r}", [FieldProblem("format", "must be json or hxl")]
        )
    export = await run_in_threadpool(plan_deliveries, store, viewer=viewer, mission=mission)
    if format == "hxl":
        request.state.label = export.label
        return StreamingResponse(
            write_hxl_3w(export),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="deliveries-3w.hxl.csv"'},
        )
    body = {"items": export.rows}
    pairs = [(d["id"], d["label"]) for d in export.rows]
    return await run_in_threadpool(_marked, request, store, viewer, body, pairs)


@router.get("/{uid}", summary="One convoy with its track, deliveries and alerts")
def get_convoy(request: Request, uid: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """The convoy's route Feature with ``track`` (its tracking unit's positions, or its own
    points), ``deliveries`` and ``alerts`` (records near it while under way), as far as the
    caller may see each."""
    feature = ops.get_convoy(store, viewer=viewer, uid=uid)
    pairs = [(uid, feature["properties"]["label"])]
    pairs += [(f"{uid}/track", p["label"]) for p in feature["track"]]
    pairs += [(d["id"], d["label"]) for d in feature["deliveries"]]
    pairs += [(str(a["id"]), a["label"]) for a in feature["alerts"]]
    mark(request, store, viewer, pairs)
    return feature


@router.get("/{uid}/risk", summary="Route risk along a convoy's route, explained")
def convoy_risk(
    request: Request,
    uid: str,
    store: StoreDep,
    viewer: Reader,
    at: Annotated[
        str | None,
        Query(description="as of this time; default now while under way, else arrival"),
    ] = None,
) -> dict[str, Any]:
    """The route in 1 km segments, each with its ``risk`` (for colouring), every
    ``contribution`` explained (distance, km along the route, kind, grade and age weights),
    and a ``warning`` when risk rose after departure; ``label`` is the most restrictive of the
    convoy's and of every record it was scored from. Poll it to follow a convoy under way."""
    body = ops.route_risk_of(store, viewer=viewer, uid=uid, at=parse_time(at, "at"))
    pairs = [(uid, body["label"])] + [(c["id"], c["label"]) for c in body["contributions"]]
    return _marked(request, store, viewer, body, pairs)


@router.post("/{uid}/status", summary="Convoy departs, arrives or is aborted")
def convoy_status(
    request: Request, uid: str, store: StoreDep, viewer: ConvoyWriter, data: JsonBody
) -> dict[str, Any]:
    """``{status: under_way | arrived | aborted, at}`` (``at`` defaults to now)."""
    ops.set_status(store, viewer=viewer, uid=uid, status=data.get("status"), at=data.get("at"))
    return get_convoy(request, uid, store, viewer)


@router.post("/{uid}/points", status_code=201, summary="Record where a convoy was")
def convoy_points(uid: str, store: StoreDep, viewer: ConvoyWriter, data: JsonBody) -> Any:
    """``{points: [[lon, lat, time], …], label}``, for a convoy without a tracking unit."""
    return {"added": ops.add_points(store, viewer=viewer, uid=uid, data=data)}


@router.post("/{uid}/deliveries", status_code=201, summary="Record a delivery")
def convoy_delivery(uid: str, store: StoreDep, viewer: ConvoyWriter, data: JsonBody) -> Any:
    """``{place, lon, lat (or a gazetteer place), adm1, delivered_at, sector, cargo
    ([{item, quantity, unit}]), beneficiaries, label, id}``."""
    return {"id": ops.record_delivery(store, viewer=viewer, uid=uid, data=data)}
