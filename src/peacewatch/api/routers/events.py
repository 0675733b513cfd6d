"""/api/v1/events and /api/v1/sources: events fused from reports, an analyst's merges, splits
and detachments, the source registry and Admiralty grades with their history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request

from peacewatch.api.deps import Allow, BBoxDep, Reader, SettingsDep, StoreDep, WindowDep
from peacewatch.api.marking import labelled
from peacewatch.domain.labels import Viewer
from peacewatch.errors import NotFound
from peacewatch.fusion import decisions, grading
from peacewatch.security.policy import Permission
from peacewatch.store import events as event_store

router = APIRouter(prefix="/api/v1", tags=["events"])

Fuser = Annotated[Viewer, Depends(Allow(Permission.FUSE_EVENTS))]
Grader = Annotated[Viewer, Depends(Allow(Permission.GRADE_SOURCES))]
Payload = Annotated[dict[str, Any], Body()]


@router.get("/events", summary="Events fused from reports, as GeoJSON")
def list_events(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    settings: SettingsDep,
    bbox: BBoxDep,
    window: WindowDep,
    kind: Annotated[list[str] | None, Query(description="event kind (repeatable)")] = None,
    mission: Annotated[str | None, Query(description="mission code")] = None,
    limit: Annotated[int, Query(ge=1, description="features per page")] = 1000,
    cursor: Annotated[str | None, Query(description="opaque cursor from next_cursor")] = None,
) -> dict[str, Any]:
    """Events visible to the caller that overlap the window, oldest first, a page at a time."""
    with store.read() as conn:
        body = event_store.list_events(
            conn, viewer=viewer, bbox=bbox, start=window[0], end=window[1], kind=kind,
            mission=mission, limit=min(limit, settings.page_size_max), cursor=cursor,
        )  # fmt: skip
    return labelled(request, store, viewer, body)


def _event(request: Request, store: StoreDep, viewer: Viewer, event_id: str) -> dict[str, Any]:
    with store.read() as conn:
        feature = event_store.get_event(conn, viewer=viewer, uuid=event_id.lower())
    if feature is None:
        raise NotFound(f"no event {event_id}")
    return labelled(request, store, viewer, feature)


@router.get("/events/{event_id}", summary="One event with its reports")
def get_event(request: Request, event_id: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """An event by its UUID with the reports the caller may see; 404 when not visible."""
    return _event(request, store, viewer, event_id)


@router.post("/events/merge", summary="Merge events")
def merge_events(request: Request, store: StoreDep, viewer: Fuser, body: Payload) -> dict[str, Any]:
    """``{"events": [id, …], "reason": "…"}``: one event (the oldest) remains; audited."""
    kept = decisions.merge(
        store, viewer=viewer, event_uuids=body.get("events"), reason=body.get("reason")
    )
    return _event(request, store, viewer, kept)


@router.post("/events/{event_id}/split", summary="Split an event")
def split_event(
    request: Request, event_id: str, store: StoreDep, viewer: Fuser, body: Payload
) -> dict[str, Any]:
    """``{"reports": [id, …], "reason": "…"}``: those reports make a new event; returns it."""
    made = decisions.split(
        store, viewer=viewer, event_uuid=event_id, report_uuids=body.get("reports"),
        reason=body.get("reason"),
    )  # fmt: skip
    return _event(request, store, viewer, made)


@router.post("/events/{event_id}/detach", summary="Detach a report from an event")
def detach_report(
    request: Request, event_id: str, store: StoreDep, viewer: Fuser, body: Payload
) -> dict[str, Any]:
    """``{"report": id, "reason": "…"}``: the report leaves the event and fusion; returns the
    event, or ``{"id", "deleted": true}`` when it had no other report."""
    report = body.get("report")
    decisions.detach(
        store, viewer=viewer, event_uuid=event_id,
        report_uuid=report if isinstance(report, str) else "", reason=body.get("reason"),
    )  # fmt: skip
    with store.read() as conn:
        exists = event_store.get_event(conn, viewer=viewer, uuid=event_id.lower()) is not None
    return _event(request, store, viewer, event_id) if exists else {"id": event_id, "deleted": True}


@router.get("/sources", summary="Registered sources")
def list_sources(request: Request, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """Sources visible to the caller, with their current reliability."""
    with store.read() as conn:
        items = grading.list_sources(conn, viewer=viewer)
    return labelled(request, store, viewer, {"items": items})


@router.post("/sources", summary="Register a source")
def add_source(request: Request, store: StoreDep, viewer: Grader, body: Payload) -> dict[str, Any]:
    """``{"code", "name", "kind", "reliability": "A"-"F", "label"}``; audited."""
    code = grading.add_source(store, viewer=viewer, data=body)
    return _source(request, store, viewer, code)


def _source(request: Request, store: StoreDep, viewer: Viewer, code: str) -> dict[str, Any]:
    with store.read() as conn:
        found = grading.source_detail(conn, viewer=viewer, code=code)
    if found is None:
        raise NotFound(f"no source {code}")
    return labelled(request, store, viewer, found)


@router.get("/sources/{code}", summary="One source")
def get_source(request: Request, code: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """A source by code with its reliability history and the number of reports the caller may
    see that name it (``source``, case-insensitively); 404 when not visible."""
    return _source(request, store, viewer, code)


@router.patch("/sources/{code}", summary="Change a source's reliability")
def grade_source(
    request: Request, code: str, store: StoreDep, viewer: Grader, body: Payload
) -> dict[str, Any]:
    """``{"reliability": "A"-"F", "reason": "…", "from": time}`` (``from`` defaults to now):
    its reports observed since then are regraded, but those an analyst graded; audited."""
    grading.change_reliability(store, viewer=viewer, code=code, data=body)
    return _source(request, store, viewer, code)


def _history(request: Request, store: StoreDep, viewer: Viewer, **subject: str) -> dict[str, Any]:
    with store.read() as conn:
        items = grading.history(conn, viewer=viewer, **subject)
    if items is None:
        raise NotFound(f"no {' '.join(f'{k} {v}' for k, v in subject.items())}")
    return labelled(request, store, viewer, {"items": items})


@router.get("/sources/{code}/history", summary="A source's reliability over time")
def source_history(request: Request, code: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """Every change of the source's reliability: who, when, why."""
    return _history(request, store, viewer, source=code)


@router.patch("/reports/{report_id}/grade", summary="Change a report's Admiralty grade")
def grade_report(
    request: Request, report_id: str, store: StoreDep, viewer: Grader, body: Payload
) -> dict[str, Any]:
    """``{"grade": "B2", "reason": "…"}``; its events' credibility follows; audited."""
    grading.change_report_grade(store, viewer=viewer, uuid=report_id.lower(), data=body)
    return _history(request, store, viewer, report=report_id.lower())


@router.get("/reports/{report_id}/grades", summary="A report's grades over time")
def report_grades(
    request: Request, report_id: str, store: StoreDep, viewer: Reader
) -> dict[str, Any]:
    """Every change of the report's grade: who, when, why."""
    return _history(request, store, viewer, report=report_id.lower())
