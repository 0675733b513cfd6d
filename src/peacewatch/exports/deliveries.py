"""Convoy deliveries as an HXL 3W table (who, what, where) for partner agencies.

One row per cargo item delivered. The people a delivery reached are given on its first row
only (blank on the others), so summing ``#reached`` counts each delivery once; ``#meta+id``
names the delivery its rows belong to. Free text goes through the same CSV-injection guard as
the report exports (``tabular._safe``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from peacewatch.domain.labels import Classification, Label, Viewer, most_restrictive
from peacewatch.exports.tabular import _safe
from peacewatch.store import Store, audit
from peacewatch.store import convoys as convoy_store

# (human header, HXL hashtag)
HXL_3W_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Organisation", "#org+name"),
    ("Sector", "#sector+name"),
    ("Region", "#adm1+name"),
    ("Location", "#loc+name"),
    ("Latitude", "#geo+lat"),
    ("Longitude", "#geo+lon"),
    ("Date delivered", "#date+delivered"),
    ("Item", "#item+name"),
    ("Quantity", "#output+num"),
    ("Unit", "#output+unit"),
    ("People reached", "#reached+ind"),
    ("Convoy", "#activity+code"),
    ("Delivery", "#meta+id"),
    ("Label", "#meta+label"),
)


@dataclass
class DeliveriesExport:
    """Deliveries ``viewer`` may see and the label of the table that holds them."""

    store: Store
    viewer: Viewer
    mission: str | None
    rows: list[dict[str, Any]]
    label: Label


def plan_deliveries(store: Store, *, viewer: Viewer, mission: str | None) -> DeliveriesExport:
    """Read the deliveries (through the label filter) and derive the table's label: the most
    restrictive of theirs, or unclassified releasable to the viewer when there are none."""
    with store.read() as conn:
        rows = convoy_store.deliveries(conn, viewer=viewer, mission=mission)
    markings = {r["label"] for r in rows}
    label = (
        most_restrictive(Label.parse(m) for m in markings)
        if markings
        else Label(Classification.NATO_UNCLASSIFIED, viewer.codes)
    )
    return DeliveriesExport(store, viewer, mission, rows, label)


def _lines(delivery: dict[str, Any]) -> Iterator[list[Any]]:
    for n, item in enumerate(delivery["cargo"]):
        yield [
            _safe(delivery["agency"]), _safe(delivery["sector"]), _safe(delivery["adm1"] or ""),
            _safe(delivery["place"]), delivery["lat"], delivery["lon"],
            (delivery["delivered_at"] or "")[:10], _safe(item["item"]), item["quantity"],
            _safe(item["unit"]), delivery["beneficiaries"] if n == 0 else "",
            delivery["convoy"], delivery["id"], delivery["label"],
        ]  # fmt: skip


def write_hxl_3w(export: DeliveriesExport) -> Iterator[bytes]:
    """The table as HXL-tagged CSV (headers, hashtags, then rows); audited once written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([h for h, _ in HXL_3W_COLUMNS])
    writer.writerow([t for _, t in HXL_3W_COLUMNS])
    for delivery in export.rows:
        writer.writerows(_lines(delivery))
    yield buffer.getvalue().encode()
    with export.store.write() as conn:
        audit.append(
            conn,
            actor=export.viewer.name,
            action="export",
            target="deliveries",
            detail={"format": "hxl", "count": len(export.rows), "mission": export.mission,
                    "label": export.label.marking},
        )  # fmt: skip
