"""Weapons collection and seizure records with drawn labels, for the label matrix
(test_label_matrix.py): two collection points, a campaign, items with one serial seen twice
(a duplicate flag must not reveal a hidden item), custody events under labels of their own,
and seizures on two routes (the network must be built only from what the viewer sees); items
and seizures cite drawn reports (a cited report the viewer may not see must not show)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import select

from peacewatch.domain.labels import Viewer
from peacewatch.ops import trafficking, weapons_writes
from peacewatch.store import Store
from peacewatch.store.tables import reports

# Each kind's item routes ("{}" is the record's id).
ITEM_ROUTES = {
    "weapons_campaign": ["/api/v1/weapons/campaigns/{}"],
    "weapons_item": ["/api/v1/weapons/items/{}", "/api/v1/weapons/items/{}/custody"],
    "seizure": ["/api/v1/seizures/{}"],
}
# The read routes, for the matrix.
MATRIX = {
    "/api/v1/weapons/campaigns": "/api/v1/weapons/campaigns",
    "/api/v1/weapons/campaigns/{code}": None,  # each campaign
    "/api/v1/weapons/points": "/api/v1/weapons/points",
    "/api/v1/weapons/items": "/api/v1/weapons/items",
    "/api/v1/weapons/items/{uid}": None,  # each item
    "/api/v1/weapons/items/{uid}/custody": None,  # each item
    "/api/v1/weapons/progress": "/api/v1/weapons/progress",
    "/api/v1/seizures": "/api/v1/seizures",
    "/api/v1/seizures/{uid}": None,  # each seizure
    "/api/v1/trafficking/routes": "/api/v1/trafficking/routes?at=2000-06-01T00:00:00Z",
    "/api/v1/reports/{report_id}/cited-by": None,  # each report (ITEM_ROUTES["report"])
}
# Added to the report's item routes by the matrix.
REPORT_ROUTES = ["/api/v1/reports/{}/cited-by"]


def load(
    store: Store, draw: Callable[[Any], Any], labels: st.SearchStrategy[str], writer: Viewer
) -> dict[str, list[tuple[str, str]]]:
    """Write the records; returns (id, label) per kind of ``ITEM_ROUTES``."""
    with store.read() as conn:
        written = sorted(conn.execute(select(reports.c.uuid)).scalars())

    def cite() -> list[str]:
        return list(draw(st.lists(st.sampled_from(written), max_size=3, unique=True)))

    for uid, lon in (("wp0", 21.0), ("wp1", 21.1)):
        weapons_writes.add_point(
            store, viewer=writer,
            data={"uid": uid, "mission": "KFOR", "name": uid, "place": uid, "label": draw(labels),
                  "geometry": {"type": "Point", "coordinates": [lon, 42.5]}},
        )  # fmt: skip
    campaign = draw(labels)
    weapons_writes.add_campaign(
        store, viewer=writer,
        data={"code": "wc0", "mission": "KFOR", "name": "c", "start": "1999-07-01T00:00:00Z",
              "label": campaign, "targets": [{"category": "weapons", "quantity": 3},
                                             {"category": "small_arms", "place": "wp1",
                                              "quantity": 1}]},
    )  # fmt: skip
    items = []
    for i in range(3):
        label = draw(labels)
        weapons_writes.add_items(
            store, viewer=writer,
            items=[{"uid": f"wi{i}", "campaign": "wc0", "point": f"wp{i % 2}", "label": label,
                    "category": "small_arms", "serial": "AK-1" if i < 2 else "AK-2",
                    "collected_at": f"1999-07-0{i + 1}T10:00:00Z", "received_by": "x",
                    "reports": cite()}],
        )  # fmt: skip
        weapons_writes.add_custody(
            store, viewer=writer, uid=f"wi{i}",
            data={"state": "stored", "at": "1999-07-09T00:00:00Z", "by": "y", "place": "depot",
                  "label": draw(labels)},
        )  # fmt: skip
        items.append((f"wi{i}", label))
    seizures = []
    for i in range(3):
        label = draw(labels)
        trafficking.add_seizures(
            store, viewer=writer,
            items=[{"uid": f"sz{i}", "seized_at": f"2000-05-1{i}T00:00:00Z", "category": "arms",
                    "quantity": 2, "unit": "items", "place": "Morina", "lon": 20.55,
                    "lat": 42.1, "origin": "Kukës" if i else "Tirana", "crossing": "Morina",
                    "destination": "Prizren", "chain": "c1", "label": label,
                    "reports": cite()}],
        )  # fmt: skip
        seizures.append((f"sz{i}", label))
    return {"weapons_campaign": [("wc0", campaign)], "weapons_item": items, "seizure": seizures}
