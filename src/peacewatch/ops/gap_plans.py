"""Draft patrol plans from coverage gaps: tomorrow's patrols where incidents outrun patrols."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import shapely
from sqlalchemy import Connection, select

from peacewatch.domain.geometry import buffer_m
from peacewatch.domain.labels import Label, Viewer, most_restrictive
from peacewatch.errors import FieldProblem, NotFound, ValidationFailed
from peacewatch.ops.coverage import gap_labels
from peacewatch.store.label_filter import visible
from peacewatch.store.tables import zones


def _area(conn: Connection, viewer: Viewer, feature: dict[str, Any], radius_m: float) -> Any:
    """The area a plan for a gap patrols: the circle of the radius round a town, or the zone
    (its largest part when it has several)."""
    props = feature["properties"]
    if props["kind"] == "town":
        lon, lat = feature["geometry"]["coordinates"]
        return buffer_m(shapely.Point(lon, lat), radius_m, quad_segs=8)
    uid = str(props["id"]).removeprefix("zone:")
    zone = conn.execute(
        select(zones.c.geometry).where(zones.c.uid == uid, visible(zones, viewer))
    ).scalar()
    if zone is None:
        raise NotFound(f"no zone {uid}")
    if zone.geom_type == "MultiPolygon":
        return max(zone.geoms, key=lambda g: g.area)
    return zone


def draft_plans(
    conn: Connection,
    *,
    viewer: Viewer,
    ranked: dict[str, Any],
    top: int = 3,
    ids: tuple[str, ...] = (),
    start: datetime | None = None,
    hours: float = 4.0,
    label: str | None = None,
) -> list[dict[str, Any]]:
    """Draft patrol plans (as the plan writer takes them) for the ``top`` gaps of ``ranked``
    (or the gaps named by ``ids``): an area patrol of ``hours`` from ``start`` (default: 08:00
    UTC the day after the window), labelled with the most restrictive label of what the gap
    was derived from, or ``label`` (at least as high as what was counted). When what a gap
    counts shares no releasability, the plan is released to the planner's nation only."""
    chosen = (
        ranked["features"][:top] if not ids else [f for f in ranked["features"] if f["id"] in ids]
    )
    missing = sorted(set(ids) - {f["id"] for f in chosen})
    if missing:
        raise ValidationFailed(
            "unknown coverage gap", [FieldProblem("gaps", f"not a gap now: {', '.join(missing)}")]
        )
    if start is None:
        end = datetime.fromisoformat(str(ranked["end"]).replace("Z", "+00:00"))
        start = datetime(end.year, end.month, end.day, 8, tzinfo=UTC) + timedelta(days=1)
    out = []
    for feature in chosen:
        props = feature["properties"]
        derived = gap_labels(feature)
        found = most_restrictive([Label.parse(m) for m in derived]) if derived else None
        chosen_label = Label.parse(label) if label else found
        if found is not None and chosen_label is not None:
            if chosen_label.classification < found.classification:
                raise ValidationFailed(
                    f"the gap {props['name']} counts {found.classification.marking} records",
                    [FieldProblem("label", f"at least {found.classification.marking}")],
                )
            if not chosen_label.releasable_to:
                # No audience in common (REL GBR and REL KFOR, NATO): the planner's own nation,
                # who saw every one of them, at the highest classification counted.
                chosen_label = Label(found.classification, frozenset({viewer.nation}))
        area = _area(conn, viewer, feature, float(ranked["radius_m"]))
        out.append(
            {
                "mission": ranked["mission"],
                "name": f"Coverage gap: {props['name']}",
                "geometry": shapely.geometry.mapping(area),
                "start": start.isoformat(),
                "end": (start + timedelta(hours=hours)).isoformat(),
                "status": "draft",
                "label": chosen_label.marking if chosen_label is not None else None,
                "attributes": {
                    "gap": {
                        k: props.get(k)
                        for k in ("id", "rank", "score", "terms", "incidents", "patrols",
                                  "last_patrolled")
                    },
                    "window": {"start": ranked["start"], "end": ranked["end"]},
                },
            }
        )  # fmt: skip
    return out
