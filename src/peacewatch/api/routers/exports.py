"""/api/v1/exports: reports as GeoJSON, ACLED-like CSV, KML, GPX or HXL, streamed, labelled
and audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from peacewatch.api.deps import Reader, ReportFiltersDep, StoreDep
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.exports.formats import FORMATS, file_name, stream
from peacewatch.exports.plan import plan_export

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])


@router.get(
    "/reports",
    summary="Export reports as a file",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                f.media_type: {"schema": {"type": "object" if "json" in f.media_type else "string"}}
                for f in FORMATS.values()
            },
            "description": "the file, streamed; its label in X-PeaceWatch-Label",
        }
    },
)
async def export_reports(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    filters: ReportFiltersDep,
    format: Annotated[
        str, Query(description="geojson, csv (ACLED-like columns), kml, gpx or hxl")
    ] = "geojson",
) -> StreamingResponse:
    """Every report the caller may see that matches the filters (those of
    ``GET /api/v1/reports``, without paging), as one file. The file carries the most
    restrictive label of what it holds (GeoJSON ``label`` and ``confidentiality`` members, the
    KML Document's and GPX metadata's description), and so do the ``X-PeaceWatch-Label`` and
    ``X-PeaceWatch-Classification`` headers; the export is audited."""
    fmt = format.lower()
    if fmt not in FORMATS:
        raise ValidationFailed(
            f"unknown export format {format!r}",
            [FieldProblem("format", f"must be one of {', '.join(FORMATS)}")],
        )
    plan = await run_in_threadpool(plan_export, store, viewer=viewer, filters=filters)
    request.state.label = plan.label  # the banner middleware sets the label headers from it
    name = file_name(plan, fmt)
    return StreamingResponse(
        stream(plan, fmt),
        media_type=FORMATS[fmt].media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
