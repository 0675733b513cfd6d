"""Loading the Kosovo 1999 scenario into a store through the same paths every input takes."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from peacewatch.domain.labels import Classification, Viewer
from peacewatch.ingest import records
from peacewatch.ingest.agreements import add_agreement
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from peacewatch.store.reference import add_places, mission_id


def scenario_viewer(codes: list[str]) -> Viewer:
    """The account the scenario is written as: cleared NATO SECRET, in every community."""
    return Viewer(
        name="scenario",
        nation="GBR",
        clearance=Classification.NATO_SECRET,
        communities=frozenset(codes),
    )


def load_history(store: Store) -> Viewer:
    """Write the historical layer (nations, mission, parties, zones, places, units)."""
    from peacewatch.scenarios.kosovo1999 import history

    nations = [{"code": n["code"], "name": n["name"], "kind": n["kind"]} for n in history.NATIONS]
    records.add_nations(store, nations)
    viewer = scenario_viewer([n["code"] for n in nations])
    m = history.MISSION
    aoi = history.air_safety_zone().union(history.kosovo()).envelope
    records.add_mission(
        store,
        viewer=viewer,
        data={
            "code": m["code"], "name": m["name"], "start": m["start"], "end": m.get("end"),
            "default_label": m["default_label"], "label": m.get("label"),
            "mandate": m.get("mandate"),
            "source": m.get("source"), "aoi": aoi,
            "attributes": {"agreement": _jsonable(history.AGREEMENT)},
        },
    )  # fmt: skip
    for party in history.PARTIES:
        records.add_party(
            store, viewer=viewer, data={"label": m.get("label"), **party, "mission": m["code"]}
        )
    for zone in history.zones():
        records.add_zone(store, viewer=viewer, data={**zone, "mission": m["code"]})
    with store.write() as conn:
        add_places(
            conn,
            [
                {
                    "geonames_id": p["geonames_id"], "name": p["name"], "kind": p["kind"],
                    "country": p.get("country"), "lon": p["lon"], "lat": p["lat"],
                    "population": p.get("population"), "source": p.get("source"),
                }
                for p in history.places()
            ],
        )  # fmt: skip
    for unit in history.units():
        records.add_unit(store, viewer=viewer, data={**unit, "mission": m["code"]})
    a = history.AGREEMENT
    add_agreement(
        store,
        viewer=viewer,
        data={
            "code": a["code"], "name": a["name"], "mission": m["code"], "signed": a["signed"],
            "entry_into_force": a["entry_into_force"], "source": a["source"],
            "label": m.get("label"), "attributes": {"phases": _jsonable(a["phases"])},
            "obligations": [{**o, "label": m.get("label")} for o in history.OBLIGATIONS],
        },
    )  # fmt: skip
    return viewer


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def load_kosovo1999(
    store: Store,
    *,
    size: str | int = "small",
    seed: int = 1999,
    progress: Callable[[str], None] | None = None,
    batch_size: int = 1000,
) -> dict[str, Any]:
    """Load history and generated activity; returns counts and timings."""
    from peacewatch.scenarios.kosovo1999.generator import Generator

    say = progress or (lambda _msg: None)
    with store.read() as conn:
        if mission_id(conn, "KFOR") is not None:
            raise RuntimeError("the Kosovo 1999 scenario is loaded already in this store")
    t0 = time.perf_counter()
    viewer = load_history(store)
    say("historical layer loaded")
    gen = Generator.from_size(size, seed=seed)
    positions = 0
    for batch in gen.unit_positions():
        positions += records.add_positions(store, viewer=viewer, positions=batch)
    patrols = 0
    for batch in gen.iter_patrols(batch_size=500):
        chunk = [{**p, "mission": "KFOR", "unit": p.get("unit_uid"),
                  "track": [[lon, lat, t] for lon, lat, t in p["track"]]}
                 for p in batch]  # fmt: skip
        patrols += len(records.add_patrols(store, viewer=viewer, items=chunk))
    say(f"{positions} unit positions and {patrols} patrols loaded")
    t1 = time.perf_counter()
    pipeline = Pipeline(store, viewer=viewer, mission="KFOR", batch_size=batch_size)
    items = (
        (f"report {r['id']}", r) for batch in gen.reports(batch_size=batch_size) for r in batch
    )
    summary = pipeline.run(
        items,
        progress=lambda s: say(f"{s.seen} reports") if s.seen % 100_000 == 0 else None,
    )
    t2 = time.perf_counter()
    if summary.rejected:
        first = summary.rejected[0]
        raise RuntimeError(f"scenario report rejected: {first.to_dict()}")
    from peacewatch.scenarios.kosovo1999.operations import LOADERS

    modules = {name: load(store, viewer, gen) for name, load in LOADERS}
    if modules:
        say(f"mission modules loaded: {', '.join(modules)}")
    return {
        "modules": modules,
        "reports": summary.accepted,
        "duplicates": summary.duplicates,
        "unit_positions": positions,
        "patrols": patrols,
        "history_and_tracks_s": round(t1 - t0, 2),
        "reports_s": round(t2 - t1, 2),
    }
