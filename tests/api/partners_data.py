"""Partners' records with drawn labels, for the label matrix (test_label_matrix.py): a status of
UKR, a goal of FRA with milestones and evidence, an exercise with objectives and a
multinational unit with contributions, each child under a label of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from peacewatch.domain.labels import Viewer
from peacewatch.ops import exercise_records, partner_records
from peacewatch.store import Store

# Each kind's item routes ("{}" is the record's id).
ITEM_ROUTES = {
    "partner": ["/api/v1/partners/{}"],
    "partner_goal": ["/api/v1/partners/FRA/goals/{}"],
    "exercise": ["/api/v1/exercises/{}"],
    "multinational_unit": ["/api/v1/multinational-units/{}"],
}


def load(
    store: Store, draw: Callable[[Any], Any], labels: st.SearchStrategy[str], writer: Viewer
) -> dict[str, list[tuple[str, str]]]:
    """Write the records; returns (id, label) per kind of ``ITEM_ROUTES``."""
    status, goal, exercise, unit = draw(labels), draw(labels), draw(labels), draw(labels)
    t = "2000-01-01T00:00:00Z"
    partner_records.add_status(
        store, viewer=writer, nation="UKR",
        data={"status": "pfp", "since": t, "source": "matrix", "label": status},
    )  # fmt: skip
    partner_records.add_goal(
        store, viewer=writer, nation="FRA",
        data={"uid": "g0", "title": "Goal", "label": goal, "milestones": [
            {"title": f"m{i}", "planned": t, "label": draw(labels)} for i in range(2)]},
    )  # fmt: skip
    partner_records.add_evidence(
        store, viewer=writer, nation="FRA", uid="g0",
        data={"title": "e", "url": "https://example.org", "dated": t, "label": draw(labels)},
    )  # fmt: skip
    exercise_records.add_exercise(
        store, viewer=writer,
        data={"uid": "x0", "name": "Ex", "place": "P", "start": t, "end": t,
              "participants": ["UKR", "FRA"], "label": exercise,
              "objectives": [{"title": f"o{i}", "outcome": "met", "label": draw(labels)}
                             for i in range(2)]},
    )  # fmt: skip
    exercise_records.add_multinational_unit(
        store, viewer=writer,
        data={"uid": "m0", "name": "MNB", "kind": "brigade", "label": unit,
              "contributions": [{"nation": n, "from": t, "label": draw(labels)}
                                for n in ("FRA", "USA")]},
    )  # fmt: skip
    return {
        "partner": [("UKR", status), ("FRA", goal)],
        "partner_goal": [("g0", goal)],
        "exercise": [("x0", exercise)],
        "multinational_unit": [("m0", unit)],
    }
