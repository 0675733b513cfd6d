"""/api/v1/warning: the tension index per sector and UTC day, and the days a sector crossed a
level, built only from what the caller may see."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from peacewatch.analytics import tension
from peacewatch.api.deps import Reader, StoreDep, WindowDep
from peacewatch.api.marking import labelled
from peacewatch.errors import FieldProblem, ValidationFailed

router = APIRouter(prefix="/api/v1/warning", tags=["warning"])

Mission = Annotated[str | None, Query(description="mission code")]
Sector = Annotated[str | None, Query(description="sector zone uid (default: every sector)")]


@router.get("/index", summary="Tension index per sector and day, with each signal's part")
def index(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    mission: Mission = None,
    sector: Sector = None,
) -> dict[str, Any]:
    """Per visible sector and UTC day of the window (default: the span of the visible
    reports): the ``index`` (0-100, null before a baseline exists), its ``level`` (normal,
    watch, warning) and the ``contributions`` of each signal, which add up to the index, with
    the ``recent`` and ``expected`` values behind them; the ``thresholds`` and ``weights``."""
    with store.read() as conn:
        t = tension.compute(
            conn, viewer=viewer, start=window[0], end=window[1], mission=mission, sector=sector
        )
    return labelled(request, store, viewer, tension.body(t, start=window[0], end=window[1]))


@router.get("/alerts", summary="Days a sector's tension rose to a level")
def alerts(
    request: Request,
    store: StoreDep,
    viewer: Reader,
    window: WindowDep,
    mission: Mission = None,
    sector: Sector = None,
    level: Annotated[str, Query(description="watch or warning: the lowest level alerted")] = (
        "watch"
    ),
) -> dict[str, Any]:
    """Every day a visible sector's index rose to ``level`` or above from below it, with the
    signals behind the rise (largest contribution first), newest first."""
    if level not in tension.LEVELS[1:]:
        raise ValidationFailed(
            f"no level {level!r}", [FieldProblem("level", "one of watch, warning")]
        )
    with store.read() as conn:
        t = tension.compute(
            conn, viewer=viewer, start=window[0], end=window[1], mission=mission, sector=sector
        )
    found = sorted(tension.alerts(t, level=level), key=lambda a: a["day"], reverse=True)
    alerted = {a["sector"] for a in found}
    items = [
        i for s, x in enumerate(t.sectors) if x.uid in alerted for i in tension.label_items(t, s)
    ]
    body = {
        "level": level,
        "thresholds": {"watch": tension.WATCH, "warning": tension.WARNING},
        "alerts": found,
        "items": items,
    }
    return labelled(request, store, viewer, body)
