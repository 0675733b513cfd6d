"""Which field reports a seizure or an item handed in cites, and the reverse: batched link
writes and label-filtered reads.

A link has no label of its own. A reader is shown a cited report only when they may see it
(``visible(reports, viewer)`` in the query), and a citing record only when they may see that
record, so a link never discloses the uid, title or existence of a hidden row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert, select

from peacewatch.domain.labels import Viewer
from peacewatch.domain.times import rfc3339
from peacewatch.store.label_filter import visible
from peacewatch.store.tables import (
    labels,
    reports,
    seizure_reports,
    seizures,
    weapons_campaigns,
    weapons_item_reports,
    weapons_items,
)

# A citing table's link table and the link's column naming the citing row.
LINKS: dict[str, tuple[Table, str]] = {
    "seizures": (seizure_reports, "seizure_id"),
    "weapons_items": (weapons_item_reports, "item_id"),
}
# Ids per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 5000


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def visible_report_ids(conn: Connection, *, viewer: Viewer, uuids: Sequence[str]) -> dict[str, int]:
    """Row ids of the reports among ``uuids`` that ``viewer`` may see, by uuid."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(uuids))):
        rows = conn.execute(
            select(reports.c.uuid, reports.c.id).where(
                reports.c.uuid.in_(chunk), visible(reports, viewer)
            )
        )
        found.update({str(u): int(i) for u, i in rows})
    return found


def add_citations(conn: Connection, *, table: Table, cited: dict[str, list[int]]) -> int:
    """Link the rows of ``table`` named by uid to the report ids they cite (in order), in one
    batched insert; how many links were written."""
    link, column = LINKS[table.name]
    wanted = [uid for uid, ids in cited.items() if ids]
    if not wanted:
        return 0
    ids: dict[str, int] = {}
    for chunk in _chunks(wanted):
        ids.update(
            conn.execute(select(table.c.uid, table.c.id).where(table.c.uid.in_(chunk))).all()
        )
    rows = [
        {column: ids[uid], "report_id": report_id, "seq": seq}
        for uid in wanted
        for seq, report_id in enumerate(cited[uid], start=1)
    ]
    conn.execute(insert(link), rows)
    return len(rows)


def cited_reports(
    conn: Connection, *, viewer: Viewer, table: Table, ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    """The reports that the rows ``ids`` of ``table`` cite and ``viewer`` may see, in the
    order they were cited, by row id; a row citing none that the viewer sees is absent."""
    link, column = LINKS[table.name]
    out: dict[int, list[dict[str, Any]]] = {}
    for chunk in _chunks(sorted(set(ids))):
        rows = conn.execute(
            select(
                link.c[column].label("record"),
                reports.c.uuid,
                reports.c.kind,
                reports.c.title,
                reports.c.observed_at,
                labels.c.marking,
            )
            .select_from(
                link.join(reports, reports.c.id == link.c.report_id).join(
                    labels, labels.c.id == reports.c.label_id
                )
            )
            .where(link.c[column].in_(chunk), visible(reports, viewer))
            .order_by(link.c[column], link.c.seq)
        )
        for r in rows:
            out.setdefault(int(r.record), []).append(
                {"id": r.uuid, "kind": r.kind, "title": r.title,
                 "observed_at": rfc3339(r.observed_at), "label": r.marking}
            )  # fmt: skip
    return out


def citing(conn: Connection, *, viewer: Viewer, uuid: str) -> list[dict[str, Any]] | None:
    """The seizures and items handed in that cite report ``uuid`` and ``viewer`` may see,
    oldest first; None when the report is absent or hidden from the viewer."""
    report_id = conn.execute(
        select(reports.c.id).where(reports.c.uuid == uuid, visible(reports, viewer))
    ).scalar()
    if report_id is None:
        return None
    found = conn.execute(
        select(
            seizures.c.uid, seizures.c.seized_at, seizures.c.category, seizures.c.description,
            seizures.c.quantity, seizures.c.unit, seizures.c.place, labels.c.marking,
        )
        .select_from(
            seizure_reports.join(seizures, seizures.c.id == seizure_reports.c.seizure_id)
            .join(labels, labels.c.id == seizures.c.label_id)
        )
        .where(seizure_reports.c.report_id == report_id, visible(seizures, viewer))
    ).all()  # fmt: skip
    out = [
        {"id": r.uid, "kind": "seizure", "at": r.seized_at, "category": r.category,
         "description": r.description, "quantity": r.quantity, "unit": r.unit,
         "place": r.place, "campaign": None, "label": r.marking}
        for r in found
    ]  # fmt: skip
    campaign_seen = (weapons_campaigns.c.id == weapons_items.c.campaign_id) & visible(
        weapons_campaigns, viewer
    )
    items = conn.execute(
        select(
            weapons_items.c.uid, weapons_items.c.collected_at, weapons_items.c.category,
            weapons_items.c.description, weapons_items.c.quantity,
            weapons_campaigns.c.code.label("campaign"), labels.c.marking,
        )
        .select_from(
            weapons_item_reports.join(
                weapons_items, weapons_items.c.id == weapons_item_reports.c.item_id
            )
            .join(labels, labels.c.id == weapons_items.c.label_id)
            .outerjoin(weapons_campaigns, campaign_seen)
        )
        .where(weapons_item_reports.c.report_id == report_id, visible(weapons_items, viewer))
    ).all()  # fmt: skip
    out += [
        {"id": r.uid, "kind": "weapons_item", "at": r.collected_at, "category": r.category,
         "description": r.description, "quantity": r.quantity, "unit": None,
         "place": None, "campaign": r.campaign, "label": r.marking}
        for r in items
    ]  # fmt: skip
    out.sort(key=lambda r: (r["at"], r["kind"], r["id"]))
    return [r | {"at": rfc3339(r["at"])} for r in out]
