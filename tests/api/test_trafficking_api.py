"""Counter-trafficking end to end through the API: seizures in, the route network out, with
growth over 30 days, permissions, 422s naming the field and label filtering."""

from __future__ import annotations

from fastapi.testclient import TestClient

from peacewatch.store import Store
from tests.conftest import bearer, make_user

SHARED = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"
NATO_ONLY = "NATO RESTRICTED REL TO KFOR, NATO"
PARTNER = {"nation": "UKR", "clearance": "NATO RESTRICTED", "communities": ("PARTNER",),
           "roles": ("partner_liaison",)}  # fmt: skip


def _seize(client: TestClient) -> None:
    morina = {
        "category": "cigarettes",
        "quantity": 400,
        "unit": "cartons",
        "place": "Morina",
        "lon": 20.55,
        "lat": 42.1,
        "origin": "Kukës",
        "crossing": "Morina",
        "destination": "Prizren",
        "route": {"origin": [20.42, 42.08]},
        "label": SHARED,
    }
    blace = {
        "category": "people",
        "quantity": 6,
        "unit": "persons",
        "place": "Hani i Elezit",
        "lon": 21.29,
        "lat": 42.15,
        "origin": "Skopje",
        "crossing": "Hani i Elezit",
        "destination": "Pristina",
        "label": NATO_ONLY,
        "chain": "op-sunrise",
    }
    rows = [
        morina | {"uid": "m1", "seized_at": "2000-05-25T06:00:00Z"},
        morina | {"uid": "m2", "seized_at": "2000-05-28T06:00:00Z"},
        morina | {"uid": "m3", "seized_at": "2000-04-10T06:00:00Z"},
        blace | {"uid": "b1", "seized_at": "2000-04-15T06:00:00Z"},
        blace | {"uid": "b2", "seized_at": "2000-04-20T06:00:00Z", "place": "Ferizaj",
                 "lon": 21.15, "lat": 42.37},
    ]  # fmt: skip
    r = client.post("/api/v1/seizures", json=rows)
    assert r.status_code == 201, r.text
    assert [f["id"] for f in r.json()["features"]] == ["m1", "m2", "m3", "b1", "b2"]


def test_trafficking_end_to_end(client: TestClient) -> None:
    _seize(client)
    body = client.get("/api/v1/seizures", params={"category": "people"}).json()
    assert [f["id"] for f in body["features"]] == ["b1", "b2"]
    assert body["label"] == NATO_ONLY
    one = client.get("/api/v1/seizures/m1").json()
    assert one["properties"]["crossing"] == "Morina"
    assert client.get("/api/v1/seizures/zz").status_code == 404

    r = client.get("/api/v1/trafficking/routes", params={"at": "2000-06-01T00:00:00Z"})
    assert r.status_code == 200, r.text
    net = r.json()
    routes = {x["id"]: x for x in net["routes"]}
    morina = routes["Kukës → Morina → Prizren"]
    assert (morina["recent"], morina["previous"], morina["grew"]) == (2, 1, True)
    blace = routes["Skopje → Hani i Elezit → Pristina"]
    assert (blace["recent"], blace["previous"], blace["grew"]) == (0, 2, False)
    assert net["growing"] == ["Kukës → Morina → Prizren"]
    edges = {e["id"]: e for e in net["edges"]}
    assert edges["Hani i Elezit → Ferizaj"]["kinds"] == ["chain"]
    nodes = {n["id"]: n for n in net["nodes"]}
    assert nodes["Kukës"]["coordinates"] == [20.42, 42.08]
    assert [h["id"] for h in net["hotspots"]] == ["Morina", "Hani i Elezit"]
    assert net["label"] == NATO_ONLY
    # the window: only May, and growth counted back from its end
    r = client.get(
        "/api/v1/trafficking/routes",
        params={"start": "2000-05-01T00:00:00Z", "end": "2000-06-01T00:00:00Z"},
    )
    assert [x["id"] for x in r.json()["routes"]] == ["Kukës → Morina → Prizren"]
    assert r.json()["label"] == SHARED


def test_bad_input_is_a_422_naming_the_field(client: TestClient) -> None:
    good = {
        "seized_at": "2000-05-25T06:00:00Z",
        "category": "fuel",
        "quantity": 900,
        "unit": "litres",
        "place": "Morina",
        "lon": 20.55,
        "lat": 42.1,
        "crossing": "Morina",
    }
    for override, field in (
        ({"unit": "barrels"}, "unit"),
        ({"lon": "east"}, "lon"),
        ({"category": "gold"}, "category"),
        ({"crossing": None}, "crossing"),
    ):
        r = client.post("/api/v1/seizures", json=good | override)
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == [field]
    r = client.get("/api/v1/trafficking/routes", params={"bucket": "year"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "bucket"
    r = client.get("/api/v1/seizures", params={"category": "gold"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "category"
    assert client.post("/api/v1/seizures", json=good).status_code == 201  # fmt: skip


def test_writes_need_seizures_write(client: TestClient, store: Store) -> None:
    watch = make_user(store, "watch1", roles=("watchkeeper",))
    r = client.post("/api/v1/seizures", headers=bearer(store, watch), json={})
    assert r.status_code == 403


def test_a_partner_sees_the_network_of_what_is_released_to_them(
    client: TestClient, store: Store
) -> None:
    _seize(client)
    partner = make_user(store, "ukr1", **PARTNER)  # type: ignore[arg-type]
    headers = bearer(store, partner)
    seen = client.get("/api/v1/seizures", headers=headers).json()["features"]
    assert {f["id"] for f in seen} == {"m1", "m2", "m3"}
    net = client.get(
        "/api/v1/trafficking/routes", headers=headers, params={"at": "2000-06-01T00:00:00Z"}
    ).json()
    assert [r["id"] for r in net["routes"]] == ["Kukës → Morina → Prizren"]
    assert {n["id"] for n in net["nodes"]} == {"Kukës", "Morina", "Prizren"}
    assert net["label"] == SHARED
    assert client.get("/api/v1/seizures/b1", headers=headers).status_code == 404


def test_cli_trafficking_routes(client: TestClient, store: Store) -> None:
    import json

    from click.testing import CliRunner

    from peacewatch.cli import main

    _seize(client)
    make_user(store, "ukr2", **PARTNER)  # type: ignore[arg-type]
    url = store.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    args = ["--database", url, "trafficking", "routes", "--at", "2000-06-01T00:00:00Z"]
    result = runner.invoke(main, [*args, "--as", "operator", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["growing"] == ["Kukës → Morina → Prizren"]
    text = runner.invoke(main, [*args, "--as", "ukr2"])
    assert text.exit_code == 0, text.output
    assert "▲ Kukës → Morina → Prizren: 2 / 1, 3" in text.output
    assert "Hani i Elezit" not in text.output
    bad = runner.invoke(main, [*args, "--as", "ukr2", "--category", "gold"])
    assert bad.exit_code == 2 and "category" in bad.output
