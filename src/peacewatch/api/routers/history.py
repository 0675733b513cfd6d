"""/api/v1/history: the record of NATO's Balkan operations (public reference data)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from peacewatch.api.deps import Reader
from peacewatch.errors import FieldProblem, NotFound, ValidationFailed
from peacewatch.scenarios.balkans import record

router = APIRouter(prefix="/api/v1", tags=["history"])

KindParam = Literal["operation", "office", "milestone", "correction"]


@router.get("/history", summary="The record of NATO's Balkan operations")
def list_history(
    _: Reader,
    kind: Annotated[
        list[KindParam] | None,
        Query(description="operation, office, milestone or correction (repeatable)"),
    ] = None,
    from_year: Annotated[
        int | None,
        Query(alias="from", ge=1900, le=2100, description="items running in or after this year"),
    ] = None,
    to_year: Annotated[
        int | None,
        Query(alias="to", ge=1900, le=2100, description="items running in or before this year"),
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="words that must each appear in the item (any case)"),
    ] = None,
) -> dict[str, Any]:
    """Operations, offices, milestones and corrections, oldest first, each with its sources;
    public reference data, the same for every reader (no record in it carries a label)."""
    if from_year is not None and to_year is not None and to_year < from_year:
        raise ValidationFailed(
            "to must not be before from", [FieldProblem("to", "must be at least from")]
        )
    found = record.find(kinds=kind or (), from_year=from_year, to_year=to_year, q=q)
    return {
        "items": [record.as_dict(i) for i in found],
        "count": len(found),
        "handovers": [
            {"predecessor": h.predecessor, "successor": h.successor, "timing": h.timing}
            for h in record.HANDOVERS
        ],
    }


@router.get("/history/{id}", summary="One item of the record, with its sources")
def get_history(id: str, _: Reader) -> dict[str, Any]:
    """One operation, office, milestone or correction."""
    item = record.get(id)
    if item is None:
        raise NotFound(f"no item {id!r} in the record", [FieldProblem("id", "unknown id")])
    return record.as_dict(item)
