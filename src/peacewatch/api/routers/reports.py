"""/api/v1/reports: list (bbox, time window, kind, party, cursor), read one, ingest, correct
one, and its versions."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from peacewatch.api.deps import (
    BusDep,
    Reader,
    ReportFiltersDep,
    ReportWriter,
    SettingsDep,
    StoreDep,
)
from peacewatch.api.marking import collection_label, labelled, mark
from peacewatch.errors import FieldProblem, NotFound, TooLarge, ValidationFailed
from peacewatch.ingest.csv_reports import csv_items
from peacewatch.ingest.geojson import geojson_items
from peacewatch.ingest.pipeline import Item, Pipeline, Rejection, Summary
from peacewatch.store import report_citations, report_versions
from peacewatch.store import reports as report_store

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

MAX_BODY = 64 * 1024 * 1024


@router.get(
    "",
    summary="List reports as GeoJSON",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}},
)
def list_reports(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    settings: SettingsDep,
    filters: ReportFiltersDep,
    limit: Annotated[int, Query(ge=1, description="features per page")] = 1000,
    cursor: Annotated[str | None, Query(description="opaque cursor from next_cursor")] = None,
) -> Response:
    """Reports visible to the caller, oldest first, one page at a time: a GeoJSON
    FeatureCollection with ``numberReturned``, ``next_cursor`` and the page's ``label``.
    Every filter runs in the store's query, before paging."""
    with store.read() as conn:
        page = report_store.list_reports(
            conn,
            viewer=viewer,
            limit=min(limit, settings.page_size_max),
            cursor=cursor,
            **filters.query(),
        )
    overall = mark(request, store, viewer, list(zip(page.ids, page.labels, strict=True)))
    members = collection_label(overall) if overall is not None else {}
    return Response(page.collection_bytes(**members), media_type="application/geo+json")


@router.get("/{report_id}", summary="One report as a GeoJSON Feature")
def get_report(request: Request, report_id: str, store: StoreDep, viewer: Reader) -> dict[str, Any]:
    """A report by its UUID; 404 when absent or not releasable to the caller."""
    with store.read() as conn:
        feature = report_store.get_report(conn, viewer=viewer, uuid=report_id.lower())
    if feature is None:
        raise NotFound(f"no report {report_id}")
    return labelled(request, store, viewer, feature)


def _items(body: bytes, content_type: str) -> list[Item]:
    if "csv" in content_type:
        return list(csv_items(body))
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            "the body is not valid JSON", [FieldProblem("body", f"not valid JSON: {exc}")]
        ) from None
    except RecursionError:
        raise ValidationFailed(
            "the body's JSON is nested too deeply",
            [FieldProblem("body", "JSON nested too deeply to read")],
        ) from None
    if isinstance(doc, dict) and doc.get("type") in ("Feature", "FeatureCollection"):
        return list(geojson_items(doc))
    records = doc if isinstance(doc, list) else [doc]
    return [(f"record {i}", r) for i, r in enumerate(records)]


