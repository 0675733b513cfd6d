"""Patrol plans of the scenario: the plan behind every tenth generated patrol (same unit,
route and hours, so the patrol is matched to it), and a recurring area patrol of each
sector's first patrolling unit over the mission's first four weeks. Synthetic, like the
patrols they plan."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import shapely

from peacewatch.domain.labels import Viewer
from peacewatch.ingest.patrol_plans import add_plans
from peacewatch.scenarios.kosovo1999 import history
from peacewatch.store import Store

_LABEL = "NATO RESTRICTED REL TO KFOR, NATO"
_EVERY = 10  # one patrol in ten was planned ahead
_MAX_ROUTES = 500
_BATCH = 250


def _route_plan(patrol: dict[str, Any]) -> dict[str, Any]:
    """The plan a generated patrol carried out: its from-to route over the whole hours."""
    first, last = patrol["track"][0], patrol["track"][-1]
    start = patrol["start"].replace(minute=0, second=0, microsecond=0)
    end = patrol["end"].replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return {
        "uid": f"plan-{patrol['uid']}",
        "mission": "KFOR",
        "name": patrol["name"].replace(" patrol ", " planned patrol ", 1),
        "unit": patrol["unit_uid"],
        "geometry": {"type": "LineString", "coordinates": [first[:2], last[:2]]},
        "start": start.isoformat(),
        "end": end.isoformat(),
        "status": "planned",
        "label": _LABEL,
        "synthetic": True,
        "attributes": {"sector": patrol["attributes"]["sector"]},
    }


def load_patrol_plans(store: Store, viewer: Viewer, gen: Any) -> dict[str, int]:
    """Write the scenario's patrol plans; returns how many of each kind."""
    routes: list[dict[str, Any]] = []
    first_unit: dict[str, str] = {}
    index = 0
    for batch in gen.iter_patrols(batch_size=1000):
        for patrol in batch:
            first_unit.setdefault(patrol["attributes"]["sector"], patrol["unit_uid"])
            if index % _EVERY == 0 and len(routes) < _MAX_ROUTES:
                routes.append(_route_plan(patrol))
            index += 1
    start: datetime = history.MISSION["start"]
    areas = []
    for zone in history.zones():
        if zone["kind"] != "sector" or zone["uid"] not in first_unit:
            continue
        geometry = zone["geometry"]
        if geometry.geom_type == "MultiPolygon":
            geometry = max(geometry.geoms, key=lambda g: g.area)
        begins = start.replace(hour=8, minute=0, second=0)
        areas.append(
            {
                "uid": f"plan-area-{zone['uid']}",
                "mission": "KFOR",
                "name": f"{zone['name']}: area presence patrol",
                "unit": first_unit[zone["uid"]],
                "geometry": shapely.geometry.mapping(geometry.simplify(0.002)),
                "start": begins.isoformat(),
                "end": (begins + timedelta(hours=8)).isoformat(),
                "repeat": {"days": ["mon", "wed", "fri"],
                           "until": (begins + timedelta(weeks=4)).isoformat()},
                "status": "planned",
                "label": _LABEL,
                "synthetic": True,
            }
        )  # fmt: skip
    for at in range(0, len(routes), _BATCH):
        add_plans(store, viewer=viewer, items=routes[at : at + _BATCH])
    if areas:
        add_plans(store, viewer=viewer, items=areas)
    return {"route_plans": len(routes), "area_plans": len(areas)}
