"""/api/v1/partners, /api/v1/exercises and /api/v1/multinational-units: partner nations'
status over time, goals and reforms with progress and evidence, exercises with outcomes,
multinational units with their contributing nations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from peacewatch.api.deps import PartnersWriter, Reader, StoreDep, parse_time
from peacewatch.api.marking import labelled
from peacewatch.errors import FieldProblem, NotFound, ValidationFailed
from peacewatch.ops import exercise_records as exercises
from peacewatch.ops import partner_records as records
from peacewatch.ops import partner_views as views

router = APIRouter(prefix="/api/v1", tags=["partners"])

At = Annotated[
    str | None, Query(description="the instant statuses and progress are taken at (default now)")
]
JsonBody = Annotated[dict[str, Any], Body()]


def _body(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed("a JSON object is expected", [FieldProblem("body", "not an object")])
    return value


@router.get("/partners", summary="Partner nations: status over time, goals, exercises")
def list_partners(
    request: Request, store: StoreDep, viewer: Reader, at: At = None
) -> dict[str, Any]:
    """Every nation with a status change or goal the caller may see: its accession timeline
    (PfP → MAP → invited → member, each dated with its source), status at ``at``, goals with
    progress and behind-schedule flags, the exercises and multinational units it took part in."""
    with store.read() as conn:
        items = views.partner_views(conn, viewer=viewer, at=parse_time(at, "at"))
    return labelled(request, store, viewer, {"items": items})


@router.get("/partners/{nation}", summary="One partner nation")
def get_partner(
    request: Request, nation: str, store: StoreDep, viewer: Reader, at: At = None
) -> dict[str, Any]:
    """One nation's timeline, status, goals, exercises and units; 404 when the caller may see
    no record of it."""
    with store.read() as conn:
        items = views.partner_views(conn, viewer=viewer, at=parse_time(at, "at"), nation=nation)
    if not items:
        raise NotFound(f"no partner record of {nation}")
    return labelled(request, store, viewer, items[0])


@router.post("/partners/{nation}/status", status_code=201, summary="Record a status change")
def add_status(
    request: Request, nation: str, store: StoreDep, viewer: PartnersWriter, body: JsonBody
) -> dict[str, Any]:
    """``{status: pfp|map|invited|member, since, source, note?, label?, synthetic?}``; audited."""
    records.add_status(store, viewer=viewer, nation=nation, data=_body(body))
    return get_partner(request, nation, store, viewer)


@router.post("/partners/{nation}/goals", status_code=201, summary="Create a goal or reform")
def add_goal(
    request: Request, nation: str, store: StoreDep, viewer: PartnersWriter, body: JsonBody
) -> dict[str, Any]:
    """``{title, area?, description?, due?, progress? (0-100, without milestones), source?,
    synthetic?, label?, uid?, milestones: [{title, planned, achieved?, label?}]}``; audited."""
    uid = records.add_goal(store, viewer=viewer, nation=nation, data=_body(body))
    return get_goal(request, nation, uid, store, viewer)


@router.get("/partners/{nation}/goals/{uid}", summary="One goal with its progress")
def get_goal(
    request: Request, nation: str, uid: str, store: StoreDep, viewer: Reader, at: At = None
) -> dict[str, Any]:
    """A goal with its milestones (planned, achieved, overdue), evidence and progress at
    ``at``; 404 when absent or not releasable to the caller."""
    with store.read() as conn:
        goal = views.goal_views(
            conn, viewer=viewer, nation=nation, uid=uid, at=parse_time(at, "at")
        )
    if goal is None:
        raise NotFound(f"no goal {uid} of {nation}")
    return labelled(request, store, viewer, goal)


@router.patch(
    "/partners/{nation}/goals/{uid}/milestones/{number}", summary="Record a milestone achieved"
)
def record_milestone(
    request: Request,
    nation: str,
    uid: str,
    number: int,
    store: StoreDep,
    viewer: PartnersWriter,
    body: JsonBody,
) -> dict[str, Any]:
    """``{achieved: time|null}``; audited."""
    records.record_milestone(
        store, viewer=viewer, nation=nation, uid=uid, number=number, data=_body(body)
    )
    return get_goal(request, nation, uid, store, viewer)


@router.post("/partners/{nation}/goals/{uid}/evidence", status_code=201, summary="Attach evidence")
def add_evidence(
    request: Request, nation: str, uid: str, store: StoreDep, viewer: PartnersWriter, body: JsonBody
) -> dict[str, Any]:
    """``{title, dated, url? | document?, label?}``: who recorded it and when are kept."""
    records.add_evidence(store, viewer=viewer, nation=nation, uid=uid, data=_body(body))
    return get_goal(request, nation, uid, store, viewer)


@router.get("/exercises", summary="Exercises with their outcomes")
def list_exercises(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    nation: Annotated[str | None, Query(description="only those this nation took part in")] = None,
) -> dict[str, Any]:
    """Exercises the caller may see, oldest first, with each objective's outcome and the
    interoperability score."""
    with store.read() as conn:
        items = views.exercise_views(conn, viewer=viewer, nation=nation)
    return labelled(request, store, viewer, {"items": items})


@router.post("/exercises", status_code=201, summary="Create an exercise")
def add_exercise(
    request: Request, store: StoreDep, viewer: PartnersWriter, body: JsonBody
) -> dict[str, Any]:
    """``{name, place, lon?, lat?, start, end, participants: [nation], objectives: [{title,
    outcome?: met|partly|not_met, notes?, label?}], source?, synthetic?, label?, uid?}``."""
    uid = exercises.add_exercise(store, viewer=viewer, data=_body(body))
    return get_exercise(request, uid, store, viewer)


@router.get("/exercises/{uid}", summary="One exercise")
def get_exercise(request: Request, uid: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """An exercise by uid; 404 when absent or not releasable to the caller."""
    with store.read() as conn:
        items = views.exercise_views(conn, viewer=viewer, uid=uid)
    if not items:
        raise NotFound(f"no exercise {uid}")
    return labelled(request, store, viewer, items[0])


@router.patch("/exercises/{uid}/objectives/{number}", summary="Assess an objective")
def assess_objective(
    request: Request, uid: str, number: int, store: StoreDep, viewer: PartnersWriter, body: JsonBody
) -> dict[str, Any]:
    """``{outcome: met|partly|not_met, notes?}``; who assessed it and when are kept; audited."""
    exercises.assess_objective(store, viewer=viewer, uid=uid, number=number, data=_body(body))
    return get_exercise(request, uid, store, viewer)


@router.get("/multinational-units", summary="Multinational units and their contributors")
def list_units(request: Request, store: StoreDep, viewer: Reader, at: At = None) -> dict[str, Any]:
    """Multinational units the caller may see with their contributing nations over time and
    those contributing at ``at``."""
    with store.read() as conn:
        items = views.unit_views(conn, viewer=viewer, at=parse_time(at, "at"))
    return labelled(request, store, viewer, {"items": items})


@router.post("/multinational-units", status_code=201, summary="Create a multinational unit")
def add_unit(
    request: Request, store: StoreDep, viewer: PartnersWriter, body: JsonBody
) -> dict[str, Any]:
    """``{name, kind, hq?, formed?, source?, synthetic?, label?, uid?, contributions: [{nation,
    role?, from, to?, source?, label?}]}``; audited."""
    uid = exercises.add_multinational_unit(store, viewer=viewer, data=_body(body))
    return get_unit(request, uid, store, viewer)


@router.get("/multinational-units/{uid}", summary="One multinational unit")
def get_unit(
    request: Request, uid: str, store: StoreDep, viewer: Reader, at: At = None
) -> dict[str, Any]:
    """A multinational unit by uid; 404 when absent or not releasable to the caller."""
    with store.read() as conn:
        items = views.unit_views(conn, viewer=viewer, uid=uid, at=parse_time(at, "at"))
    if not items:
        raise NotFound(f"no multinational unit {uid}")
    return labelled(request, store, viewer, items[0])


@router.post(
    "/multinational-units/{uid}/contributions", status_code=201, summary="Add a contribution"
)
def add_contribution(
    request: Request, uid: str, store: StoreDep, viewer: PartnersWriter, body: JsonBody
) -> dict[str, Any]:
    """``{nation, role?, from, to?, source?, label?}``; audited."""
    exercises.add_contribution(store, viewer=viewer, uid=uid, data=_body(body))
    return get_unit(request, uid, store, viewer)
