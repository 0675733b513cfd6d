"""/api/v1/missions, parties and nations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from peacewatch.api.deps import MissionWriter, Reader, StoreDep
from peacewatch.api.marking import labelled
from peacewatch.errors import NotFound
from peacewatch.ingest import records
from peacewatch.store import reference

router = APIRouter(prefix="/api/v1", tags=["missions"])


@router.get("/missions", summary="Missions")
def list_missions(request: Request, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """Missions visible to the caller."""
    with store.read() as conn:
        return labelled(
            request, store, viewer, {"items": reference.list_missions(conn, viewer=viewer)}
        )


@router.get("/missions/{code}", summary="One mission")
def get_mission(request: Request, code: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """A mission by code."""
    with store.read() as conn:
        row = reference.mission_row(conn, viewer=viewer, code=code)
        if row is None:
            raise NotFound(f"no mission {code}")
        return labelled(request, store, viewer, reference.mission_dict(row, conn))


@router.post("/missions", status_code=201, summary="Create a mission")
def create_mission(
    request: Request,
    store: StoreDep,
    viewer: MissionWriter,
    data: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    """Create a mission: code, name, start, end, default_label, mandate, aoi (GeoJSON)."""
    code = records.add_mission(store, viewer=viewer, data=data)
    return get_mission(request, code, store, viewer)


@router.get("/missions/{code}/parties", summary="Parties of a mission")
def list_parties(request: Request, code: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """Parties bound by the mission's agreements."""
    with store.read() as conn:
        row = reference.mission_row(conn, viewer=viewer, code=code)
        if row is None:
            raise NotFound(f"no mission {code}")
        return labelled(
            request,
            store,
            viewer,
            {"items": reference.list_parties(conn, viewer=viewer, mission_id=row.id)},
        )


@router.post("/missions/{code}/parties", status_code=201, summary="Create a party")
def create_party(
    code: str, store: StoreDep, viewer: MissionWriter, data: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Add a party (code, name, description, source, label) to a mission."""
    party = records.add_party(store, viewer=viewer, data={**data, "mission": code})
    return {"code": party}


@router.get("/nations", summary="Nations and communities")
def list_nations(store: StoreDep, _: Reader) -> dict[str, Any]:
    """Release codes known to this store: nation trigraphs and communities."""
    with store.read() as conn:
        return {"items": reference.list_nations(conn)}
