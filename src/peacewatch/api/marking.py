"""Labels on what leaves the server: the banner of the highest classification on every
response, the label of a collection, and the audit of reads at NATO CONFIDENTIAL or above."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peacewatch.domain import stanag4774
from peacewatch.domain.errors import DomainError
from peacewatch.domain.labels import Classification, Label, Viewer, most_restrictive
from peacewatch.store import Store, audit

BANNER_HEADER = "X-PeaceWatch-Classification"
LABEL_HEADER = "X-PeaceWatch-Label"
_AUDITED_FROM = Classification.NATO_CONFIDENTIAL


@lru_cache(maxsize=4096)
def _parse(marking: str) -> Label | None:
    try:
        return Label.parse(marking)
    except DomainError:
        return None


def _records(body: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(body.get("features"), list):
        return [f.get("properties") or {} for f in body["features"]]
    if isinstance(body.get("items"), list):
        return [i for i in body["items"] if isinstance(i, dict)]
    if body.get("type") == "Feature":
        return [body.get("properties") or {}]
    return [body]


def labelled(
    request: Request,
    store: Store,
    viewer: Viewer,
    body: dict[str, Any],
    *,
    embedded: str | None = None,
) -> dict[str, Any]:
    """``body`` with its label: the most restrictive of the records it holds (a collection gets
    a ``label`` member), the banner header set, and the read audited when any record is
    NATO CONFIDENTIAL or above. ``embedded`` names a member of each record listing other
    records shown with it (the reports a seizure cites): their labels count as well."""
    pairs: list[tuple[str, str]] = []
    for r in _records(body):
        if isinstance(r.get("label"), str):
            pairs.append((str(r.get("id") or r.get("uid") or r.get("code") or "?"), r["label"]))
        if embedded is not None:
            pairs += [(str(e["id"]), str(e["label"])) for e in r.get(embedded) or ()]
    overall = mark(request, store, viewer, pairs)
    if overall is not None and ("features" in body or "items" in body):
        body.update(collection_label(overall))
    return body


def collection_label(label: Label) -> dict[str, Any]:
    """Members a collection carries: its marking and its STANAG 4774 label (JSON form)."""
    return {"label": label.marking, "confidentiality": stanag4774.to_json(label)}


def mark(
    request: Request, store: Store, viewer: Viewer, records: list[tuple[str, str]]
) -> Label | None:
    """The most restrictive label of ``records`` ((id, marking) pairs) — set as the response's
    banner — after auditing the read when any of them is NATO CONFIDENTIAL or above."""
    parsed = [(rid, _parse(marking)) for rid, marking in records]
    labels = [lb for _, lb in parsed if lb is not None]
    if not labels:
        return None
    overall = most_restrictive(labels)
    request.state.label = overall
    sensitive = [rid for rid, lb in parsed if lb is not None and lb.classification >= _AUDITED_FROM]
    if sensitive:
        with store.write() as conn:
            audit.append(
                conn,
                actor=viewer.name,
                action="read",
                target=request.url.path,
                detail={
                    "highest": overall.classification.marking,
                    "count": len(sensitive),
                    "records": sensitive[:1000],
                },
            )
    return overall


class BannerMiddleware:
    """Adds the classification banner and label headers that ``labelled`` decided."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_banner(message: Message) -> None:
            if message["type"] == "http.response.start":
                label = scope.get("state", {}).get("label")
                if isinstance(label, Label):
                    headers = list(message.get("headers", []))
                    headers.append(
                        (BANNER_HEADER.lower().encode(), label.classification.marking.encode())
                    )
                    headers.append((LABEL_HEADER.lower().encode(), label.marking.encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_banner)
