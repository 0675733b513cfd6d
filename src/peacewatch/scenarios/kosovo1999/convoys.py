"""Humanitarian convoys in the scenario, summer 1999: UNHCR and WFP runs between real towns
(their positions from the scenario's GeoNames gazetteer), escorted by the brigade whose sector
they cross. Every convoy, cargo and delivery is synthetic and marked so; what is historical is
only the setting (UNHCR and WFP supplied the return of the refugees from June 1999) and the
towns. Regions are the five UNMIK regions of 1999 (Pristina, Peć, Prizren, Mitrovica,
Gnjilane) under the names used in KFOR documents of the time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from peacewatch.domain.labels import Viewer
from peacewatch.ops import convoys as ops
from peacewatch.scenarios.kosovo1999.facts import PUBLIC_LABEL
from peacewatch.store import Store, reference

SYNTHETIC: Final = "synthetic scenario data (not historical): convoy, cargo and figures invented"


def _t(text: str) -> str:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).isoformat()


def _cargo(*items: tuple[str, float, str]) -> list[dict[str, Any]]:
    return [{"item": i, "quantity": q, "unit": u} for i, q, u in items]


# (uid, name, agency, towns along the route, escort, cargo, planned departure and arrival,
#  status with departed/arrived times, deliveries (town, region, sector, cargo, people)).
CONVOYS: Final[list[dict[str, Any]]] = [
    {
        "uid": "unhcr-99-0628-podujeva",
        "name": "UNHCR shelter convoy Pristina - Podujeva",
        "agency": "UNHCR",
        "towns": ["Pristina", "Podujeva"],
        "escort": "kfor-mnb-centre-gbr-2",
        "cargo": _cargo(
            ("plastic sheeting", 400, "rolls"),
            ("blankets", 5000, "pcs"),
            ("family tents", 300, "pcs"),
        ),
        "planned": ("1999-06-28T06:00", "1999-06-28T11:00"),
        "status": ("arrived", "1999-06-28T06:20", "1999-06-28T11:40"),
        "deliveries": [("Podujeva", "Pristina", "Shelter", None, 6000)],
    },
    {
        "uid": "wfp-99-0705-glogovac",
        "name": "WFP food convoy Pristina - Kosovo Polje - Glogovac (Drenica)",
        "agency": "WFP",
        "towns": ["Pristina", "Kosovo Polje", "Glogovac"],
        "escort": "kfor-mnb-centre-gbr-1",
        "cargo": _cargo(("wheat flour", 60, "t"), ("vegetable oil", 6, "t"), ("pulses", 8, "t")),
        "planned": ("1999-07-05T05:30", "1999-07-05T10:00"),
        "status": ("arrived", "1999-07-05T05:45", "1999-07-05T10:30"),
        "deliveries": [("Glogovac", "Pristina", "Food", None, 12000)],
    },
    {
        "uid": "wfp-99-0714-gjakova",
        "name": "WFP food convoy Prizren - Orahovac - Gjakovë",
        "agency": "WFP",
        "towns": ["Prizren", "Orahovac", "Gjakovë"],
        "escort": "kfor-mnb-west-ita-2",
        "cargo": _cargo(
            ("wheat flour", 40, "t"), ("vegetable oil", 4, "t"), ("high-energy biscuits", 3, "t")
        ),
        "planned": ("1999-07-14T06:00", "1999-07-14T12:00"),
        "status": ("arrived", "1999-07-14T06:10", "1999-07-14T13:05"),
        "deliveries": [
            (
                "Orahovac",
                "Prizren",
                "Food",
                _cargo(("wheat flour", 15, "t"), ("vegetable oil", 1.5, "t")),
                4500,
            ),
            (
                "Gjakovë",
                "Peć",
                "Food",
                _cargo(
                    ("wheat flour", 25, "t"),
                    ("vegetable oil", 2.5, "t"),
                    ("high-energy biscuits", 3, "t"),
                ),
                9000,
            ),
        ],
    },
    {
        "uid": "unhcr-99-0720-mitrovica",
        "name": "UNHCR winterisation convoy Vushtrri - Mitrovicë",
        "agency": "UNHCR",
        "towns": ["Vushtrri", "Mitrovicë"],
        "escort": "kfor-mnb-north-fra-1",
        "cargo": _cargo(("stoves", 200, "pcs"), ("blankets", 2000, "pcs")),
        "planned": ("1999-07-20T07:00", "1999-07-20T09:30"),
        "status": ("aborted", "1999-07-20T07:05", "1999-07-20T08:10"),
        "deliveries": [],
    },
    {
        "uid": "unhcr-99-0802-decan",
        "name": "UNHCR returnee convoy Pejë - Deçan",
        "agency": "UNHCR",
        "towns": ["Pejë", "Deçan"],
        "escort": "kfor-mnb-west-ita-1",
        "cargo": _cargo(("shelter kits", 250, "kits"), ("stoves", 250, "pcs")),
        "planned": ("1999-08-02T07:00", "1999-08-02T11:00"),
        "status": ("under_way", "1999-08-02T07:15", None),
        "deliveries": [],
    },
    {
        "uid": "wfp-99-0810-gjilan",
        "name": "WFP food convoy Ferizaj - Gjilan",
        "agency": "WFP",
        "towns": ["Ferizaj", "Gjilan"],
        "escort": "kfor-mnb-east-usa-1",
        "cargo": _cargo(("wheat flour", 30, "t"), ("sugar", 2, "t")),
        "planned": ("1999-08-10T06:00", "1999-08-10T10:00"),
        "status": ("planned", None, None),
        "deliveries": [],
    },
]


def load_convoys(store: Store, viewer: Viewer, _generator: Any) -> dict[str, int]:
    """Plan, move and deliver the scenario's convoys through ops/convoys.py."""
    with store.read() as conn:
        towns = {t for c in CONVOYS for t in c["towns"]} | {
            d[0] for c in CONVOYS for d in c["deliveries"]
        }
        where = {t: reference.find_place(conn, t) for t in sorted(towns)}
    missing = sorted(t for t, p in where.items() if p is None)
    if missing:
        raise RuntimeError(f"scenario towns missing from the gazetteer: {', '.join(missing)}")
    delivered = 0
    for c in CONVOYS:
        status, departed, arrived = c["status"]
        ops.plan_convoy(
            store,
            viewer=viewer,
            data={
                "uid": c["uid"], "mission": "KFOR", "name": c["name"], "agency": c["agency"],
                "route": [list(where[t] or ()) for t in c["towns"]], "cargo": c["cargo"],
                "escort": c["escort"], "planned_departure": _t(c["planned"][0]),
                "planned_arrival": _t(c["planned"][1]), "label": PUBLIC_LABEL,
                "synthetic": True, "attributes": {"source": SYNTHETIC},
            },
        )  # fmt: skip
        if departed:
            ops.set_status(store, viewer=viewer, uid=c["uid"], status="under_way", at=_t(departed))
        if arrived:
            ops.set_status(store, viewer=viewer, uid=c["uid"], status=status, at=_t(arrived))
        for n, (town, region, sector, cargo, people) in enumerate(c["deliveries"]):
            lon, lat = where[town] or (0.0, 0.0)
            ops.record_delivery(
                store,
                viewer=viewer,
                uid=c["uid"],
                data={
                    "id": f"{c['uid']}-d{n + 1}", "place": town, "adm1": region, "lon": lon,
                    "lat": lat, "delivered_at": _t(c["status"][2]), "sector": sector,
                    "cargo": cargo or c["cargo"], "beneficiaries": people,
                    "label": PUBLIC_LABEL,
                },
            )  # fmt: skip
            delivered += 1
    return {"convoys": len(CONVOYS), "deliveries": delivered}
