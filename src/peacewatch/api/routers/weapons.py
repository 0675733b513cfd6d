"""/api/v1/weapons: weapons collection (DDR) — campaigns, collection points, items handed in,
their chain of custody and progress against target."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from peacewatch.api.deps import Reader, SettingsDep, StoreDep, WeaponsWriter
from peacewatch.api.marking import labelled, mark
from peacewatch.domain.errors import DomainError
from peacewatch.errors import FieldProblem, NotFound, ValidationFailed
from peacewatch.ops import weapons_writes
from peacewatch.ops.weapons import CATEGORIES, campaign_progress, normalise_serial
from peacewatch.store import weapons as weapons_store
from peacewatch.store.reports import feature_collection

router = APIRouter(prefix="/api/v1/weapons", tags=["weapons"])

Mission = Annotated[str | None, Query(description="mission code")]


def _object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationFailed(f"a {what} object is expected", [FieldProblem("body", "object")])
    return body


@router.get("/campaigns", summary="Weapons collection campaigns")
def list_campaigns(
    request: Request, store: StoreDep, viewer: Reader, mission: Mission = None
) -> dict[str, Any]:
    """Campaigns visible to the caller with their targets and published figures."""
    with store.read() as conn:
        items = weapons_store.list_campaigns(conn, viewer=viewer, mission=mission)
    return labelled(request, store, viewer, {"items": items})


@router.get("/campaigns/{code}", summary="One campaign")
def get_campaign(request: Request, code: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """A campaign by code; 404 when absent or not visible."""
    with store.read() as conn:
        found = weapons_store.list_campaigns(conn, viewer=viewer, code=code)
    if not found:
        raise NotFound(f"no campaign {code}")
    return labelled(request, store, viewer, found[0])


@router.post("/campaigns", status_code=201, summary="Create a campaign")
def create_campaign(
    request: Request,
    store: StoreDep,
    viewer: WeaponsWriter,
    body: Annotated[Any, Body()],
) -> dict[str, Any]:
    """``{code, mission, name, start, end?, targets: [{category, place?, quantity}], label?}``;
    audited."""
    code = weapons_writes.add_campaign(store, viewer=viewer, data=_object(body, "campaign"))
    return get_campaign(request, code, store, viewer)


@router.get("/points", summary="Collection points as GeoJSON")
def list_points(
    request: Request, store: StoreDep, viewer: Reader, mission: Mission = None
) -> dict[str, Any]:
    """Collection points visible to the caller."""
    with store.read() as conn:
        features = weapons_store.list_points(conn, viewer=viewer, mission=mission)
    return labelled(request, store, viewer, feature_collection(features))


@router.post("/points", status_code=201, summary="Create a collection point")
def create_point(
    request: Request,
    store: StoreDep,
    viewer: WeaponsWriter,
    body: Annotated[Any, Body()],
) -> dict[str, Any]:
    """``{uid?, mission, name, place, geometry (GeoJSON), label?}``; audited."""
    uid = weapons_writes.add_point(store, viewer=viewer, data=_object(body, "collection point"))
    with store.read() as conn:
        found = weapons_store.list_points(conn, viewer=viewer, uid=uid)
    return labelled(request, store, viewer, found[0])


@router.get("/items", summary="Items handed in, with duplicate-serial flags")
def list_items(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    settings: SettingsDep,
    campaign: Annotated[str | None, Query(description="campaign code")] = None,
    category: Annotated[str | None, Query(description=", ".join(CATEGORIES))] = None,
    serial: Annotated[str | None, Query(description="serial, compared normalised")] = None,
    duplicates: Annotated[bool, Query(description="only items seen before")] = False,
    limit: Annotated[int, Query(ge=1, description="items at most")] = 1000,
) -> dict[str, Any]:
    """Items visible to the caller, oldest first; ``duplicate_of`` links each to the earlier
    items the caller sees with the same category and normalised serial, in any campaign, and
    ``reports`` to the field reports it cites that the caller may see."""
    if category is not None and category not in CATEGORIES:
        raise ValidationFailed(
            "category is not valid", [FieldProblem("category", f"one of {', '.join(CATEGORIES)}")]
        )
    try:
        norm = normalise_serial(serial) if serial else None
    except DomainError as exc:
        raise ValidationFailed(exc.message, [FieldProblem("serial", exc.message)]) from None
    with store.read() as conn:
        items = weapons_store.list_items(
            conn, viewer=viewer, campaign=campaign, category=category, serial=norm,
            duplicates=duplicates, limit=min(limit, settings.page_size_max),
        )  # fmt: skip
    return labelled(request, store, viewer, {"items": items}, embedded="reports")


@router.post("/items", status_code=201, summary="Record items handed in")
def create_items(
    request: Request,
    store: StoreDep,
    viewer: WeaponsWriter,
    body: Annotated[Any, Body()],
) -> dict[str, Any]:
    """One item or a list: ``{campaign, point?, category, calibre?, serial?, quantity?,
    collected_at, received_by, description?, label?, reports?}`` where ``reports`` lists the
    uids of the field reports it was filed from (each one the caller may see); each starts its
    chain of custody as 'collected'. Audited; answers with the items and their duplicate flags."""
    listed = body if isinstance(body, list) else [_object(body, "item")]
    if not listed or not all(isinstance(i, dict) for i in listed):
        raise ValidationFailed("items are objects", [FieldProblem("body", "object or list")])
    uids = weapons_writes.add_items(store, viewer=viewer, items=listed)
    with store.read() as conn:
        items = [i for uid in uids for i in weapons_store.list_items(conn, viewer=viewer, uid=uid)]
    return labelled(request, store, viewer, {"items": items}, embedded="reports")


def _item(request: Request, store: StoreDep, viewer: Any, uid: str) -> dict[str, Any]:
    with store.read() as conn:
        found = weapons_store.list_items(conn, viewer=viewer, uid=uid)
        chain = weapons_store.custody_chain(conn, viewer=viewer, uid=uid)
    if not found or chain is None:
        raise NotFound(f"no item {uid}")
    item = {**found[0], "custody": chain}
    shown = (found[0], *chain, *found[0]["reports"])
    mark(request, store, viewer, [(r["id"], r["label"]) for r in shown])
    return item


@router.get("/items/{uid}", summary="One item with its chain of custody")
def get_item(request: Request, uid: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """An item with the custody events and cited field reports the caller may see; 404 when
    not visible."""
    return _item(request, store, viewer, uid)


@router.get("/items/{uid}/custody", summary="An item's chain of custody")
def get_custody(request: Request, uid: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """The custody events of a visible item that the caller may see, in order."""
    with store.read() as conn:
        chain = weapons_store.custody_chain(conn, viewer=viewer, uid=uid)
    if chain is None:
        raise NotFound(f"no item {uid}")
    return labelled(request, store, viewer, {"item": uid, "items": chain})


@router.post("/items/{uid}/custody", status_code=201, summary="Append a custody event")
def add_custody(
    request: Request,
    uid: str,
    store: StoreDep,
    viewer: WeaponsWriter,
    body: Annotated[Any, Body()],
) -> dict[str, Any]:
    """``{state: stored|destroyed, at, by, point? or place (and lon, lat), note?, label?}``:
    checked against the chain (collected → stored → destroyed; a transition that does not
    follow is refused naming the field); audited. Answers with the item."""
    weapons_writes.add_custody(store, viewer=viewer, uid=uid, data=_object(body, "custody event"))
    return _item(request, store, viewer, uid)


@router.get("/progress", summary="Progress against target per campaign and place")
def progress(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    campaign: Annotated[str | None, Query(description="campaign code")] = None,
    mission: Mission = None,
) -> dict[str, Any]:
    """For each campaign the caller sees: each target with what was collected (from the items
    they see), per category and place, beside the published figures; ``items`` split the
    counts by label."""
    with store.read() as conn:
        body = campaign_progress(conn, viewer=viewer, campaign=campaign, mission=mission)
    return labelled(request, store, viewer, body)
