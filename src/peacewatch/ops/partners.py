"""Partners, exercises and accession support: the rules.

A partner nation's status is a dated series of changes (Partnership for Peace, Membership
Action Plan, invited, member); its status at an instant is the latest change on or before it.
A goal's progress is computed from its milestones (achieved by the instant, of all planned);
a goal is behind schedule when a milestone planned by then is not achieved by then (or, with no
milestones, when it is due and its recorded progress is short of 100 %). An exercise's
interoperability score counts its assessed objectives: met 1, partly ½, not met 0.

Everything here is pure: it takes the rows a viewer may see and returns plain dicts. A result
derived from several records takes the most restrictive of their labels (``derived_label``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peacewatch.domain.labels import Label, Viewer, can_see, most_restrictive

# The steps of the road to membership, in order (a later step outranks an earlier one on the
# same day, so a timeline reads PfP → MAP → invited → member).
STATUSES = ("pfp", "map", "invited", "member")
STATUS_NAMES = {
    "pfp": "Partnership for Peace",
    "map": "Membership Action Plan",
    "invited": "invited to join",
    "member": "member",
}
OUTCOMES = ("met", "partly", "not_met")
_OUTCOME_SCORE = {"met": 1.0, "partly": 0.5, "not_met": 0.0}


def derived_label(labels: Iterable[Label], viewer: Viewer) -> Label:
    """The label of a result derived from records ``viewer`` may see: their most restrictive.

    Shared releasability may name nobody the viewer answers to (REL TO FRA with REL TO NATO,
    for a French NATO officer: no common code); the result is then released to the viewer's
    nation only, which is narrower still, so it stays at least as restrictive.
    """
    label = most_restrictive(labels)
    if can_see(viewer, label):
        return label
    return Label(label.classification, frozenset({viewer.nation}), label.policy)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One dated step of a nation's status, with its source."""

    nation: str
    status: str
    since: datetime
    source: str
    label: Label
    synthetic: bool = False
    note: str | None = None


def timeline(changes: Iterable[StatusChange]) -> list[StatusChange]:
    """A nation's changes in time order (same day: in the order of ``STATUSES``)."""
    return sorted(changes, key=lambda c: (c.since, STATUSES.index(c.status), c.nation))


def status_at(changes: Iterable[StatusChange], at: datetime) -> StatusChange | None:
    """The change in force at ``at`` (the latest on or before it), or None before the first."""
    current = None
    for change in timeline(changes):
        if change.since <= at:
            current = change
    return current


def accession_timeline(changes: Iterable[StatusChange]) -> list[dict[str, Any]]:
    """Each step with how long after the previous one it came (days), for the UI's timeline."""
    out: list[dict[str, Any]] = []
    previous: StatusChange | None = None
    for change in timeline(changes):
        out.append(
            {
                "status": change.status,
                "name": STATUS_NAMES[change.status],
                "since": change.since.isoformat(),
                "days_after_previous": (
                    (change.since - previous.since).days if previous is not None else None
                ),
                "source": change.source,
                "synthetic": change.synthetic,
                "note": change.note,
                "label": change.label.marking,
            }
        )
        previous = change
    return out


@dataclass(frozen=True, slots=True)
class Milestone:
    """A step of a goal: when it was planned, when (if) it was achieved."""

    number: int
    title: str
    planned_at: datetime
    achieved_at: datetime | None
    label: Label


@dataclass(frozen=True, slots=True)
class Progress:
    """A goal's progress at an instant."""

    percent: float
    expected_percent: float | None
    achieved: int
    planned_by_now: int
    total: int
    overdue: tuple[int, ...]
    late: tuple[int, ...]
    behind_schedule: bool
    method: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "percent": self.percent,
            "expected_percent": self.expected_percent,
            "achieved": self.achieved,
            "planned_by_now": self.planned_by_now,
            "total": self.total,
            "overdue": list(self.overdue),
            "late": list(self.late),
            "behind_schedule": self.behind_schedule,
            "method": self.method,
        }


def goal_progress(
    milestones: Sequence[Milestone],
    at: datetime,
    *,
    recorded: int | None = None,
    due_at: datetime | None = None,
) -> Progress:
    """Progress at ``at``: from milestones when there are any, else the recorded percentage.

    ``overdue``: milestones planned by ``at`` and not achieved by then (behind schedule).
    ``late``: milestones achieved by ``at``, but after they were planned (not behind any more).
    """
    if not milestones:
        percent = float(recorded or 0)
        behind = due_at is not None and due_at <= at and percent < 100
        return Progress(
            percent, 100.0 if due_at is not None and due_at <= at else None, 0, 0, 0, (), (),
            behind, "recorded",
        )  # fmt: skip
    ordered = sorted(milestones, key=lambda m: (m.planned_at, m.number))
    done = [m for m in ordered if m.achieved_at is not None and m.achieved_at <= at]
    planned = [m for m in ordered if m.planned_at <= at]
    overdue = tuple(m.number for m in planned if m.achieved_at is None or m.achieved_at > at)
    late = tuple(
        m.number for m in done if m.achieved_at is not None and m.achieved_at > m.planned_at
    )
    total = len(ordered)
    return Progress(
        percent=round(100.0 * len(done) / total, 1),
        expected_percent=round(100.0 * len(planned) / total, 1),
        achieved=len(done),
        planned_by_now=len(planned),
        total=total,
        overdue=overdue,
        late=late,
        behind_schedule=bool(overdue),
        method="milestones",
    )


def interoperability(outcomes: Iterable[str | None]) -> dict[str, Any]:
    """Counts of an exercise's outcomes and its score (met 1, partly ½, not met 0) in percent
    of the assessed objectives; None when none is assessed."""
    counts = {o: 0 for o in OUTCOMES}
    not_assessed = 0
    for outcome in outcomes:
        if outcome is None:
            not_assessed += 1
        else:
            counts[outcome] += 1
    assessed = sum(counts.values())
    score = (
        round(100.0 * sum(_OUTCOME_SCORE[o] * n for o, n in counts.items()) / assessed, 1)
        if assessed
        else None
    )
    return {**counts, "not_assessed": not_assessed, "score": score}


@dataclass(frozen=True, slots=True)
class Contribution:
    """A nation's part in a multinational unit over a span of time."""

    nation: str
    role: str | None
    from_at: datetime
    to_at: datetime | None
    label: Label


def contributors_at(contributions: Iterable[Contribution], at: datetime) -> list[str]:
    """Nations contributing at ``at`` (from inclusive, to exclusive), sorted."""
    return sorted(
        {c.nation for c in contributions if c.from_at <= at and (c.to_at is None or at < c.to_at)}
    )
