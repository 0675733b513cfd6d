"""Convoys with drawn labels, for the label matrix (test_label_matrix.py): convoys under way
(so the violations written after them raise alerts, each under the most restrictive label of
the convoy and the violation), their own track points and deliveries under labels of their
own; a viewer's route risk must be scored only from what they see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from peacewatch.domain.labels import Viewer
from peacewatch.ops import convoys
from peacewatch.store import Store

# Each kind's item routes ("{}" is the record's id).
ITEM_ROUTES = {"convoy": ["/api/v1/convoys/{}", "/api/v1/convoys/{}/risk"]}
# The read routes, for the matrix.
MATRIX = {
    "/api/v1/convoys": "/api/v1/convoys?at=1999-06-20T00:00:00Z",
    "/api/v1/convoys/deliveries": "/api/v1/convoys/deliveries",
    "/api/v1/convoys/{uid}": None,  # each convoy
    "/api/v1/convoys/{uid}/risk": None,  # each convoy
}


def load(
    store: Store, draw: Callable[[Any], Any], labels: st.SearchStrategy[str], writer: Viewer
) -> dict[str, list[tuple[str, str]]]:
    """Write the convoys (call before the violations are written); returns (id, label)."""
    convoys.attach(store)  # as the app does, after compliance and fusion
    made = []
    for i in range(draw(st.integers(1, 2))):
        label = draw(labels)
        uid = convoys.plan_convoy(
            store, viewer=writer,
            data={"uid": f"c{i}", "mission": "KFOR", "name": f"Convoy {i}", "agency": "UNHCR",
                  "route": [[21.0, 42.0], [21.15, 42.03], [21.3, 42.1]], "label": label,
                  "cargo": [{"item": "flour", "quantity": 1, "unit": "t"}],
                  "planned_departure": "1999-06-14T06:00:00Z",
                  "planned_arrival": "1999-06-30T06:00:00Z"},
        )  # fmt: skip
        convoys.set_status(store, viewer=writer, uid=uid, status="under_way",
                           at="1999-06-14T06:00:00Z")  # fmt: skip
        convoys.add_points(
            store, viewer=writer, uid=uid,
            data={"points": [[21.0, 42.0, "1999-06-14T07:00:00Z"]], "label": draw(labels)},
        )  # fmt: skip
        convoys.record_delivery(
            store, viewer=writer, uid=uid,
            data={"place": "Ferizaj", "lon": 21.155, "lat": 42.37, "sector": "Food",
                  "delivered_at": "1999-06-15T06:00:00Z", "beneficiaries": 10,
                  "cargo": [{"item": "flour", "quantity": 1, "unit": "t"}],
                  "label": draw(labels)},
        )  # fmt: skip
        made.append((uid, label))
    return {"convoy": made}
