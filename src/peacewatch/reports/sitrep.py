"""The SITREP's data: for a window, a viewer and a mission, what happened as that viewer may know
it, next to the previous period of the same length.

Built from the store's own reads (dashboard counts, events, violations, deadlines, patrols,
convoys), every one through the label filter, so the document holds nothing its reader may not
see and its numbers are the API's numbers for the same window. Every count is kept split by the
label of what it counts (``items``), and the document's label is the most restrictive of all
of them: a reader of lower clearance gets fewer records and a lower banner.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from peacewatch.domain.labels import Classification, Label, Viewer, most_restrictive
from peacewatch.domain.times import rfc3339
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.reports import queries
from peacewatch.store import compliance_views, events, stats
from peacewatch.store import convoys as convoy_store
from peacewatch.store import violations as violation_store
from peacewatch.store.tables import events as event_table

MAX_WINDOW = timedelta(days=92)
DEFAULT_WINDOW = timedelta(hours=24)
TOP_EVENTS = 10
LISTED = 200  # records listed per section (the counts cover them all)
# How grave an event of each kind is, 1-5: armed violence first, presence and routine last.
SEVERITY: dict[str, int] = {
    "armed_clash": 5, "heavy_weapons_fire": 5, "shooting": 4, "mine_ied": 4, "explosion": 4,
    "small_arms_fire": 3, "arson": 3, "intimidation": 3, "heavy_weapons_sighting": 3,
    "roadblock": 2, "movement_of_forces": 2, "armed_personnel_sighting": 2,
    "demonstration": 2, "seizure": 2,
}  # fmt: skip


def window(
    start: datetime | None, end: datetime | None, *, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """The SITREP's window: ``end`` defaults to now and ``start`` to 24 hours before it; at
    most 92 days long."""
    end = end or now or datetime.now(UTC)
    start = start or end - DEFAULT_WINDOW
    if end <= start:
        raise ValidationFailed("end must be after start", [FieldProblem("end", "after start")])
    if end - start > MAX_WINDOW:
        raise ValidationFailed(
            "the window is too long for a SITREP",
            [FieldProblem("start", f"at most {MAX_WINDOW.days} days before end")],
        )
    return start, end


def severity(event: dict[str, Any]) -> float:
    """An event's rank: its kind's gravity × corroboration (sources) × grade (credibility 1
    counts 1, credibility 6 — cannot be judged — counts 1/6)."""
    p = event["properties"]
    grade = (7 - int(p.get("credibility") or 6)) / 6
    return SEVERITY.get(p["kind"], 1) * max(int(p.get("source_count") or 1), 1) * grade


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _changes(
    current: dict[Any, int], previous: dict[Any, int], names: dict[Any, str | None] | None = None
) -> list[dict[str, Any]]:
    rows = []
    for key in sorted(set(current) | set(previous), key=lambda k: (k is None, str(k))):
        now, before = current.get(key, 0), previous.get(key, 0)
        row: dict[str, Any] = {"key": key, "current": now, "previous": before}
        row["change"] = now - before
        if names is not None:
            row["name"] = names.get(key) or key
        rows.append(row)
    return sorted(rows, key=lambda r: (-r["current"], -r["previous"], str(r["key"])))


class _Labels:
    """Every labelled count and record the document uses, as ``items`` (id, section, key,
    label, total): what the document's label is derived from."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(self, section: str, key: Any, label: str, n: int | float = 1) -> None:
        k = (section, str(key), label)
        item = self.items.setdefault(
            k, {"id": "|".join(k), "section": section, "key": key, "label": label, "total": 0}
        )
        item["total"] += n

    def overall(self, viewer: Viewer) -> Label:
        found = {i["label"] for i in self.items.values()}
        if not found:  # nothing to report: unclassified, releasable to the reader
            return Label(Classification.NATO_UNCLASSIFIED, viewer.codes)
        return most_restrictive(Label.parse(m) for m in sorted(found))


