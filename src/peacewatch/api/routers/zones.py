"""/api/v1/zones and /api/v1/places."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from peacewatch.api.deps import BBoxDep, Reader, StoreDep, ZoneWriter, parse_time
from peacewatch.api.marking import labelled
from peacewatch.errors import FieldProblem, NotFound, ValidationFailed
from peacewatch.ingest import records
from peacewatch.store import reference
from peacewatch.store import zones as zone_store
from peacewatch.store.reports import feature_collection

router = APIRouter(prefix="/api/v1", tags=["zones"])


@router.get("/zones", summary="Zones as GeoJSON")
def list_zones(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    bbox: BBoxDep,
    mission: Annotated[str | None, Query(description="mission code")] = None,
    kind: Annotated[list[str] | None, Query(description="zone kind (repeatable)")] = None,
    type_: Annotated[
        list[str] | None, Query(alias="type", description="same as kind (repeatable)")
    ] = None,
    at: Annotated[str | None, Query(description="only versions in force at this time")] = None,
) -> dict[str, Any]:
    """Sectors, safety zones and other areas visible to the caller."""
    with store.read() as conn:
        features = zone_store.list_zones(
            conn,
            viewer=viewer,
            mission=mission,
            kinds=[*(kind or ()), *(type_ or ())],
            at=parse_time(at, "at"),
            bbox=bbox,
        )
    return labelled(request, store, viewer, feature_collection(features))


@router.get("/zones/{uid}", summary="One zone")
def get_zone(request: Request, uid: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """A zone by uid."""
    with store.read() as conn:
        feature = zone_store.get_zone(conn, viewer=viewer, uid=uid)
    if feature is None:
        raise NotFound(f"no zone {uid}")
    return labelled(request, store, viewer, feature)


@router.post("/zones", status_code=201, summary="Create a zone")
def create_zone(
    request: Request,
    store: StoreDep,
    viewer: ZoneWriter,
    feature: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    """A GeoJSON Feature whose properties hold mission, name, kind, valid_from, valid_to,
    rules, source, label and an optional uid."""
    if feature.get("type") != "Feature":
        raise ValidationFailed(
            "a GeoJSON Feature is expected", [FieldProblem("type", "must be 'Feature'")]
        )
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise ValidationFailed(
            "properties must be an object", [FieldProblem("properties", "must be an object")]
        )
    data = {**props, "geometry": feature.get("geometry")}
    if feature.get("id") is not None:
        data.setdefault("uid", str(feature["id"]))
    uid = records.add_zone(store, viewer=viewer, data=data)
    return get_zone(request, uid, store, viewer)


@router.get("/places", summary="Towns and other places (GeoNames)")
def list_places(
    store: StoreDep,
    _: Reader,
    bbox: BBoxDep,
    name: Annotated[str | None, Query(description="name prefix, case-insensitive")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> dict[str, Any]:
    """The gazetteer: public reference data, most populous first."""
    with store.read() as conn:
        features = reference.list_places(conn, bbox=bbox, name=name, limit=limit)
    return feature_collection(features)