@router.post(
    "",
    summary="Ingest reports",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/geo+json": {"schema": {"type": "object"}},
                "application/json": {"schema": {}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def ingest_reports(
    request: Request,
    store: StoreDep,
    viewer: ReportWriter,
    settings: SettingsDep,
    bus: BusDep,
    mission: Annotated[str | None, Query(description="mission code")] = None,
) -> JSONResponse:
    """Validate, label, de-duplicate and store reports (a Feature, a FeatureCollection, records
    or CSV). Re-sending a report with the same id is counted as a duplicate, not an error."""
    too_large = TooLarge("the body is too large", [FieldProblem("body", "at most 64 MiB")])
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise too_large  # refused before reading it
    body = await request.body()
    if len(body) > MAX_BODY:
        raise too_large
    items = _items(body, request.headers.get("content-type", ""))

    def run() -> Any:
        pipeline = Pipeline(
            store,
            viewer=viewer,
            mission=mission or settings.mission,
            bus=bus,
            batch_size=settings.ingest_batch_size,
            keep_ids=True,
        )
        return pipeline.run(items)

    summary = await run_in_threadpool(run)
    if not (summary.accepted or summary.duplicates or summary.corrected) and summary.rejected:
        raise _rejected(summary)
    return JSONResponse(summary.to_dict(), status_code=200)


@router.get("/{report_id}/versions", summary="A report's versions (corrections kept)")
def report_history(
    request: Request, report_id: str, store: StoreDep, viewer: Reader
) -> dict[str, Any]:
    """Every version of the report, oldest first: content, label, who, when, why. A version
    whose label the caller may not see is left out."""
    with store.read() as conn:
        history = report_versions.list_versions(conn, viewer=viewer, uuid=report_id.lower())
    if history is None:
        raise NotFound(f"no report {report_id}")
    return labelled(request, store, viewer, history)


@router.get("/{report_id}/cited-by", summary="Seizures and items handed in that cite a report")
def report_cited_by(
    request: Request, report_id: str, store: StoreDep, viewer: Reader
) -> dict[str, Any]:
    """The seizures and items handed in, visible to the caller, filed citing this report,
    oldest first (``kind``: seizure or weapons_item); 404 when the report is not visible."""
    with store.read() as conn:
        found = report_citations.citing(conn, viewer=viewer, uuid=report_id.lower())
    if found is None:
        raise NotFound(f"no report {report_id}")
    return labelled(request, store, viewer, {"report": report_id.lower(), "items": found})


def _rejected(summary: Summary) -> ValidationFailed:
    problems = [
        FieldProblem(p.field, p.message, record=r.record)
        for r in summary.rejected
        for p in r.problems
    ]
    detail = f"{problems[0].record}: {problems[0].field}: {problems[0].message}"
    if len(problems) > 1:
        detail += f" (and {len(problems) - 1} more)"
    return ValidationFailed(detail, problems)


@router.put(
    "/{report_id}",
    summary="Correct a report (a new version; the history is kept)",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": {}}}}
    },
)
async def correct_report(
    request: Request,
    report_id: str,
    store: StoreDep,
    viewer: ReportWriter,
    settings: SettingsDep,
    bus: BusDep,
) -> dict[str, Any]:
    """The corrected record (or a GeoJSON Feature) with its own ``id``: the correction's client
    UUID, so that re-sending it is a duplicate. Validated as any report; 404 when the report is
    absent or not visible to the caller; returns the report as corrected."""
    body = await request.body()
    if len(body) > MAX_BODY:
        raise TooLarge("the body is too large", [FieldProblem("body", "at most 64 MiB")])
    items = _items(body, "application/json")
    if len(items) != 1:
        raise ValidationFailed(
            "send one corrected record", [FieldProblem("body", "one record or Feature")]
        )
    item = items[0]
    if isinstance(item, Rejection):
        raise _rejected(Summary(rejected=[item]))
    ref, record = item
    uuid = report_id.lower()
    if isinstance(record, dict):
        if record.get("corrects") not in (None, "", uuid, report_id):
            raise ValidationFailed(
                "corrects names another report",
                [FieldProblem("corrects", "must be the report of the path, or left out")],
            )
        record = {**record, "corrects": uuid}

    def run() -> Summary:
        with store.read() as conn:
            mission = report_versions.report_mission(conn, viewer=viewer, uuid=uuid)
        if mission is None:
            raise NotFound(f"no report {report_id}")
        pipeline = Pipeline(store, viewer=viewer, mission=mission, bus=bus, keep_ids=True)
        return pipeline.run([(ref, record)])

    summary = await run_in_threadpool(run)
    if summary.rejected:
        if any(p.field == "corrects" for r in summary.rejected for p in r.problems):
            raise NotFound(f"no report {report_id}")  # e.g. it became invisible meanwhile
        raise _rejected(summary)
    with store.read() as conn:
        feature = report_store.get_report(conn, viewer=viewer, uuid=uuid)
    if feature is None:  # corrected to a label the caller may write but not see
        raise NotFound(f"no report {report_id}")
    return labelled(request, store, viewer, feature)
