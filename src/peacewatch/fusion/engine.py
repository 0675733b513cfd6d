"""Incremental fusion: a store hook places each batch of new reports in events, inside the
transaction that writes them; first, reports from registered sources take their source's
reliability (``reliability.py``). ``place`` is shared with the bulk re-run."""

from __future__ import annotations

import math
import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, bindparam, delete, false, select

from peacewatch.fusion.aggregate import Member, aggregate, member_rows, members_of
from peacewatch.fusion.cluster import M_PER_DEG, Clusters, assign, group_of
from peacewatch.fusion.families import FAMILY_OF, MAX_METRES, MAX_SECONDS, family_codes
from peacewatch.fusion.reliability import take_source_reliability
from peacewatch.store import Store
from peacewatch.store.tables import event_reports, events, fusion_pins

SYSTEM = "fusion"
Array = np.ndarray[Any, Any]
EVENT_FIELDS = (
    "mission_id", "kind", "title", "first_observed_at", "last_observed_at", "lon", "lat",
    "report_count", "source_count", "credibility", "label_id",
)  # fmt: skip


def attach(store: Store) -> None:
    """Fuse every report written to ``store`` from now on (idempotent)."""
    if fuse_written not in store.hooks:
        store.hooks.append(fuse_written)


def fuse_written(conn: Connection, topic: str, rows: list[dict[str, Any]]) -> None:
    """Store hook: grade a batch of reports just written by their registered sources and place
    them in events, in its transaction."""
    if topic == "reports":
        take_source_reliability(conn, rows)  # before fusion: event credibility reads the grades
        fuse_reports(conn, rows)
    elif topic == "reports.corrected":
        replace_reports(conn, rows)


@dataclass
class Batch:
    """Reports to place, as columns."""

    members: list[Member]  # key is the report's id here
    t: Array
    lon: Array
    lat: Array
    group: Array

    @classmethod
    def of(cls, members: list[Member]) -> Batch:
        """Columns of ``members``."""
        n = len(members)
        return cls(
            members,
            np.fromiter((m.observed_at.timestamp() for m in members), np.float64, n),
            np.fromiter((m.lon for m in members), np.float64, n),
            np.fromiter((m.lat for m in members), np.float64, n),
            group_of(
                np.fromiter((m.mission_id for m in members), np.int64, n),
                family_codes(m.kind for m in members),
            ),
        )


