"""The source registry and Admiralty grades that change over time, with their history.

A source's reliability (A-F) and a report's grade (reliability + credibility 1-6) are kept
current on their rows; every change is a ``grade_changes`` row (who, when, why, from what),
audited in the same transaction. History rows carry their subject's label.

Reports are linked to sources by their ``source`` text (``reliability.py``). A change of a
source's reliability holds from a time (``from``, default now; its history row's time): the
source's reports observed since then are regraded, one history row each (with the source's
id, so that they are told apart from an analyst's), and their events' credibility follows.
An analyst's grade of a report pins it: its source's later changes leave it alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from peacewatch.domain.admiralty import RELIABILITY, Grade
from peacewatch.domain.dtg import parse_time
from peacewatch.domain.errors import DomainError
from peacewatch.domain.labels import Viewer
from peacewatch.domain.times import rfc3339
from peacewatch.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peacewatch.fusion.aggregate import aggregate, member_rows
from peacewatch.fusion.engine import write_events
from peacewatch.fusion.reliability import linked_to, regrade
from peacewatch.ingest.validate import authorised_label
from peacewatch.store import Store, audit
from peacewatch.store.label_filter import intern_label, known_release_codes, visible
from peacewatch.store.tables import event_reports, grade_changes, labels, reports, sources

SOURCE_KINDS = ("patrol", "observation_post", "liaison", "humint", "media", "ngo", "sensor")


def _problem(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{name} {message}", [FieldProblem(name, message)])


def _text(data: dict[str, Any], name: str, limit: int = 200) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise _problem(name, f"is required: text of at most {limit} characters")
    return value.strip()


def _reliability(value: Any) -> str:
    letter = value.strip().upper() if isinstance(value, str) else None
    if letter not in RELIABILITY:
        raise _problem("reliability", "must be one of A-F")
    return letter


def _source_json(row: Any) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "kind": row.kind,
        "reliability": row.reliability,
        "label": row.label,
        "created_by": row.created_by,
        "created_at": rfc3339(row.created_at),
    }


def list_sources(
    conn: Connection, *, viewer: Viewer, code: str | None = None
) -> list[dict[str, Any]]:
    """Registered sources ``viewer`` may see, by code."""
    query = (
        select(sources, labels.c.marking.label("label"))
        .join(labels, labels.c.id == sources.c.label_id)
        .where(visible(sources, viewer))
        .order_by(sources.c.code)
    )
    if code is not None:
        query = query.where(sources.c.code == code)
    return [_source_json(r) for r in conn.execute(query)]


def add_source(store: Store, *, viewer: Viewer, data: dict[str, Any]) -> str:
    """Register a source (code, name, kind, reliability, label); returns its code."""
    code, name = _text(data, "code", 64), _text(data, "name")
    kind = data.get("kind")
    if kind not in SOURCE_KINDS:
        raise _problem("kind", f"must be one of {', '.join(SOURCE_KINDS)}")
    reliability = _reliability(data.get("reliability"))
    if not data.get("label"):
        raise _problem("label", "is required: a source's identity is itself information")
    with store.write() as conn:
        try:
            label = authorised_label(
                data["label"], viewer=viewer, release_codes=known_release_codes(conn),
                default=None,  # type: ignore[arg-type]
            )  # fmt: skip
        except DomainError as exc:
            raise _problem("label", exc.message) from None
        # case-insensitively: reports name their source in any case (reliability.py)
        same = func.lower(sources.c.code) == code.lower()
        if conn.execute(select(sources.c.id).where(same)).first():
            raise Conflict(f"source {code!r} exists already", [FieldProblem("code", "exists")])
        label_id = intern_label(conn, label, store.label_cache)
        who = {"label_id": label_id, "created_by": viewer.name, "created_at": datetime.now(UTC)}
        source_id = conn.execute(
            sources.insert()
            .values(code=code, name=name, kind=kind, reliability=reliability, attributes={}, **who)
            .returning(sources.c.id)
        ).scalar_one()
        conn.execute(
            grade_changes.insert().values(
                source_id=source_id, grade=reliability, reason="registered", **who
            )
        )
        audit.append(conn, actor=viewer.name, action="source.create", target=code)
    return code


def _since(data: dict[str, Any], now: datetime) -> datetime:
    if data.get("from") is None:
        return now
    try:
        since = parse_time(data["from"], field="from")
    except DomainError as exc:
        raise _problem("from", exc.message) from None
    if since > now:
        raise _problem("from", "must not be in the future")
    return since


def change_reliability(store: Store, *, viewer: Viewer, code: str, data: dict[str, Any]) -> int:
    """Change a visible source's reliability from a time (``from``, default now), with the
    reason; its reports observed since then follow (but those an analyst graded). Audited;
    returns how many reports were regraded."""
    reliability, reason = _reliability(data.get("reliability")), _text(data, "reason", 2000)
    now = datetime.now(UTC)
    since = _since(data, now)
    with store.write() as conn:
        # FOR UPDATE: reports of this source being written wait, then read the new history
        row = conn.execute(
            select(sources)
            .where(sources.c.code == code, visible(sources, viewer))
            .with_for_update()
        ).first()
        if row is None:
            raise NotFound(f"no source {code}")
        conn.execute(update(sources).where(sources.c.id == row.id).values(reliability=reliability))
        _history(
            conn, viewer, row.label_id, reason, row.reliability, reliability, at=since,
            source_id=row.id,
        )  # fmt: skip
        done = regrade(
            conn, source=row, letter=reliability, since=since, actor=viewer.name, now=now,
            reason=f"source {row.code} reliability {row.reliability}→{reliability}",
        )  # fmt: skip
        recompute_events(conn, done.event_ids)
        detail = {
            "from": row.reliability, "to": reliability, "reason": reason,
            "since": since.isoformat(), "reports": done.reports, "events": len(done.event_ids),
        }  # fmt: skip
        audit.append(conn, actor=viewer.name, action="source.grade", target=code, detail=detail)
    return done.reports


def recompute_events(conn: Connection, event_ids: list[int]) -> None:
    """Derive these events again from their reports (after their grades changed)."""
    for i in range(0, len(event_ids), 5_000):
        chunk = event_ids[i : i + 5_000]
        members = [m for _, m in member_rows(conn, chunk)]
        write_events(conn, aggregate(conn, members), chunk)


def change_report_grade(store: Store, *, viewer: Viewer, uuid: str, data: dict[str, Any]) -> None:
    """Change a visible report's Admiralty grade, with the reason; its events follow. Audited."""
    reason = _text(data, "reason", 2000)
    try:
        grade = str(Grade.parse(data.get("grade")))  # type: ignore[arg-type]
    except DomainError as exc:
        raise _problem("grade", exc.message) from None
    with store.write() as conn:
        row = conn.execute(
            select(reports.c.id, reports.c.grade, reports.c.label_id).where(
                reports.c.uuid == uuid, visible(reports, viewer)
            )
        ).first()
        if row is None:
            raise NotFound(f"no report {uuid}")
        conn.execute(update(reports).where(reports.c.id == row.id).values(grade=grade))
        _history(conn, viewer, row.label_id, reason, row.grade, grade, report_id=row.id)
        event_ids = list(
            conn.execute(
                select(event_reports.c.event_id).where(event_reports.c.report_id == row.id)
            ).scalars()
        )
        recompute_events(conn, event_ids)
        detail = {"from": row.grade, "to": grade, "reason": reason, "pinned": True}
        audit.append(conn, actor=viewer.name, action="report.grade", target=uuid, detail=detail)


