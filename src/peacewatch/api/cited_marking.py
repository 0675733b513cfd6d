"""The label of a response whose records show the field reports they cite: the titles of the
cited reports leave the server with the records, so their labels count towards the banner and
the collection's label as the records' own do."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from peacewatch.api.marking import collection_label, mark
from peacewatch.domain.labels import Viewer
from peacewatch.store import Store


def _records(body: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(body.get("features"), list):
        return [f.get("properties") or {} for f in body["features"]]
    if isinstance(body.get("items"), list):
        return [i for i in body["items"] if isinstance(i, dict)]
    if body.get("type") == "Feature":
        return [body.get("properties") or {}]
    return [body]


def labelled_citing(
    request: Request, store: Store, viewer: Viewer, body: dict[str, Any]
) -> dict[str, Any]:
    """``marking.labelled`` for records carrying ``reports``: the most restrictive label of
    the records and of the reports they cite (the read audited as any other)."""
    pairs: list[tuple[str, str]] = []
    for record in _records(body):
        if isinstance(record.get("label"), str):
            pairs.append((str(record.get("id") or "?"), record["label"]))
        pairs += [(str(r["id"]), str(r["label"])) for r in record.get("reports") or ()]
    overall = mark(request, store, viewer, pairs)
    if overall is not None and ("features" in body or "items" in body):
        body.update(collection_label(overall))
    return body
