"""/api/v1/audit: read, export and verify the audit trail (administrators; no writes)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import Response

from peacewatch.api.deps import AuditReader, StoreDep
from peacewatch.store import audit

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", summary="Audit entries")
def list_entries(
    store: StoreDep,
    _: AuditReader,
    after: Annotated[int, Query(ge=0, description="entries after this id")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
    actor: Annotated[str | None, Query(description="only this user")] = None,
    action: Annotated[str | None, Query(description="action prefix, e.g. auth.")] = None,
) -> dict[str, Any]:
    """Entries oldest first, each with its hash and the hash of the entry before it."""
    with store.read() as conn:
        items = list(audit.entries(conn, after=after, limit=limit, actor=actor, action=action))
    return {"items": items, "next_after": items[-1]["id"] if len(items) == limit else None}


@router.get(
    "/export",
    summary="Export the audit trail as JSON Lines",
    response_class=Response,
    responses={200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}}},
)
def export(store: StoreDep, viewer: AuditReader) -> Response:
    """Every entry, one JSON object per line, so the chain can be checked elsewhere."""
    lines: list[bytes] = []
    with store.read() as conn:
        after = 0
        while True:
            batch = list(audit.entries(conn, after=after, limit=5000))
            lines += [orjson.dumps(e) for e in batch]
            if len(batch) < 5000:
                break
            after = batch[-1]["id"]
    with store.write() as conn:
        audit.append(conn, actor=viewer.name, action="audit.export", detail={"entries": len(lines)})
    return Response(
        b"\n".join(lines) + b"\n",
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="peacewatch-audit.jsonl"'},
    )


@router.get("/verify", summary="Verify the audit chain")
def verify(store: StoreDep, _: AuditReader) -> dict[str, Any]:
    """Recompute every entry's hash; names the first entries that were changed or removed."""
    with store.read() as conn:
        result = audit.verify(conn)
    return {
        "ok": result.ok,
        "entries": result.entries,
        "head": result.head,
        "problems": result.problems,
    }
