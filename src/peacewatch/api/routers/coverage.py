"""/api/v1/coverage: patrol coverage of each town, zone and sector, the ranked coverage gaps,
and draft patrol plans made from the top gaps."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request

from peacewatch.api.deps import Allow, Reader, StoreDep, WindowDep, parse_time
from peacewatch.api.marking import collection_label, mark
from peacewatch.domain.labels import Viewer
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.ingest import patrol_plans as plan_writer
from peacewatch.ops import coverage as engine
from peacewatch.ops.gap_plans import draft_plans
from peacewatch.security.policy import Permission
from peacewatch.store import Store
from peacewatch.store import patrol_plans as plan_store

router = APIRouter(prefix="/api/v1/coverage", tags=["coverage"])

Planner = Annotated[Viewer, Depends(Allow(Permission.PLAN_PATROLS))]


def coverage_params(
    window: WindowDep,
    mission: Annotated[str | None, Query(description="mission code")] = None,
    radius_m: Annotated[
        float, Query(description="a town is patrolled within this distance (metres)")
    ] = engine.RADIUS_M,
    of: Annotated[str, Query(description="incidents counted: reports or events")] = "reports",
    kind: Annotated[
        list[str] | None, Query(description="town, sector or zone (repeatable)")
    ] = None,
) -> engine.Params:
    """The coverage query parameters (window default: the 30 days to the latest report)."""
    return engine.Params(
        mission=mission, start=window[0], end=window[1], radius_m=radius_m, of=of,
        kinds=tuple(kind or engine.KINDS),
    )  # fmt: skip


ParamsDep = Annotated[engine.Params, Depends(coverage_params)]


def _marked(request: Request, store: Store, viewer: Viewer, body: dict[str, Any]) -> dict[str, Any]:
    """The collection labelled with the most restrictive label of everything it counts."""
    records = [
        (str(f["id"]), marking) for f in body["features"] for marking in engine.gap_labels(f)
    ]
    overall = mark(request, store, viewer, records)
    if overall is not None:
        body.update(collection_label(overall))
    return body


@router.get("", summary="Patrol coverage of towns, zones and sectors")
def coverage(
    request: Request, store: StoreDep, viewer: Reader, params: ParamsDep
) -> dict[str, Any]:
    """Each town, zone and sector: incidents, patrols in the window, when last patrolled and
    the gap score with its terms; counts split by label in ``counts``."""
    with store.read() as conn:
        body = engine.coverage(conn, viewer=viewer, params=params)
    return _marked(request, store, viewer, body)


@router.get("/gaps", summary="Coverage gaps, ranked")
def gaps(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    params: ParamsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> dict[str, Any]:
    """Places where something happened, highest gap score first (many incidents, few
    patrols, a stale last patrol), each with its ``rank`` and score terms."""
    with store.read() as conn:
        body = engine.gaps(conn, viewer=viewer, params=params, limit=limit)
    return _marked(request, store, viewer, body)


@router.post("/gaps/plans", status_code=201, summary="Draft patrol plans for the top gaps")
def plan_gaps(
    request: Request,
    store: StoreDep,
    viewer: Planner,
    params: ParamsDep,
    data: Annotated[dict[str, Any] | None, Body()] = None,
) -> dict[str, Any]:
    """Draft plans (status draft) for the ``top`` gaps (default 3) or the gaps named in
    ``gaps``: an area patrol of ``hours`` (default 4) from ``start`` (default 08:00 UTC the
    day after the window), labelled with the most restrictive label of what each gap counts
    (or ``label``, at least as high; the planner's nation only when what a gap counts shares
    no releasability); the coverage parameters come from the query, as for GET."""
    data = data or {}
    problems = []
    top = data.get("top", 3)
    if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= 20:
        problems.append(FieldProblem("top", "a whole number from 1 to 20"))
    hours = data.get("hours", 4)
    if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= 24:
        problems.append(FieldProblem("hours", "more than 0 and at most 24"))
    ids = data.get("gaps") or []
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        problems.append(FieldProblem("gaps", "a list of gap ids"))
    label = data.get("label")
    if label is not None and not isinstance(label, str):
        problems.append(FieldProblem("label", "a marking, e.g. NATO RESTRICTED REL TO KFOR"))
    if problems:
        raise ValidationFailed("the request is not valid", problems)
    start = parse_time(data.get("start"), "start")
    with store.read() as conn:
        ranked = engine.gaps(conn, viewer=viewer, params=params, limit=500)
        if ranked["mission"] is None:
            raise ValidationFailed("a mission is needed", [FieldProblem("mission", "required")])
        drafts = draft_plans(
            conn, viewer=viewer, ranked=ranked, top=top, ids=tuple(ids), start=start,
            hours=float(hours), label=label,
        )  # fmt: skip
    uids = plan_writer.add_plans(store, viewer=viewer, items=drafts) if drafts else []
    with store.read() as conn:
        made = [f for u in uids for f in plan_store.list_plans(conn, viewer=viewer, uid=u)]
    return {"ids": uids, "type": "FeatureCollection", "features": made}
