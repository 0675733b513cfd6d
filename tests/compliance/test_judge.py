"""Judging on ingest (reports and positions, late reports, labels of violations) and bulk
re-checks after an obligation changes, on both backends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from peacewatch.compliance.judge import attach
from peacewatch.compliance.recheck import recheck
from peacewatch.ingest import records
from peacewatch.ingest.agreements import add_agreement, add_obligation_version
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from peacewatch.store.tables import compliance_runs, labels, violations
from tests.conftest import ADMIN
from tests.helpers import T0, report

ZONE = {
    "uid": "gsz-test",
    "mission": "KFOR",
    "name": "Test safety zone",
    "kind": "ground_safety_zone",
    "valid_from": "1999-06-10T00:00:00Z",
    "label": "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER",
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[21.0, 42.0], [21.2, 42.0], [21.2, 42.2], [21.0, 42.2], [21.0, 42.0]]],
    },
}
OBLIGATION = {
    "code": "gsz",
    "clause": "Art. I.3",
    "title": "No armed forces in the test zone",
    "parties": ["FRY"],
    "zones": ["gsz-test"],
    "prohibited": ["armed_forces", "heavy_weapons"],
    "valid_from": "1999-06-21T00:00:00Z",
    "deadline": "EIF+11",
}


def _setup(store: Store) -> None:
    attach(store)
    records.add_zone(store, viewer=ADMIN, data=ZONE)
    add_agreement(
        store,
        viewer=ADMIN,
        data={
            "code": "MTA",
            "name": "Test agreement",
            "mission": "KFOR",
            "entry_into_force": "1999-06-10T00:00:00Z",
            "obligations": [OBLIGATION],
            "label": "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER",
        },
    )


def _file(store: Store, *rows: dict[str, Any]) -> None:
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in rows)
    assert summary.accepted == len(rows), summary.rejected


def _violations(store: Store) -> list[Any]:
    with store.read() as conn:
        return conn.execute(
            select(violations, labels.c.marking)
            .join(labels, labels.c.id == violations.c.label_id)
            .order_by(violations.c.id)
        ).all()


def sighting(**kw: Any) -> dict[str, Any]:
    base = {
        "kind": "armed_personnel_sighting",
        "party": "FRY",
        "lon": 21.1,
        "lat": 42.1,
        "observed_at": "1999-07-01T10:00:00Z",
        "label": "NATO SECRET REL TO NATO",
    }
    return report(**{**base, **kw})


def test_breaches_become_suspected_violations_with_the_evidence_label(store: Store) -> None:
    _setup(store)
    inside = sighting()
    _file(
        store,
        inside,
        sighting(lon=21.3),
        sighting(party="UCK"),
        sighting(kind="arson"),
        sighting(observed_at="1999-06-20T23:59:59Z"),
    )
    (v,) = _violations(store)
    assert (v.state, v.category, v.created_by) == ("suspected", "armed_forces", "compliance")
    # most restrictive of evidence (NS REL NATO), obligation and zone (NU REL KFOR, NATO, PARTNER)
    assert v.marking == "NATO SECRET REL TO NATO"
    # re-sending the same report is a duplicate: no second violation
    _file_dupes = Pipeline(store, viewer=ADMIN, mission="KFOR").run([(inside["id"], inside)])
    assert _file_dupes.duplicates == 1 and len(_violations(store)) == 1


def test_a_late_report_is_judged_at_its_observed_time(store: Store) -> None:
    _setup(store)
    # reported a year later, observed before the obligation began: no breach
    _file(store, sighting(observed_at="1999-06-15T10:00:00Z", reported_at="2000-06-15T10:00:00Z"))
    assert _violations(store) == []
    _file(store, sighting(observed_at="1999-06-25T10:00:00Z", reported_at="2000-06-15T10:00:00Z"))
    assert len(_violations(store)) == 1


def test_unit_positions_are_judged_by_their_units_party_and_symbol(store: Store) -> None:
    _setup(store)
    records.add_unit(
        store,
        viewer=ADMIN,
        data={
            "uid": "vj-armour",
            "mission": "KFOR",
            "name": "VJ tank company",
            "party": "FRY",
            "sidc": "10061000001205000000",
        },
    )
    records.add_positions(
        store,
        viewer=ADMIN,
        positions=[
            {
                "unit_uid": "vj-armour",
                "observed_at": "1999-07-02T08:00:00Z",
                "lon": 21.05,
                "lat": 42.05,
            },
            {
                "unit_uid": "vj-armour",
                "observed_at": "1999-07-02T09:00:00Z",
                "lon": 21.5,
                "lat": 42.5,
            },
        ],
    )
    (v,) = _violations(store)
    assert v.position_id is not None and v.category == "heavy_weapons"


def test_recheck_withdraws_what_a_new_version_no_longer_prohibits_and_keeps_verdicts(
    store: Store,
) -> None:
    _setup(store)
    _file(
        store,
        sighting(observed_at="1999-07-01T10:00:00Z"),
        sighting(observed_at="1999-08-01T10:00:00Z"),
        sighting(observed_at="1999-08-02T10:00:00Z", kind="heavy_weapons_sighting"),
    )
    first, second, third = _violations(store)
    with store.write() as conn:  # an officer confirmed the second one
        conn.execute(
            update(violations)
            .where(violations.c.id == second.id)
            .values(state="confirmed", reason="seen by two patrols")
        )
    # From 15 July, only heavy weapons are prohibited in the zone.
    version = add_obligation_version(
        store,
        viewer=ADMIN,
        mission="KFOR",
        agreement="MTA",
        data={**OBLIGATION, "prohibited": ["heavy_weapons"], "valid_from": "1999-07-15T00:00:00Z"},
    )
    assert version == 2
    result = recheck(store, since=T0, actor="tests")
    assert (result.created, result.withdrawn, result.unsupported_verdicts) == (1, 1, 1)
    states = {v.id: v.state for v in _violations(store)}
    assert states[first.id] == "suspected"  # judged under version 1, still a breach
    assert states[second.id] == "confirmed"  # an officer's verdict is never changed
    # the heavy-weapons sighting was judged under version 1; version 2 is in force on its day:
    # the old violation is withdrawn and one under version 2 takes its place
    assert states[third.id] == "withdrawn"
    assert len(states) == 4
    with store.read() as conn:
        run = conn.execute(select(compliance_runs).order_by(compliance_runs.c.id.desc())).first()
    assert run is not None and run.created == 1 and run.observations >= 3


def test_recheck_withdraws_suspected_violations_of_a_shrunk_window(store: Store) -> None:
    _setup(store)
    _file(store, sighting(observed_at="1999-09-01T10:00:00Z"))
    assert len(_violations(store)) == 1
    # The obligation is replaced from 1 Aug by a version that prohibits nothing we saw here.
    add_obligation_version(
        store,
        viewer=ADMIN,
        mission="KFOR",
        agreement="MTA",
        data={**OBLIGATION, "prohibited": ["aircraft"], "valid_from": "1999-08-01T00:00:00Z"},
    )
    result = recheck(store, since=T0 + timedelta(days=30), actor="tests")
    assert result.withdrawn == 1
    (after,) = _violations(store)
    assert after.state == "withdrawn" and "no longer a breach" in after.reason


def test_recheck_from_the_command_line(store: Store) -> None:
    import json

    from click.testing import CliRunner

    from peacewatch.cli import main

    _setup(store)
    _file(store, sighting())
    url = store.engine.url.render_as_string(hide_password=False)
    ok = CliRunner().invoke(
        main, ["--database", url, "compliance", "recheck", "--json", "--since", "150000ZJUN99"]
    )
    assert ok.exit_code == 0, ok.output
    result = json.loads(ok.output)
    assert result["observations"] >= 1 and result["created"] == 0 and result["rules"] == 1
    bad = CliRunner().invoke(main, ["--database", url, "compliance", "recheck", "--since", "x"])
    assert bad.exit_code == 2 and "since" in bad.output
