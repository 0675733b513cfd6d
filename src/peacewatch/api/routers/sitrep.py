"""/api/v1/sitrep: the situation report of a window as the caller may see it — JSON, HTML or
PDF, the same numbers in each."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from peacewatch.api.deps import Reader, StoreDep, WindowDep
from peacewatch.api.marking import collection_label, mark
from peacewatch.domain.labels import Label
from peacewatch.reports import render, sitrep

router = APIRouter(prefix="/api/v1", tags=["sitrep"])


def filename(body: dict[str, Any], fmt: str) -> str:
    """sitrep-KFOR-200000ZJUN99-210000ZJUN99.pdf"""
    mission = body["mission"] or "all"
    return f"sitrep-{mission}-{render.dtg(body['start'])}-{render.dtg(body['end'])}.{fmt}"


@router.get(
    "/sitrep",
    summary="The SITREP of a window (JSON, HTML or PDF)",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
def get_sitrep(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    mission: Annotated[str | None, Query(description="mission code")] = None,
    fmt: Annotated[str, Query(alias="format", description="json, html or pdf")] = "json",
    top: Annotated[int, Query(ge=1, le=100, description="significant events listed")] = 10,
) -> Response:
    """Counts by kind, party and sector against the previous period of the same length,
    significant events, violations, deadlines, patrols, convoys and weapons collected, from
    what the caller may see; the window defaults to the 24 hours up to now. The document's
    banner is the highest classification of what it holds."""
    fmt = render.check_format(fmt)
    start, end = sitrep.window(*window)
    with store.read() as conn:
        body = sitrep.build(conn, viewer=viewer, start=start, end=end, mission=mission, top=top)
    overall = mark(request, store, viewer, list(sitrep.labels_of(body)))
    if overall is None:  # nothing in it: the document's own (unclassified) label
        overall = Label.parse(body["marking"])
        request.state.label = overall
    if fmt == "json":
        body.pop("map")
        return JSONResponse({**body, **collection_label(overall)})
    content: str | bytes = render.html(body) if fmt == "html" else render.pdf(body)
    disposition = "attachment" if fmt == "pdf" else "inline"
    return Response(
        content,
        media_type=render.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="{filename(body, fmt)}"'},
    )
