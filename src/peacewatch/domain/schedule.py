"""Patrol schedules: one run from a start to an end, optionally repeated on weekdays until a
date, and whether a recorded patrol's time overlaps one of the runs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from peacewatch.domain.errors import DomainError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A plan repeated daily for a year has 366 runs; more is a typo in ``until``, not a plan.
MAX_RUNS = 400


def parse_days(value: object, *, field: str = "repeat.days") -> tuple[int, ...]:
    """ISO weekdays (1 = Monday) from names ('mon', 'Tuesday') or numbers 1-7, sorted."""
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split() if v]
    if not isinstance(value, list | tuple) or not value:
        raise DomainError(
            "days must be a non-empty list of weekdays, e.g. ['mon', 'thu']", field=field
        )
    days: set[int] = set()
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= 7:
            days.add(item)
        elif isinstance(item, str) and item.strip().isdigit() and 1 <= int(item) <= 7:
            days.add(int(item))
        elif isinstance(item, str) and item.strip()[:3].lower() in WEEKDAYS:
            days.add(WEEKDAYS.index(item.strip()[:3].lower()) + 1)
        else:
            raise DomainError(
                f"{item!r} is not a weekday (mon … sun, or 1 … 7 with 1 = Monday)", field=field
            )
    return tuple(sorted(days))


def days_text(days: Iterable[int]) -> str:
    """The stored form of weekdays: '1,3,5'."""
    return ",".join(str(d) for d in sorted(set(days)))


def days_from_text(text: str | None) -> tuple[int, ...]:
    """Weekdays back from their stored form ('' or None: no repetition)."""
    return tuple(int(d) for d in (text or "").split(",") if d)


def runs(
    start: datetime, end: datetime, days: Iterable[int] = (), until: datetime | None = None
) -> list[tuple[datetime, datetime]]:
    """Every run of a schedule: the first from ``start`` to ``end``, then the same hours on
    each of ``days`` (ISO weekdays) that begins before ``until``."""
    out = [(start, end)]
    wanted = set(days)
    if not wanted or until is None:
        return out
    length = end - start
    at = start + timedelta(days=1)
    while at < until and len(out) < MAX_RUNS:
        if at.isoweekday() in wanted:
            out.append((at, at + length))
        at += timedelta(days=1)
    return out


def overlaps(
    schedule: list[tuple[datetime, datetime]], start: datetime, end: datetime | None
) -> bool:
    """True when [start, end] (end None: still under way) overlaps one of the runs."""
    return any(s <= (end or start) and start <= e for s, e in schedule)
