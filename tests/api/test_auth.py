"""Logging in and out, tokens, CSRF, lockout, roles on routes, and escalation attempts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from peacewatch.api.app import api_routes
from peacewatch.api.deps import CSRF_HEADER, Allow, public
from peacewatch.security.credentials import issue
from peacewatch.store import Store
from peacewatch.store.audit import entries
from tests.conftest import bearer, make_user
from tests.helpers import report

PASSWORD = "correct horse battery staple"


def _calls(dependant: Any) -> list[Any]:
    out = []
    for dep in dependant.dependencies:
        out.append(dep.call)
        out += _calls(dep)
    return out


def test_every_route_declares_a_permission(app: Any) -> None:
    undeclared = []
    for route in api_routes(app):
        calls = _calls(route.dependant)
        if not any(isinstance(c, Allow) or c is public for c in calls):
            undeclared.append(f"{sorted(route.methods)} {route.path}")
    assert not undeclared, f"routes without a declared permission: {undeclared}"
    assert len(api_routes(app)) > 20


def test_every_non_public_route_refuses_anonymous_callers(app: Any, anonymous: TestClient) -> None:
    for route in api_routes(app):
        if public in _calls(route.dependant):
            continue
        path = route.path.replace("{", "").replace("}", "")  # any value: auth comes first
        for method in route.methods:
            response = anonymous.request(method, path)
            assert response.status_code == 401, f"{method} {route.path}: {response.status_code}"
            assert response.headers["content-type"] == "application/problem+json"


def _login(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_browser_login_session_csrf_and_logout(store: Store, anonymous: TestClient) -> None:
    make_user(store, "gbr.watch", password=PASSWORD)
    wrong = _login(anonymous, "gbr.watch", "not the password at all")
    assert wrong.status_code == 401 and wrong.json()["errors"][0]["field"] == "password"
    unknown = _login(anonymous, "nobody", PASSWORD)
    assert unknown.status_code == 401 and unknown.json()["detail"] == wrong.json()["detail"]

    ok = _login(anonymous, "gbr.watch", PASSWORD)
    assert ok.status_code == 200, ok.text
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    csrf = ok.json()["csrf_token"]
    assert anonymous.get("/api/v1/auth/me").json()["username"] == "gbr.watch"
    assert anonymous.get("/api/v1/missions").status_code == 200

    # A state-changing request on the cookie alone (what a forged cross-site form sends).
    forged = anonymous.post("/api/v1/reports", json=report())
    assert forged.status_code == 403 and forged.json()["errors"][0]["field"] == CSRF_HEADER
    wrong_token = anonymous.post("/api/v1/reports", json=report(), headers={CSRF_HEADER: "x"})
    assert wrong_token.status_code == 403
    filed = anonymous.post("/api/v1/reports", json=report(), headers={CSRF_HEADER: csrf})
    assert filed.status_code == 200 and filed.json()["accepted"] == 1

    out = anonymous.post("/api/v1/auth/logout", headers={CSRF_HEADER: csrf})
    assert out.status_code == 200
    assert anonymous.get("/api/v1/auth/me").status_code == 401


def test_lockout_after_repeated_failures_and_reset_by_an_administrator(
    store: Store, client: TestClient, anonymous: TestClient
) -> None:
    make_user(store, "target", password=PASSWORD)
    for _ in range(5):
        assert _login(anonymous, "target", "guessing-password-123").status_code == 401
    locked = _login(anonymous, "target", PASSWORD)
    assert locked.status_code == 401 and "locked" in locked.json()["detail"]
    reset = client.put("/api/v1/users/target/password", json={"password": PASSWORD + "!"})
    assert reset.status_code == 200, reset.text
    assert _login(anonymous, "target", PASSWORD + "!").status_code == 200
    with store.read() as conn:
        log = list(entries(conn, actor="target", action="auth.login", limit=100))
    assert [e["outcome"] for e in log[-7:]] == ["failed"] * 6 + ["ok"]


def test_too_many_failures_from_one_address_are_refused(
    store: Store, app: Any, anonymous: TestClient
) -> None:
    app.state.login_throttle.limit = 3
    for name in ("a1", "a2", "a3"):
        assert _login(anonymous, name, "whatever-password").status_code == 401
    assert _login(anonymous, "a4", "whatever-password").status_code == 429


def test_tokens_expire_and_can_be_revoked(store: Store, anonymous: TestClient) -> None:
    user = make_user(store, "api.client")
    expired = issue(store, user=user, kind="token", ttl=timedelta(seconds=-1))
    response = anonymous.get("/api/v1/missions", headers=_auth(expired.secret))
    assert response.status_code == 401

    live = bearer(store, user)
    assert anonymous.get("/api/v1/missions", headers=live).status_code == 200
    made = anonymous.post("/api/v1/auth/tokens", json={"name": "laptop"}, headers=live)
    assert made.status_code == 201
    second = _auth(made.json()["token"])
    listed = anonymous.get("/api/v1/auth/tokens", headers=second).json()["items"]
    assert "laptop" in [t["name"] for t in listed] and all("token" not in t for t in listed)
    revoked = anonymous.delete(f"/api/v1/auth/tokens/{made.json()['id']}", headers=live)
    assert revoked.status_code == 200
    assert anonymous.get("/api/v1/missions", headers=second).status_code == 401
    # a session secret is not accepted as a bearer token, nor garbage
    session = issue(store, user=user, kind="session", ttl=timedelta(hours=1))
    assert anonymous.get("/api/v1/missions", headers=_auth(session.secret)).status_code == 401
    assert anonymous.get("/api/v1/missions", headers=_auth("pwt_nonsense")).status_code == 401
    assert (
        anonymous.get("/api/v1/missions", headers={"Authorization": "Basic x"}).status_code == 401
    )


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_disabled_user_loses_every_credential(store: Store, client: TestClient) -> None:
    user = make_user(store, "leaver")
    headers = bearer(store, user)
    assert client.get("/api/v1/missions", headers=headers).status_code == 200
    assert client.patch("/api/v1/users/leaver", json={"disabled": True}).status_code == 200
    assert client.get("/api/v1/missions", headers=headers).status_code == 401


def test_roles_limit_what_each_user_may_do(store: Store, anonymous: TestClient) -> None:
    liaison = bearer(store, make_user(store, "liaison", roles=("partner_liaison",)))
    watch = bearer(store, make_user(store, "watch", roles=("watchkeeper",)))
    zone = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[21, 42], [21.1, 42], [21.1, 42.1], [21, 42]]],
        },
        "properties": {
            "mission": "KFOR",
            "name": "Checkpoint",
            "kind": "restricted_area",
            "valid_from": "1999-06-12T00:00:00Z",
        },
    }
    assert anonymous.post("/api/v1/reports", json=report(), headers=liaison).status_code == 403
    assert anonymous.post("/api/v1/reports", json=report(), headers=watch).status_code == 200
    assert anonymous.post("/api/v1/zones", json=zone, headers=watch).status_code == 403
    assert anonymous.get("/api/v1/users", headers=watch).status_code == 403
    assert anonymous.get("/api/v1/audit", headers=watch).status_code == 403
    assert anonymous.get("/api/v1/reports", headers=liaison).status_code == 200


def test_privilege_escalation_attempts_fail(store: Store, anonymous: TestClient) -> None:
    low = make_user(store, "low", clearance="NATO RESTRICTED", communities=("KFOR",))
    headers = bearer(store, low)
    above = anonymous.post(
        "/api/v1/reports", json=report(label="NATO SECRET REL TO KFOR"), headers=headers
    )
    assert above.status_code == 422 and above.json()["errors"][0]["field"] == "label"
    outside = anonymous.post(
        "/api/v1/reports", json=report(label="NATO RESTRICTED REL TO NATO"), headers=headers
    )
    assert outside.status_code == 422
    # changing one's own roles: refused to a watchkeeper (not an administrator) …
    own = anonymous.patch("/api/v1/users/low", json={"roles": ["administrator"]}, headers=headers)
    assert own.status_code == 403
    # … and to an administrator too: another administrator must do it
    admin = make_user(store, "boss", roles=("administrator",))
    self_change = anonymous.patch(
        "/api/v1/users/boss", json={"clearance": "NATO SECRET"}, headers=bearer(store, admin)
    )
    assert self_change.status_code == 403
    with store.read() as conn:
        assert not list(entries(conn, action="user.update", actor="boss"))


def test_invisible_items_answer_404_like_missing_ones(store: Store, client: TestClient) -> None:
    secret = report(label="NATO SECRET REL TO NATO")
    assert client.post("/api/v1/reports", json=secret).status_code == 200
    partner = bearer(
        store,
        make_user(
            store,
            "partner",
            nation="UKR",
            clearance="NATO SECRET",
            communities=("PARTNER",),
            roles=("partner_liaison",),
        ),
    )
    hidden = client.get(f"/api/v1/reports/{secret['id']}", headers=partner)
    missing = client.get("/api/v1/reports/00000000-0000-4000-8000-000000000000", headers=partner)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["title"] == missing.json()["title"]
    assert client.get(f"/api/v1/reports/{secret['id']}").status_code == 200


def test_reads_of_confidential_records_are_audited_and_bannered(
    store: Store, client: TestClient
) -> None:
    secret = report(label="NATO SECRET REL TO NATO")
    plain = report(label="NATO UNCLASSIFIED REL TO KFOR, NATO")
    client.post("/api/v1/reports", json=[secret, plain])
    got = client.get(f"/api/v1/reports/{secret['id']}")
    assert got.headers["X-PeaceWatch-Classification"] == "NATO SECRET"
    listed = client.get("/api/v1/reports")
    assert listed.json()["label"] == "NATO SECRET REL TO NATO"
    assert (
        listed.json()["confidentiality"]["ConfidentialityInformation"]["Classification"] == "SECRET"
    )
    with store.read() as conn:
        reads = list(entries(conn, action="read", actor="operator", limit=10_000))
    assert reads[-1]["detail"]["records"] == [secret["id"]]
    assert reads[-2]["target"] == f"/api/v1/reports/{secret['id']}"
    low = client.get(f"/api/v1/reports/{plain['id']}")
    assert low.headers["X-PeaceWatch-Classification"] == "NATO UNCLASSIFIED"
