"""/api/v1/units (with positions) and /api/v1/patrols."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from peacewatch.api.deps import (
    BBoxDep,
    Reader,
    StoreDep,
    TrackWriter,
    UnitWriter,
    WindowDep,
    parse_time,
)
from peacewatch.api.marking import labelled
from peacewatch.errors import FieldProblem, NotFound, ValidationFailed
from peacewatch.ingest import records
from peacewatch.store import patrols as patrol_store
from peacewatch.store import units as unit_store
from peacewatch.store.reports import feature_collection

router = APIRouter(prefix="/api/v1", tags=["units", "patrols"])


@router.get("/units", summary="Units with their latest position")
def list_units(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    bbox: BBoxDep,
    mission: Annotated[str | None, Query(description="mission code")] = None,
    at: Annotated[str | None, Query(description="position at or before this time")] = None,
    party: Annotated[list[str] | None, Query(description="party code (repeatable)")] = None,
) -> dict[str, Any]:
    """Units visible to the caller as GeoJSON, each at its latest visible position."""
    with store.read() as conn:
        features = unit_store.list_units(
            conn,
            viewer=viewer,
            mission=mission,
            at=parse_time(at, "at"),
            party_codes=party or (),
            bbox=bbox,
        )
    return labelled(request, store, viewer, feature_collection(features))


@router.post("/units", status_code=201, summary="Create a unit")
def create_unit(
    store: StoreDep, viewer: UnitWriter, data: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """A unit: mission, name, sidc (APP-6(D)/2525D 20 digits or 2525C 15 characters), nation,
    party, echelon, label and an optional uid."""
    uid = records.add_unit(store, viewer=viewer, data=data)
    return {"id": uid}


@router.get("/units/{uid}", summary="One unit at its latest position")
def get_unit(
    request: Request,
    uid: str,
    store: StoreDep,
    viewer: Reader,
    at: Annotated[str | None, Query(description="position at or before this time")] = None,
) -> dict[str, Any]:
    """A unit by uid; 404 when absent or not releasable to the caller."""
    with store.read() as conn:
        found = unit_store.list_units(conn, viewer=viewer, uid=uid, at=parse_time(at, "at"))
    if not found:
        raise NotFound(f"no unit {uid}")
    return labelled(request, store, viewer, found[0])


@router.get("/units/{uid}/positions", summary="A unit's track")
def list_positions(
    request: Request,
    uid: str,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
) -> dict[str, Any]:
    """Positions of one unit in time order."""
    with store.read() as conn:
        features = unit_store.list_positions(
            conn, viewer=viewer, unit_uid=uid, start=window[0], end=window[1], limit=limit
        )
    return labelled(request, store, viewer, feature_collection(features))


@router.get("/tracks", summary="Units' tracks in a window")
def list_tracks(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    bbox: BBoxDep,
    window: WindowDep,
    mission: Annotated[str | None, Query(description="mission code")] = None,
    limit: Annotated[int, Query(ge=1, le=200_000, description="positions at most")] = 50_000,
) -> dict[str, Any]:
    """Each unit's positions in the window as one LineString, in time order; each track
    carries the most restrictive label of its positions. ``truncated`` when ``limit``
    positions did not hold the whole window."""
    with store.read() as conn:
        features, truncated = unit_store.list_tracks(
            conn, viewer=viewer, mission=mission, start=window[0], end=window[1], bbox=bbox,
            limit=limit,
        )  # fmt: skip
    body = feature_collection(features) | {"truncated": truncated}
    return labelled(request, store, viewer, body)


@router.post("/units/{uid}/positions", status_code=201, summary="Add positions to a unit")
def add_positions(
    uid: str, store: StoreDep, viewer: TrackWriter, body: Annotated[Any, Body()]
) -> dict[str, Any]:
    """A list of {observed_at, lon, lat, source?, label?}."""
    if not isinstance(body, list):
        raise ValidationFailed(
            "a list of positions is expected", [FieldProblem("body", "must be a list")]
        )
    positions = [{**p, "unit_uid": uid} if isinstance(p, dict) else p for p in body]
    if any(not isinstance(p, dict) for p in positions):
        raise ValidationFailed(
            "each position must be an object", [FieldProblem("body", "objects only")]
        )
    count = records.add_positions(store, viewer=viewer, positions=positions)
    return {"accepted": count}


@router.get("/patrols", summary="Patrols with their tracks")
def list_patrols(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    bbox: BBoxDep,
    window: WindowDep,
    mission: Annotated[str | None, Query(description="mission code")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> dict[str, Any]:
    """Patrols overlapping the window, as GeoJSON LineStrings of their tracks."""
    with store.read() as conn:
        features = patrol_store.list_patrols(
            conn,
            viewer=viewer,
            mission=mission,
            start=window[0],
            end=window[1],
            bbox=bbox,
            limit=limit,
        )
    return labelled(request, store, viewer, feature_collection(features))


@router.get("/patrols/{uid}", summary="One patrol with its track")
def get_patrol(request: Request, uid: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """A patrol by uid; 404 when absent or not releasable to the caller."""
    with store.read() as conn:
        found = patrol_store.list_patrols(conn, viewer=viewer, uid=uid, limit=1)
    if not found:
        raise NotFound(f"no patrol {uid}")
    return labelled(request, store, viewer, found[0])


@router.post("/patrols", status_code=201, summary="Create a patrol")
def create_patrol(
    store: StoreDep, viewer: TrackWriter, data: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """A patrol: mission, name, unit, start, end, status, label, and optionally its track as
    [[lon, lat, time], …]."""
    uid = records.add_patrol(store, viewer=viewer, data=data)
    return {"id": uid}
