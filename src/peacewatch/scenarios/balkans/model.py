"""Types of the record of NATO's Balkan operations: spans, milestones, handovers, corrections.

Plain frozen dataclasses: the record is package data, read by the scenario, the API, the CLI
and the web timeline alike, so one set of types says what every item holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Precision = Literal["day", "month", "year"]
Kind = Literal["operation", "office", "milestone", "correction"]
KINDS: tuple[Kind, ...] = ("operation", "office", "milestone", "correction")


@dataclass(frozen=True)
class Source:
    """Where a fact was found: a title and, where the reference notes give one, a URL."""

    title: str
    url: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """JSON form."""
        return {"title": self.title, "url": self.url}


@dataclass(frozen=True)
class Span:
    """An operation or an office over a time span (``end`` None while it still runs)."""

    id: str
    name: str
    kind: Literal["operation", "office"]
    led_by: str
    area: str
    start: dt.date
    end: dt.date | None
    sources: tuple[Source, ...]
    also_known_as: str | None = None
    basis: str | None = None
    figures: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    start_precision: Precision = "day"
    end_precision: Precision = "day"
    verify: bool = False
    verify_note: str | None = None

    def text(self) -> str:
        """Every word of the item, for searching."""
        return " ".join(
            [self.id, self.name, self.area, self.led_by, self.also_known_as or "",
             self.basis or "", *self.figures, *self.notes]
        )  # fmt: skip


@dataclass(frozen=True)
class Milestone:
    """A dated event: an accession, a partnership step, an agreement, a restructuring."""

    id: str
    name: str
    category: str
    date: dt.date
    sources: tuple[Source, ...]
    nations: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    precision: Precision = "day"
    verify: bool = False
    verify_note: str | None = None
    kind: Literal["milestone"] = "milestone"

    def text(self) -> str:
        """Every word of the item, for searching."""
        return " ".join([self.id, self.name, self.category, *self.nations, *self.notes])


@dataclass(frozen=True)
class Correction:
    """Where popular accounts get it wrong: the claim, what the record says, and its sources.

    ``date`` is the day the correction turns on (e.g. when NATO's first Balkan operation began).
    """

    id: str
    claim: str
    correction: str
    date: dt.date
    sources: tuple[Source, ...]
    related: tuple[str, ...] = ()
    verify: bool = False
    verify_note: str | None = None
    kind: Literal["correction"] = "correction"

    @property
    def name(self) -> str:
        """The claim stands as the item's name."""
        return self.claim

    def text(self) -> str:
        """Every word of the item, for searching."""
        return " ".join([self.id, self.claim, self.correction])


@dataclass(frozen=True)
class Handover:
    """One span handing over to the next: ``same_day`` when the successor begins the day the
    predecessor ends, ``next_day`` when it begins the day after."""

    predecessor: str
    successor: str
    timing: Literal["same_day", "next_day"]
    sources: tuple[Source, ...] = field(default=())


Item = Span | Milestone | Correction


def midnight(day: dt.date) -> dt.datetime:
    """The day as midnight UTC: how the scenario states a day."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def shown(day: dt.date | None, precision: Precision) -> str | None:
    """The date as precisely as it is known: 1999-06-12, 2002-04 or 2006."""
    if day is None:
        return None
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def to_dict(item: Item, handovers: tuple[Handover, ...] = ()) -> dict[str, Any]:
    """JSON form of one item; a span lists its predecessor and successor by handover."""
    out: dict[str, Any] = {"id": item.id, "kind": item.kind, "name": item.name}
    if isinstance(item, Span):
        out |= {
            "led_by": item.led_by,
            "area": item.area,
            "also_known_as": item.also_known_as,
            "start": item.start.isoformat(),
            "end": item.end.isoformat() if item.end else None,
            "start_shown": shown(item.start, item.start_precision),
            "end_shown": shown(item.end, item.end_precision),
            "start_precision": item.start_precision,
            "end_precision": item.end_precision,
            "basis": item.basis,
            "figures": list(item.figures),
            "notes": list(item.notes),
            "predecessor": next(
                ({"id": h.predecessor, "timing": h.timing}
                 for h in handovers if h.successor == item.id), None
            ),
            "successor": next(
                ({"id": h.successor, "timing": h.timing}
                 for h in handovers if h.predecessor == item.id), None
            ),
        }  # fmt: skip
    elif isinstance(item, Milestone):
        out |= {
            "category": item.category,
            "date": item.date.isoformat(),
            "date_shown": shown(item.date, item.precision),
            "precision": item.precision,
            "nations": list(item.nations),
            "related": list(item.related),
            "notes": list(item.notes),
        }
    else:
        out |= {
            "claim": item.claim,
            "correction": item.correction,
            "date": item.date.isoformat(),
            "related": list(item.related),
        }
    out["verify"] = item.verify
    out["verify_note"] = item.verify_note
    out["sources"] = [s.to_dict() for s in item.sources]
    return out