def fuse_reports(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Place report rows (as written) in events; returns how many events were created."""
    fused = [
        Member(r["id"], *(r[c] for c in Member._fields[1:])) for r in rows if r["kind"] in FAMILY_OF
    ]
    if not fused:
        return 0
    batch = Batch.of(fused)
    seeds, seed_ids = load_seeds(conn, batch)
    return place(conn, batch, seeds, seed_ids)


def load_seeds(conn: Connection, batch: Batch) -> tuple[Clusters, list[int]]:
    """Events that reports of ``batch`` could join: near them in time and place."""
    lo = datetime.fromtimestamp(float(batch.t.min()) - MAX_SECONDS, UTC)
    hi = datetime.fromtimestamp(float(batch.t.max()) + MAX_SECONDS, UTC)
    margin = MAX_METRES / M_PER_DEG
    wide = margin / max(math.cos(math.radians(float(np.abs(batch.lat).max()))), 0.01)
    missions = sorted({m.mission_id for m in batch.members})
    e = events.c
    query = select(
        e.id, e.mission_id, e.kind, e.lon, e.lat, e.first_observed_at, e.last_observed_at,
        e.report_count,
    ).where(
        e.last_observed_at >= lo,
        e.first_observed_at <= hi,
        and_(e.lon >= float(batch.lon.min()) - wide, e.lon <= float(batch.lon.max()) + wide),
        and_(e.lat >= float(batch.lat.min()) - margin, e.lat <= float(batch.lat.max()) + margin),
        e.mission_id.in_(missions),
    )  # fmt: skip
    return seeds_of(list(conn.execute(query)))


def seeds_of(rows: Sequence[Any]) -> tuple[Clusters, list[int]]:
    """Clusters for stored event rows (id, mission_id, kind, lon, lat, first, last, count)."""
    seeds, ids = Clusters(), []
    for e in rows:
        family = FAMILY_OF.get(e.kind)
        if family is None:
            continue
        first, last = e.first_observed_at.timestamp(), e.last_observed_at.timestamp()
        seeds.add(int(e.mission_id) * 64 + family, e.lon, e.lat, first, last, e.report_count)
        ids.append(int(e.id))
    return seeds, ids


def place(conn: Connection, batch: Batch, seeds: Clusters, seed_ids: list[int]) -> int:
    """Cluster ``batch`` against ``seeds`` and write the result; returns events created."""
    n_seeds = len(seed_ids)
    index, _ = assign(batch.t, batch.lon, batch.lat, batch.group, seeds)
    keep = index >= 0
    touched = sorted({seed_ids[i] for i in np.unique(index[keep & (index < n_seeds)]).tolist()})
    # an event's key: a seed's id, -1, -2 … for new ones, 0 for a report that is not fused
    keys = [0 if i < 0 else seed_ids[i] if i < n_seeds else n_seeds - 1 - i for i in index.tolist()]
    members = members_of(conn, touched)
    members += [m._replace(key=k) for m, k in zip(batch.members, keys, strict=True) if k != 0]
    computed = aggregate(conn, members)
    created = write_events(conn, computed, touched)
    links = [
        {"event_id": created.get(k, k), "report_id": m.key}
        for m, k, kept in zip(batch.members, keys, keep.tolist(), strict=True)
        if kept
    ]
    if links:
        conn.execute(event_reports.insert(), links)
    return len(created)


def write_events(
    conn: Connection, computed: dict[int, dict[str, Any]], existing: Sequence[int]
) -> dict[int, int]:
    """Insert new events (negative keys) and update ``existing`` ones; returns key -> new id."""
    now = datetime.now(UTC)
    new_keys = sorted((k for k in computed if k < 0), reverse=True)
    created: dict[int, int] = {}
    if new_keys:
        rows = [
            {**computed[k], "uuid": str(uuidlib.uuid4()), "attributes": {}}
            | {"created_by": SYSTEM, "created_at": now}
            for k in new_keys
        ]
        # Matched by uuid: asking for RETURNING in parameter order makes SQLite insert one by one.
        insert = events.insert().returning(events.c.id, events.c.uuid)
        ids = {u: int(i) for i, u in conn.execute(insert, rows)}
        created = {k: ids[r["uuid"]] for k, r in zip(new_keys, rows, strict=True)}
    if existing:
        statement = (
            events.update()
            .where(events.c.id == bindparam("b_id"))
            .values({f: bindparam(f"b_{f}") for f in EVENT_FIELDS})
        )
        conn.execute(
            statement,
            [{"b_id": k, **{f"b_{f}": computed[k][f] for f in EVENT_FIELDS}} for k in existing],
        )
    return created


def window_start(since: datetime) -> datetime:
    """The earliest time an event that a report observed at ``since`` could join may end."""
    return since - timedelta(seconds=MAX_SECONDS)


def replace_reports(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Place corrected report rows again: each leaves the event the engine had put it in (an
    event left empty goes, unless locked) and is clustered anew; a report an analyst pinned
    stays where it was put. The events they leave or stay in are recomputed from their
    reports. Returns how many events were created."""
    ids = [int(r["id"]) for r in rows]
    pinned = set(
        conn.execute(select(fusion_pins.c.report_id).where(fusion_pins.c.report_id.in_(ids)))
        .scalars()
        .all()
    )
    held = set(
        conn.execute(
            select(event_reports.c.event_id).where(event_reports.c.report_id.in_(ids))
        ).scalars()
    )
    free = [r for r in rows if int(r["id"]) not in pinned]
    if free:
        conn.execute(
            delete(event_reports).where(event_reports.c.report_id.in_([int(r["id"]) for r in free]))
        )
    if held:
        members = member_rows(conn, sorted(held))
        kept = sorted({m.key for _, m in members})
        conn.execute(
            delete(events).where(
                events.c.id.in_(sorted(held - set(kept))), events.c.locked == false()
            )
        )
        write_events(conn, aggregate(conn, [m for _, m in members]), kept)
    return fuse_reports(conn, free)