def _incidents(
    conn: Connection, viewer: Viewer, span: tuple[datetime, datetime], mission: str | None
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    body = stats.incidents_per_day(conn, viewer=viewer, start=span[0], end=span[1], mission=mission)
    return {s["key"]: int(s["total"]) for s in body["series"]}, body["items"]


def _by_party_and_sector(
    points: list[tuple[float, float, str | None, str, str]], sectors: list[dict[str, Any]]
) -> tuple[Counter[Any], Counter[Any], list[tuple[str, Any, str]]]:
    where = queries.sector_of([(p[0], p[1]) for p in points], sectors)
    uids = [s["properties"]["id"] for s in sectors]
    party: Counter[Any] = Counter()
    sector: Counter[Any] = Counter()
    labelled: list[tuple[str, Any, str]] = []
    for (_, _, code, _, marking), at in zip(points, where, strict=True):
        p = code or queries.NO_PARTY
        s = uids[at] if at >= 0 else queries.OUTSIDE
        party[p] += 1
        sector[s] += 1
        labelled += [("party", p, marking), ("sector", s, marking)]
    return party, sector, labelled


def build(
    conn: Connection,
    *,
    viewer: Viewer,
    start: datetime,
    end: datetime,
    mission: str | None = None,
    top: int = TOP_EVENTS,
) -> dict[str, Any]:
    """The SITREP of [start, end) for ``viewer``: a JSON-ready dict (see the module's doc)."""
    start, end = window(start, end)
    before = (start - (end - start), start)
    used = _Labels()

    kinds, kind_items = _incidents(conn, viewer, (start, end), mission)
    kinds_before, kind_items_before = _incidents(conn, viewer, before, mission)
    for section, listed in (("kind", kind_items), ("kind_previous", kind_items_before)):
        for item in listed:
            used.add(section, item["key"], item["label"], item["total"])

    # Zones in force at the window's end: drawn on the map; the sectors also key the counts.
    outlines = queries.zone_outlines(conn, viewer=viewer, at=end, mission=mission)
    sector_features = [f for f in outlines if f["properties"]["kind"] == "sector"]
    names = {f["properties"]["id"]: f["properties"]["name"] for f in sector_features}
    points = queries.report_points(conn, viewer=viewer, start=start, end=end, mission=mission)
    points_before = queries.report_points(
        conn, viewer=viewer, start=before[0], end=before[1], mission=mission
    )
    party, sector, labelled = _by_party_and_sector(points, sector_features)
    party_before, sector_before, labelled_before = _by_party_and_sector(
        points_before, sector_features
    )
    for section, key, marking in labelled:
        used.add(section, key, marking)
    for section, key, marking in labelled_before:
        used.add(f"{section}_previous", key, marking)
    for f in outlines:
        used.add("zone", f["properties"]["id"], f["properties"]["label"])
    significant = _significant(conn, viewer, start, end, mission, top, used)
    violations = _violations(conn, viewer, start, end, mission, used)
    deadlines = _deadlines(conn, viewer, end, mission, used)
    patrols = _patrols(conn, viewer, start, end, mission, used)
    convoys = _convoys(conn, viewer, start, end, mission, used)
    weapons = _weapons(conn, viewer, start, end, mission, used)

    overall = used.overall(viewer)
    return {
        "type": "sitrep",
        "mission": mission,
        "start": rfc3339(start),
        "end": rfc3339(end),
        "previous": {"start": rfc3339(before[0]), "end": rfc3339(before[1])},
        "generated_at": rfc3339(datetime.now(UTC).replace(microsecond=0)),
        "reader": {"name": viewer.name, "nation": viewer.nation},
        "banner": overall.classification.marking,
        "marking": overall.marking,
        "totals": {
            "reports": sum(kinds.values()),
            "reports_previous": sum(kinds_before.values()),
            "reports_change": sum(kinds.values()) - sum(kinds_before.values()),
        },
        "counts": {
            "kind": _changes(kinds, kinds_before),
            "party": _changes(party, party_before),
            "sector": _changes(sector, sector_before, names),
        },
        "events": significant,
        "violations": violations,
        "deadlines": deadlines,
        "patrols": patrols,
        "convoys": convoys,
        "weapons": weapons,
        # For the map image only (the API's JSON leaves it out): what it draws is counted above.
        "map": {"points": [[p[0], p[1], p[3]] for p in points], "zones": outlines},
        "items": sorted(used.items.values(), key=lambda i: i["id"]),
    }


def _significant(
    conn: Connection,
    viewer: Viewer,
    start: datetime,
    end: datetime,
    mission: str | None,
    top: int,
    used: _Labels,
) -> dict[str, Any]:
    """Fused events first observed in the window, the ``top`` gravest listed."""
    found = events.list_events(conn, viewer=viewer, start=start, end=end, mission=mission)
    features = [f for f in found["features"] if _at(f["properties"]["first_observed_at"]) >= start]
    ranked = sorted(features, key=lambda f: (-severity(f), f["properties"]["first_observed_at"]))
    listed = []
    for f in ranked[:top]:
        p = f["properties"]
        used.add("event", f["id"], p["label"])
        # What the event's visible reports say (an event's own title is only its kind's).
        held = events.event_report_list(conn, viewer=viewer, event_id=_event_id(conn, f["id"]))
        for r in held[:3]:
            used.add("event_report", r["id"], r["label"])
        listed.append(
            {
                "id": f["id"],
                "kind": p["kind"],
                "title": p["title"],
                "reports_said": [r["title"] for r in held[:3]],
                "first_observed_at": p["first_observed_at"],
                "reports": p["report_count"],
                "sources": p["source_count"],
                "credibility": p["credibility"],
                "score": round(severity(f), 2),
                "lon": f["geometry"]["coordinates"][0],
                "lat": f["geometry"]["coordinates"][1],
                "label": p["label"],
            }
        )
    return {"total": len(features), "top": listed}


def _event_id(conn: Connection, uuid: str) -> int:
    return int(
        conn.execute(select(event_table.c.id).where(event_table.c.uuid == uuid)).scalar_one()
    )


def _violations(
    conn: Connection,
    viewer: Viewer,
    start: datetime,
    end: datetime,
    mission: str | None,
    used: _Labels,
) -> dict[str, Any]:
    """Violations observed in the window (new), and how many of them are now confirmed or
    dismissed: the dashboard's counts (withdrawn ones are not counted)."""
    body = stats.violations_per_day(
        conn, viewer=viewer, by="party", start=start, end=end, mission=mission
    )
    counts = {s: 0 for s in stats.STATES}
    for series in body["series"]:
        for state, per_day in series["states"].items():
            counts[state] += sum(per_day)
    for item in body["items"]:
        used.add("violation_count", item["key"], item["label"], item["total"])
    page = violation_store.list_violations(
        conn, viewer=viewer, start=start, end=end, mission=mission, state=stats.STATES,
        limit=LISTED,
    )  # fmt: skip
    listed = []
    for f in page["features"]:
        p = f["properties"]
        used.add("violation", f["id"], p["label"])
        listed.append(
            {
                "id": f["id"],
                "observed_at": p["observed_at"],
                "state": p["state"],
                "party": p["party"],
                "zone": p["zone_name"] or p["zone"],
                "obligation": p["obligation"],
                "category": p["category"],
                "lon": f["geometry"]["coordinates"][0],
                "lat": f["geometry"]["coordinates"][1],
                "label": p["label"],
            }
        )
    return {
        "new": sum(counts.values()),
        "suspected": counts["suspected"],
        "confirmed": counts["confirmed"],
        "dismissed": counts["dismissed"],
        "by_party": [
            {"key": s["key"], "name": s.get("name") or s["key"], "total": s["total"]}
            for s in body["series"]
        ],
        "listed": listed,
    }


def _deadlines(
    conn: Connection, viewer: Viewer, end: datetime, mission: str | None, used: _Labels
) -> list[dict[str, Any]]:
    """Obligations with a deadline: pending (not yet due at the window's end), breached (open
    violations since it) or met. The store splits a version by the label of its violations;
    here each version is one row, under the highest of those labels (one the reader sees)."""
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for item in compliance_views.deadlines(conn, viewer=viewer, mission=mission)["items"]:
        used.add("deadline", f"{item['obligation']}/{item['version']}", item["label"])
        key = (item["obligation"], item["version"])
        row = rows.get(key)
        if row is None:
            rows[key] = row = {
                "obligation": item["obligation"],
                "version": item["version"],
                "title": item["title"],
                "deadline": item["deadline"],
                "deadline_at": item["deadline_at"],
                "complied": True,
                "violations": 0,
                "label": item["label"],
            }
        row["complied"] = row["complied"] and item["complied"]
        row["violations"] += item["violations"]
        if Label.parse(item["label"]).classification > Label.parse(row["label"]).classification:
            row["label"] = item["label"]
    out = []
    for row in rows.values():
        due = row["deadline_at"]
        if due is not None and _at(due) >= end:
            row["status"] = "pending"
        else:
            row["status"] = "met" if row["complied"] else "breached"
        out.append(row)
    return out


def _patrols(
    conn: Connection,
    viewer: Viewer,
    start: datetime,
    end: datetime,
    mission: str | None,
    used: _Labels,
) -> dict[str, Any]:
    body = stats.patrols_per_day(conn, viewer=viewer, start=start, end=end, mission=mission)
    totals = {s["key"]: s["total"] for s in body["series"]}
    for item in body["items"]:
        used.add("patrols", "patrols", item["label"], item["patrols"])
    return {
        "patrols": int(totals.get("patrols", 0)),
        "track_points": int(totals.get("track_points", 0)),
        "km": round(float(totals.get("km", 0.0)), 1),
    }


def _convoys(
    conn: Connection,
    viewer: Viewer,
    start: datetime,
    end: datetime,
    mission: str | None,
    used: _Labels,
) -> dict[str, Any]:
    """Convoys that departed, arrived, or were due and late, within the window."""

    def inside(t: datetime | None) -> bool:
        return t is not None and start <= t < end

    counts = {"departed": 0, "delivered": 0, "delayed": 0}
    listed = []
    for row in convoy_store.convoy_rows(conn, viewer=viewer, mission=mission, limit=100_000):
        late = (
            row.status != "aborted"
            and inside(row.planned_arrival)
            and (row.arrived_at is None or row.arrived_at > row.planned_arrival)
        )
        flags = {
            "departed": inside(row.departed_at),
            "delivered": inside(row.arrived_at),
            "delayed": late,
        }
        if not any(flags.values()):
            continue
        for name, on in flags.items():
            counts[name] += int(on)
        used.add("convoy", row.uid, row.label)
        listed.append(
            {
                "id": row.uid,
                "name": row.name,
                "agency": row.agency,
                "status": row.status,
                "departed_at": rfc3339(row.departed_at),
                "arrived_at": rfc3339(row.arrived_at),
                "planned_arrival": rfc3339(row.planned_arrival),
                "delayed": late,
                "label": row.label,
            }
        )
    return {**counts, "listed": listed[:LISTED]}


def _weapons(
    conn: Connection,
    viewer: Viewer,
    start: datetime,
    end: datetime,
    mission: str | None,
    used: _Labels,
) -> list[dict[str, Any]]:
    by: dict[str, dict[str, Any]] = {}
    for category, marking, quantity, items in queries.weapons_collected(
        conn, viewer=viewer, start=start, end=end, mission=mission
    ):
        row = by.setdefault(category, {"category": category, "quantity": 0, "receipts": 0})
        row["quantity"] += quantity
        row["receipts"] += items
        used.add("weapons", category, marking, quantity)
    return sorted(by.values(), key=lambda r: (-r["quantity"], r["category"]))


def labels_of(body: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """(id, marking) of everything a SITREP was made from (for the read's audit)."""
    return ((i["id"], i["label"]) for i in body["items"])