def _history(
    conn: Connection, viewer: Viewer, label_id: int, reason: str, old: Any, new: str,
    at: datetime | None = None, **subject: Any,
) -> None:  # fmt: skip
    conn.execute(
        grade_changes.insert().values(
            previous=old, grade=new, reason=reason, label_id=label_id,
            created_by=viewer.name, created_at=at or datetime.now(UTC), **subject,
        )
    )  # fmt: skip


def history(
    conn: Connection, *, viewer: Viewer, source: str | None = None, report: str | None = None
) -> list[dict[str, Any]] | None:
    """Grade changes of a visible source or report, oldest first; None when it is not visible.

    A source's ``changed_at`` is when the reliability took effect (the audit trail keeps when
    it was recorded). A report's ``pinned`` ones are an analyst's grades, which its source's
    later reliability changes leave alone; the others followed its source.
    """
    g = grade_changes
    if source is not None:
        subject = select(sources.c.id).where(sources.c.code == source, visible(sources, viewer))
        where = [g.c.source_id == subject.scalar_subquery(), g.c.report_id.is_(None)]
    else:
        subject = select(reports.c.id).where(reports.c.uuid == report, visible(reports, viewer))
        where = [g.c.report_id == subject.scalar_subquery()]
    if conn.execute(subject).scalar() is None:
        return None
    query = (
        select(
            g.c.previous, g.c.grade, g.c.reason, g.c.created_by, g.c.created_at, g.c.source_id,
            labels.c.marking,
        )
        .join(labels, labels.c.id == g.c.label_id)
        .where(*where, visible(g, viewer))
        .order_by(g.c.id)
    )  # fmt: skip
    return [
        {
            "previous": r.previous,
            "grade": r.grade,
            "reason": r.reason,
            "changed_by": r.created_by,
            "changed_at": rfc3339(r.created_at),
            "label": r.marking,
        }
        | ({} if source is not None else {"pinned": r.source_id is None})
        for r in conn.execute(query)
    ]


def source_detail(conn: Connection, *, viewer: Viewer, code: str) -> dict[str, Any] | None:
    """A visible source with its reliability history and how many of the reports ``viewer``
    may see name it; None when it is not visible."""
    found = list_sources(conn, viewer=viewer, code=code)
    if not found:
        return None
    count = select(func.count()).select_from(reports)
    count = count.where(linked_to(code), visible(reports, viewer))
    return found[0] | {
        "history": history(conn, viewer=viewer, source=code) or [],
        "reports": int(conn.execute(count).scalar_one()),
    }
