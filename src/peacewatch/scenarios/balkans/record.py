"""The record of NATO's Balkan operations: look items up, filter them, and give the dates the
Kosovo 1999 scenario takes from it (one source of truth for every historical date)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from peacewatch.scenarios.balkans.data import CORRECTIONS, HANDOVERS, MILESTONES, SPANS
from peacewatch.scenarios.balkans.model import (
    KINDS,
    Correction,
    Handover,
    Item,
    Milestone,
    Span,
    midnight,
    to_dict,
)

__all__ = [
    "CORRECTIONS",
    "HANDOVERS",
    "KINDS",
    "MILESTONES",
    "SPANS",
    "day",
    "end",
    "find",
    "get",
    "items",
    "span",
    "start",
    "to_dict",
]


def items() -> list[Item]:
    """Every item, in the order of its date (a span by its start), then of its kind
    (operation, office, milestone, correction), then of its id."""
    everything: list[Item] = [*SPANS, *MILESTONES, *CORRECTIONS]
    return sorted(everything, key=lambda i: (_first_day(i), KINDS.index(i.kind), i.id))


def _first_day(item: Item) -> dt.date:
    return item.start if isinstance(item, Span) else item.date


def _last_day(item: Item, today: dt.date) -> dt.date:
    if isinstance(item, Span):
        return item.end or today
    return item.date


def get(item_id: str) -> Item | None:
    """One item by id, or None."""
    return next((i for i in items() if i.id == item_id), None)


def span(span_id: str) -> Span:
    """One operation or office by id; a missing id is a programming error."""
    for item in SPANS:
        if item.id == span_id:
            return item
    raise KeyError(span_id)


def milestone(milestone_id: str) -> Milestone:
    """One milestone by id; a missing id is a programming error."""
    for item in MILESTONES:
        if item.id == milestone_id:
            return item
    raise KeyError(milestone_id)


def start(span_id: str) -> dt.datetime:
    """The day a span began, as midnight UTC (how the scenario states a day)."""
    return midnight(span(span_id).start)


def end(span_id: str) -> dt.datetime:
    """The day a span ended, as midnight UTC; a span still running has no end."""
    last = span(span_id).end
    if last is None:
        raise ValueError(f"{span_id} has not ended")
    return midnight(last)


def day(milestone_id: str) -> dt.datetime:
    """The day of a milestone, as midnight UTC."""
    return midnight(milestone(milestone_id).date)


def find(
    *,
    kinds: Iterable[str] = (),
    from_year: int | None = None,
    to_year: int | None = None,
    q: str | None = None,
    today: dt.date | None = None,
) -> list[Item]:
    """Items of ``kinds`` (any, when empty) that overlap the years ``from_year``..``to_year``
    (inclusive; a span still running lasts until ``today``) and contain every word of ``q``
    (any case)."""
    wanted = set(kinds)
    words = (q or "").lower().split()
    today = today or dt.datetime.now(dt.UTC).date()
    out = []
    for item in items():
        if wanted and item.kind not in wanted:
            continue
        if from_year is not None and _last_day(item, today).year < from_year:
            continue
        if to_year is not None and _first_day(item).year > to_year:
            continue
        text = _searchable(item)
        if any(w not in text for w in words):
            continue
        out.append(item)
    return out


def _searchable(item: Item) -> str:
    return " ".join([item.text(), *(s.title for s in item.sources)]).lower()


def as_dict(item: Item) -> dict[str, Any]:
    """JSON form of one item, with its handovers."""
    return to_dict(item, HANDOVERS)


def handovers_of(span_id: str) -> list[Handover]:
    """The handovers a span takes part in."""
    return [h for h in HANDOVERS if span_id in (h.predecessor, h.successor)]


def corrections() -> tuple[Correction, ...]:
    """Where popular accounts get it wrong."""
    return CORRECTIONS
