"""Corrections of reports: the row is updated in place (every read, index and engine sees the
corrected values) and the content it replaced is kept in ``report_versions``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from peacewatch.domain.labels import Viewer
from peacewatch.domain.times import rfc3339
from peacewatch.store.label_filter import visible
from peacewatch.store.reports import report_feature
from peacewatch.store.tables import labels, missions, report_versions, reports

# What a correction may change; uuid, mission and the first author stay.
CORRECTABLE = (
    "kind", "observed_at", "reported_at", "lon", "lat", "location_precision", "time_precision",
    "party_id", "source", "grade", "title", "text", "synthetic", "attributes", "label_id",
)  # fmt: skip


@dataclass
class Outcome:
    """What became of one correction: ``row`` (the report as corrected) when applied, else
    ``duplicate`` (already applied) or a ``problem`` naming why it was refused."""

    row: dict[str, Any] | None = None
    duplicate: bool = False
    problem: str | None = None


def report_mission(conn: Connection, *, viewer: Viewer, uuid: str) -> str | None:
    """The mission code of a report ``viewer`` may see (None when absent or not visible)."""
    query = (
        select(missions.c.code)
        .join(reports, reports.c.mission_id == missions.c.id)
        .where(reports.c.uuid == uuid, visible(reports, viewer))
    )
    code = conn.execute(query).scalar()
    return None if code is None else str(code)


def applied_corrections(conn: Connection, uuids: list[str]) -> set[str]:
    """Which of these correction UUIDs are already applied."""
    if not uuids:
        return set()
    query = select(report_versions.c.correction_uuid).where(
        report_versions.c.correction_uuid.in_(uuids)
    )
    return {str(u) for u in conn.execute(query).scalars()}


def correct_report(
    conn: Connection,
    *,
    viewer: Viewer,
    corrects: str,
    row: dict[str, Any],
    reason: str | None,
    now: datetime,
) -> Outcome:
    """Apply a validated correction ``row`` (its uuid is the correction's own) to the report
    ``corrects``; the caller's transaction holds it with what the engines make of it."""
    if applied_corrections(conn, [row["uuid"]]):
        return Outcome(duplicate=True)
    original = conn.execute(
        select(reports.c.id, reports.c.mission_id, reports.c.version, reports.c.label_id).where(
            reports.c.uuid == corrects, visible(reports, viewer)
        )
    ).first()
    if original is None:  # absent or not visible: the same answer, so existence is not revealed
        return Outcome(problem=f"no report {corrects}")
    if original.mission_id != row["mission_id"]:
        return Outcome(problem="a correction may not move a report to another mission")
    conn.execute(
        report_versions.insert().values(
            report_id=original.id,
            version=original.version,
            content=report_feature(conn, int(original.id)),
            correction_uuid=row["uuid"],
            reason=reason,
            label_id=original.label_id,
            created_by=viewer.name,
            created_at=now,
        )
    )
    conn.execute(
        update(reports)
        .where(reports.c.id == original.id)
        .values({c: row[c] for c in CORRECTABLE} | {"version": original.version + 1})
    )
    current = conn.execute(select(reports).where(reports.c.id == original.id)).one()
    return Outcome(row=dict(current._mapping))


def list_versions(conn: Connection, *, viewer: Viewer, uuid: str) -> dict[str, Any] | None:
    """The report's versions, oldest first, each with its content, label, who, when and why;
    None when the report is absent or not visible. A version whose label the viewer may not
    see is left out entirely (not even a stub: its author, time and reason are part of it)."""
    current = conn.execute(
        select(reports.c.id, reports.c.version, reports.c.created_by, reports.c.created_at).where(
            reports.c.uuid == uuid, visible(reports, viewer)
        )
    ).first()
    if current is None:
        return None
    stored = {
        int(v.version): v
        for v in conn.execute(
            select(report_versions, labels.c.marking)
            .join(labels, labels.c.id == report_versions.c.label_id)
            .where(report_versions.c.report_id == current.id)
        )
    }
    seen = set(
        conn.execute(
            select(report_versions.c.version).where(
                report_versions.c.report_id == current.id, visible(report_versions, viewer)
            )
        ).scalars()
    )
    items = []
    for k in range(1, int(current.version) + 1):
        if k < current.version and k not in seen:
            continue
        if k < current.version:
            content = stored[k].content
        else:  # the current version: the row itself, visible as checked above
            content = report_feature(conn, int(current.id))
        made = stored.get(k - 1)
        items.append(
            {
                "id": uuid,
                "version": k,
                "label": content["properties"]["label"],
                "created_by": made.created_by if made is not None else current.created_by,
                "created_at": rfc3339(made.created_at if made is not None else current.created_at),
                "reason": made.reason if made is not None else None,
                "content": content,
            }
        )
    return {"id": uuid, "version": int(current.version), "items": items}
