"""OGC API – Features under /ogc: shape, filters, paging, labels, errors, and GDAL's OAPIF
driver (a client nobody here wrote) reading it as a watchkeeper and as a partner."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from peacewatch.domain.labels import Classification, Label, Viewer, can_see
from peacewatch.ingest import records
from peacewatch.ingest.agreements import add_agreement
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.security.users import User
from peacewatch.store import Store
from tests.conftest import ADMIN, bearer, make_user
from tests.helpers import random_reports, report

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
COLLECTIONS = ["zones", "units", "reports", "violations", "events"]
PARTNER_LABEL = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"
SECRET = "NATO SECRET REL TO NATO"
SIDC = "10031000001211000000"
# The ``client`` fixture's user.
OPERATOR = Viewer("operator", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))


def _ingest(store: Store, rows: list[dict[str, Any]]) -> None:
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in rows)
    assert summary.accepted == len(rows), summary.to_dict()


def _zone(store: Store, uid: str, label: str, valid_from: str, valid_to: str | None) -> None:
    records.add_zone(
        store,
        viewer=ADMIN,
        data={
            "uid": uid,
            "mission": "KFOR",
            "name": uid.upper(),
            "kind": "ground_safety_zone",
            "valid_from": valid_from,
            "valid_to": valid_to,
            "label": label,
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[21, 42], [21.2, 42], [21.2, 42.2], [21, 42]]],
            },
        },
    )


def _unit(store: Store, uid: str, label: str, positions: list[tuple[str, float]]) -> None:
    records.add_unit(
        store,
        viewer=ADMIN,
        data={"uid": uid, "mission": "KFOR", "name": uid, "label": label, "sidc": SIDC},
    )
    records.add_positions(
        store,
        viewer=ADMIN,
        positions=[
            {"unit_uid": uid, "observed_at": t, "lon": lon, "lat": 42.6, "label": label}
            for t, lon in positions
        ],
    )


def _world(store: Store) -> dict[str, list[tuple[str, str]]]:
    """Zones, units, reports and violations with mixed labels: (id, label) per collection.

    Needs the app (``client``) first: it attaches the compliance engine that finds violations.
    """
    _zone(store, "gsz", PARTNER_LABEL, "1999-06-10T00:00:00Z", "2001-03-01T00:00:00Z")
    _zone(store, "gsz-2001", PARTNER_LABEL, "2001-03-01T00:00:00Z", None)
    _zone(store, "secret-area", SECRET, "1999-06-10T00:00:00Z", None)
    _unit(
        store,
        "u-open",
        PARTNER_LABEL,
        [("1999-06-15T08:00:00Z", 21.1), ("1999-07-01T00:00:00Z", 21.3)],
    )
    _unit(store, "u-secret", SECRET, [("1999-06-20T08:00:00Z", 20.9)])
    obligation = {
        "code": "withdraw",
        "clause": "Art. II",
        "title": "Withdraw from the zone",
        "parties": ["FRY"],
        "zones": ["gsz"],
        "prohibited": ["armed_forces"],
        "valid_from": "1999-06-12T00:00:00Z",
        "deadline": "EIF",
    }
    data = {"code": "MTA", "name": "MTA", "mission": "KFOR", "obligations": [obligation]}
    add_agreement(store, viewer=ADMIN, data=data | {"entry_into_force": "1999-06-12T00:00:00Z"})
    rows = random_reports(60)
    rows += [
        report(
            kind="armed_personnel_sighting",
            lon=21.15,
            lat=42.03 + i / 1000,
            label=label,
            observed_at=f"1999-06-2{i}T10:00:00Z",
        )
        for i, label in enumerate([PARTNER_LABEL, SECRET, PARTNER_LABEL])
    ]
    _ingest(store, rows)
    out: dict[str, list[tuple[str, str]]] = {
        "reports": [(r["id"], r["label"]) for r in rows],
        "zones": [("gsz", PARTNER_LABEL), ("gsz-2001", PARTNER_LABEL), ("secret-area", SECRET)],
        "units": [("u-open", PARTNER_LABEL), ("u-secret", SECRET)],
    }
    with store.read() as conn:
        from sqlalchemy import select

        from peacewatch.store.tables import events, labels, violations

        for name, table in (("violations", violations), ("events", events)):
            found = conn.execute(
                select(table.c.uuid, labels.c.marking).join(labels, labels.c.id == table.c.label_id)
            ).all()
            out[name] = [(str(u), str(m)) for u, m in found]
    assert len(out["violations"]) == 3
    assert out["events"]  # the app fuses reports into events as they are written
    return out


def _partner_user(store: Store) -> User:
    return make_user(
        store,
        "ukr.liaison",
        nation="UKR",
        clearance="NATO RESTRICTED",
        communities=("PARTNER",),
        roles=("partner_liaison",),
    )


def _partner(store: Store) -> dict[str, str]:
    return bearer(store, _partner_user(store))


def _watchkeeper(store: Store) -> dict[str, str]:
    return bearer(store, make_user(store, "gbr.watch"))


def _every(client: TestClient, path: str, headers: dict[str, str] | None = None) -> list[Any]:
    """Every feature of ``path``, following next links to the end."""
    features: list[Any] = []
    url: str | None = path
    pages = 0
    while url is not None:
        got = client.get(url, headers=headers)
        assert got.status_code == 200, got.text
        assert got.headers["content-type"] == "application/geo+json"
        body = got.json()
        assert body["numberReturned"] == len(body["features"])
        features += body["features"]
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        assert len(nxt) <= 1
        url = nxt[0] if nxt else None
        pages += 1
        assert pages < 1000
    return features


def _visible(made: list[tuple[str, str]], viewer: Viewer) -> list[str]:
    return sorted(i for i, m in made if can_see(viewer, Label.parse(m)))


def _ids(features: list[Any]) -> list[str]:
    return [f["id"] for f in features]


def test_landing_conformance_and_collections(client: TestClient, store: Store) -> None:
    _world(store)
    for path in ("/ogc", "/ogc/"):
        landing = client.get(path)
        assert landing.status_code == 200 and landing.headers["content-type"] == "application/json"
        rels = {link["rel"]: link for link in landing.json()["links"]}
        assert {"self", "service-desc", "conformance", "data"} <= set(rels)
        assert rels["service-desc"]["href"].endswith("/api/v1/openapi.json")
        assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
        assert landing.json()["title"]
    assert client.get(rels["service-desc"]["href"]).status_code == 200
    conf = client.get("/ogc/conformance").json()["conformsTo"]
    for cls in ("core", "geojson", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{cls}" in conf
    body = client.get("/ogc/collections").json()
    assert [c["id"] for c in body["collections"]] == COLLECTIONS
    for c in body["collections"]:
        assert c["itemType"] == "feature" and c["crs"] == [CRS84]
        assert c["title"] and c["description"]
        links = {link["rel"]: link for link in c["links"]}
        assert links["items"]["type"] == "application/geo+json"
        assert links["items"]["href"].endswith(f"/ogc/collections/{c['id']}/items")
        (bbox,) = c["extent"]["spatial"]["bbox"]
        assert len(bbox) == 4 and bbox[0] <= bbox[2] and bbox[1] <= bbox[3]
        assert c["extent"]["spatial"]["crs"] == CRS84
        one = client.get(f"/ogc/collections/{c['id']}")
        assert one.status_code == 200 and one.json() == c
    zones = body["collections"][0]["extent"]
    assert zones["spatial"]["bbox"] == [[21.0, 42.0, 21.2, 42.2]]
    assert zones["temporal"]["interval"] == [["1999-06-10T00:00:00Z", None]]  # one is open
    assert client.get("/ogc/collections/nothing").status_code == 404
    assert client.get("/ogc/collections/nothing/items").status_code == 404


def test_extents_cover_only_what_the_caller_may_see(client: TestClient, store: Store) -> None:
    _world(store)
    partner = _partner(store)
    body = client.get("/ogc/collections", headers=partner).json()
    extents = {c["id"]: c.get("extent") for c in body["collections"]}
    assert extents["units"]["spatial"]["bbox"] == [[21.3, 42.6, 21.3, 42.6]]  # not u-secret
    assert extents["units"]["temporal"]["interval"] == [
        ["1999-07-01T00:00:00Z", "1999-07-01T00:00:00Z"]
    ]
    # Only the partner-releasable zones: both close at or after 2001-03-01 (one is open).
    assert extents["zones"]["temporal"]["interval"] == [["1999-06-10T00:00:00Z", None]]


def test_items_filter_by_bbox_and_datetime(client: TestClient, store: Store) -> None:
    made = _world(store)
    everything = _every(client, "/ogc/collections/reports/items?limit=10000")
    assert sorted(_ids(everything)) == _visible(made["reports"], OPERATOR)
    box = (20.5, 42.2, 21.0, 42.7)
    inside = _every(client, "/ogc/collections/reports/items?bbox=20.5,42.2,21.0,42.7")
    expected = [
        f["id"]
        for f in everything
        if box[0] <= f["geometry"]["coordinates"][0] <= box[2]
        and box[1] <= f["geometry"]["coordinates"][1] <= box[3]
    ]
    assert 0 < len(inside) < len(everything) and sorted(_ids(inside)) == sorted(expected)

    def observed(f: dict[str, Any]) -> str:
        return str(f["properties"]["observed_at"])

    t = observed(everything[5])
    instant = _every(client, f"/ogc/collections/reports/items?datetime={t}")
    assert _ids(instant) == [f["id"] for f in everything if observed(f) == t]
    a, b = observed(everything[10]), observed(everything[20])
    closed = _every(client, f"/ogc/collections/reports/items?datetime={a}/{b}")
    assert _ids(closed) == [f["id"] for f in everything if a <= observed(f) <= b]  # both ends in
    assert len(closed) >= 11
    until = _every(client, "/ogc/collections/reports/items?datetime=../2000-01-01T00:00:00Z")
    assert _ids(until) == [f["id"] for f in everything if observed(f) <= "2000-01-01T00:00:00Z"]
    since = _every(client, "/ogc/collections/reports/items?datetime=2000-01-01T00:00:00Z/..")
    assert sorted(_ids(until) + _ids(since)) == sorted(_ids(everything))
    assert 0 < len(since) < len(everything)
    offset = _every(client, f"/ogc/collections/reports/items?datetime={t[:-1]}%2B00:00")
    assert _ids(offset) == _ids(instant)

    # Zones by validity, units by where they stood, violations by observed time.
    def zones(q: str) -> list[str]:
        return sorted(_ids(_every(client, f"/ogc/collections/zones/items?{q}")))

    assert zones("datetime=2000-01-01T00:00:00Z") == ["gsz", "secret-area"]
    assert zones("datetime=2002-01-01T00:00:00Z") == ["gsz-2001", "secret-area"]
    assert zones("datetime=2000-01-01T00:00:00Z/2001-06-01T00:00:00Z") == [
        "gsz",
        "gsz-2001",
        "secret-area",
    ]
    assert zones("bbox=0,0,1,1") == []
    then = _every(client, "/ogc/collections/units/items?datetime=1999-06-16T00:00:00Z")
    assert [(f["id"], f["geometry"]["coordinates"][0]) for f in then] == [("u-open", 21.1)]
    now = _every(client, "/ogc/collections/units/items")
    assert sorted((f["id"], f["geometry"]["coordinates"][0]) for f in now) == [
        ("u-open", 21.3),
        ("u-secret", 20.9),
    ]
    window = "1999-06-21T00:00:00Z/1999-06-22T10:00:00Z"
    found = _every(client, f"/ogc/collections/violations/items?datetime={window}")
    assert [f["properties"]["observed_at"] for f in found] == [
        "1999-06-21T10:00:00Z",
        "1999-06-22T10:00:00Z",
    ]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_next_links_return_every_visible_item_exactly_once(
    client: TestClient, store: Store, collection: str
) -> None:
    made = _world(store)
    for headers in (None, _partner(store)):
        whole = client.get(f"/ogc/collections/{collection}/items?limit=10000", headers=headers)
        paged = _every(client, f"/ogc/collections/{collection}/items?limit=2", headers=headers)
        ids = _ids(paged)
        assert len(ids) == len(set(ids))
        assert ids == _ids(whole.json()["features"])
        if "numberMatched" in whole.json():
            assert whole.json()["numberMatched"] == len(ids)
        if headers is None:
            assert sorted(ids) == _visible(made[collection], OPERATOR)


def test_a_partner_sees_fewer_reports_and_only_labels_released_to_them(
    client: TestClient, store: Store
) -> None:
    made = _world(store)
    users = {"partner": _partner_user(store), "watchkeeper": make_user(store, "gbr.watch")}
    for collection in COLLECTIONS:
        seen = {}
        for name, user in users.items():
            path = f"/ogc/collections/{collection}/items?limit=7"
            features = _every(client, path, headers=bearer(store, user))
            for f in features:
                assert can_see(user.viewer, Label.parse(f["properties"]["label"])), f
            expected = {i for i, m in made[collection] if can_see(user.viewer, Label.parse(m))}
            assert set(_ids(features)) == expected
            seen[name] = set(_ids(features))
        assert seen["partner"] <= seen["watchkeeper"], collection
        assert seen["partner"] != seen["watchkeeper"] or collection == "events"
    partner = bearer(store, users["partner"])
    page = client.get("/ogc/collections/reports/items?limit=10000", headers=partner)
    assert page.headers["X-PeaceWatch-Classification"] == "NATO UNCLASSIFIED"
    assert page.json()["label"] == PARTNER_LABEL


def test_an_item_is_404_alike_when_absent_or_not_releasable(
    client: TestClient, store: Store
) -> None:
    made = _world(store)
    partner_user = _partner_user(store)
    partner = bearer(store, partner_user)
    for collection, items in made.items():
        for fid, marking in items:
            path = f"/ogc/collections/{collection}/items/{fid}"
            mine = client.get(path)
            if not can_see(OPERATOR, Label.parse(marking)):
                assert mine.status_code == 404
                continue
            assert mine.status_code == 200, (path, mine.text)
            assert mine.headers["content-type"] == "application/geo+json"
            assert mine.json()["type"] == "Feature" and mine.json()["id"] == fid
            assert mine.json()["properties"]["label"] == marking
            theirs = client.get(path, headers=partner)
            if can_see(partner_user.viewer, Label.parse(marking)):
                assert theirs.status_code == 200
                continue
            absent = client.get(path.replace(fid, "x" + fid[1:]), headers=partner)
            assert theirs.status_code == absent.status_code == 404
            assert theirs.json() == json.loads(absent.text.replace("x" + fid[1:], fid))
    assert client.get("/ogc/collections/nothing/items/1").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("bbox=20,42,21,43,0,100", "bbox"),
        ("bbox=20,42,21", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=21,42,20,43", "bbox"),
        ("datetime=yesterday", "datetime"),
        ("datetime=1999-06-15", "datetime"),
        ("datetime=1999-06-15T12:00:00", "datetime"),
        ("datetime=2000-01-01T00:00:00Z/1999-01-01T00:00:00Z", "datetime"),
        ("datetime=../..%2F..", "datetime"),
        ("datetime=1999-02-30T00:00:00Z", "datetime"),
        ("limit=0", "limit"),
        ("limit=10001", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("f=html", "f"),
        ("kind=shooting", "kind"),
    ],
)
@pytest.mark.parametrize("collection", ["reports", "zones"])
def test_bad_parameters_are_400_naming_the_parameter(
    client: TestClient, query: str, field: str, collection: str
) -> None:
    got = client.get(f"/ogc/collections/{collection}/items?{query}")
    assert got.status_code == 400, got.text
    assert got.headers["content-type"] == "application/problem+json"
    assert got.json()["errors"][0]["field"] == field


def test_metadata_routes_refuse_unknown_parameters(client: TestClient) -> None:
    for path in ("/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/zones"):
        assert client.get(path, params={"f": "json"}).status_code == 200
        got = client.get(path, params={"x": "1"})
        assert got.status_code == 400 and got.json()["errors"][0]["field"] == "x"


def test_ogc_needs_a_login(anonymous: TestClient) -> None:
    for path in ("/ogc", "/ogc/collections", "/ogc/collections/reports/items"):
        assert anonymous.get(path).status_code == 401


# --- interop: GDAL's OAPIF driver against a real server ----------------------------------


def _gdal(tool: str, *args: str, token: dict[str, str]) -> str:
    exe = shutil.which(tool) or f"/usr/bin/{tool}"
    done = subprocess.run(
        [exe, *args, "--config", "GDAL_HTTP_HEADERS", f"Authorization: {token['Authorization']}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "ERROR" not in done.stderr, done.stderr
    return done.stdout


def _gdal_counts(url: str, token: dict[str, str]) -> dict[str, int]:
    out = _gdal("ogrinfo", "-ro", "-so", "-al", f"OAPIF:{url}/ogc", token=token)
    counts, layer = {}, None
    for line in out.splitlines():
        if line.startswith("Layer name: "):
            layer = line.split(": ", 1)[1]
        elif line.startswith("Feature Count: ") and layer is not None:
            counts[layer] = int(line.split(": ", 1)[1])
    return counts


def test_gdal_reads_what_the_api_gives_each_user(
    client: TestClient, store: Store, served: str, tmp_path: Path
) -> None:
    _world(store)
    for name, token in (("watchkeeper", _watchkeeper(store)), ("partner", _partner(store))):
        api = {
            c: _every(client, f"/ogc/collections/{c}/items?limit=10000", headers=token)
            for c in COLLECTIONS
        }
        assert _gdal_counts(served, token) == {c: len(f) for c, f in api.items()}, name
        out = tmp_path / f"{name}.geojson"
        _gdal(
            "ogr2ogr",
            "-f",
            "GeoJSON",
            str(out),
            f"OAPIF:{served}/ogc",
            "reports",
            "-oo",
            "PAGE_SIZE=25",  # several pages, so GDAL follows our next links
            token=token,
        )
        got = {f["properties"]["id"]: f for f in json.loads(out.read_text())["features"]}
        assert set(got) == set(_ids(api["reports"])), name
        for f in api["reports"][:: max(1, len(api["reports"]) // 5)]:
            theirs = got[f["id"]]["properties"]
            for key in ("kind", "label", "grade", "party", "title"):
                assert theirs.get(key) == f["properties"][key], (name, key)
            assert (
                theirs["observed_at"]
                .replace("+00:00", "Z")
                .startswith(f["properties"]["observed_at"].rstrip("Z"))
            )
            assert got[f["id"]]["geometry"]["coordinates"] == pytest.approx(
                f["geometry"]["coordinates"]
            )
