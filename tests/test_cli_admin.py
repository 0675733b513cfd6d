"""``peacewatch users|token|audit`` through Click's runner, on both backends."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from peacewatch.cli import main
from peacewatch.security.credentials import authenticate
from peacewatch.store import Store


def _run(store: Store, *args: str, stdin: str | None = None) -> tuple[int, str]:
    url = store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["--database", url, *args], input=stdin)
    return result.exit_code, result.output


def test_users_lifecycle(store: Store) -> None:
    code, out = _run(
        store,
        "users",
        "add",
        "fra.analyst",
        "--nation",
        "FRA",
        "--clearance",
        "NC",
        "--roles",
        "analyst,compliance officer",
        "--communities",
        "NATO,KFOR",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert code == 0, out
    code, out = _run(store, "users", "list", "--json")
    (user,) = [u for u in json.loads(out) if u["username"] == "fra.analyst"]
    assert user["clearance"] == "NATO CONFIDENTIAL"
    assert user["roles"] == ["analyst", "compliance_officer"]
    # bad input names the field; nothing is created
    code, out = _run(
        store,
        "users",
        "add",
        "x.y",
        "--nation",
        "XXX",
        "--clearance",
        "NS",
        "--roles",
        "analyst",
        "--no-password",
    )
    assert code == 2 and "nation" in out
    code, out = _run(
        store,
        "users",
        "add",
        "short",
        "--nation",
        "GBR",
        "--clearance",
        "NS",
        "--roles",
        "analyst",
        "--password-stdin",
        stdin="short\n",
    )
    assert code == 2 and "password" in out and "12 characters" in out
    code, out = _run(
        store,
        "users",
        "add",
        "who",
        "--nation",
        "GBR",
        "--clearance",
        "NS",
        "--roles",
        "general",
        "--no-password",
    )
    assert code == 2 and "unknown role 'general'" in out
    code, out = _run(store, "users", "set", "fra.analyst", "--clearance", "NATO SECRET")
    assert code == 0 and json.loads(out)["clearance"] == "NATO SECRET"
    code, out = _run(
        store,
        "users",
        "set-password",
        "fra.analyst",
        "--password-stdin",
        stdin="another long password\n",
    )
    assert code == 0

    code, out = _run(store, "token", "create", "fra.analyst", "--name", "laptop", "--days", "1")
    assert code == 0
    secret = out.splitlines()[0]
    assert authenticate(store, secret) is not None
    code, out = _run(store, "token", "list", "fra.analyst")
    (token,) = json.loads(out)
    assert token["name"] == "laptop" and secret not in out
    code, out = _run(store, "users", "disable", "fra.analyst")
    assert code == 0 and json.loads(out)["disabled"] is True
    assert authenticate(store, secret) is None
    code, _ = _run(store, "users", "enable", "fra.analyst")
    assert code == 0
    assert authenticate(store, secret) is None  # disabling revoked it for good
    code, _ = _run(store, "token", "revoke", "fra.analyst", str(token["id"]))
    assert code == 2  # already revoked

    code, out = _run(store, "audit", "list", "--action", "user.", "--limit", "100000")
    actions = [json.loads(line)["action"] for line in out.splitlines()]
    assert {"user.add", "user.update", "user.set_password"} <= set(actions)
    code, out = _run(store, "audit", "export")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and all(e["prev_hash"] for e in lines)
    assert [e["id"] for e in lines] == sorted(e["id"] for e in lines)


def test_demo_accounts_get_fresh_random_passwords_each_start(store: Store, capsys: Any) -> None:
    from peacewatch.cli import _demo_accounts
    from peacewatch.scenarios.kosovo1999.accounts import DEMO_ACCOUNTS
    from peacewatch.security.passwords import verify_password
    from peacewatch.security.users import list_users
    from peacewatch.settings import Settings
    from peacewatch.store.tables import users

    settings = Settings(database_url=store.engine.url.render_as_string(hide_password=False))
    printed = []
    for _ in range(2):
        _demo_accounts(settings)
        out = capsys.readouterr().out
        printed.append(
            {line.split()[0]: line.split()[1] for line in out.splitlines() if line.startswith("  ")}
        )
    names = {a["username"] for a in DEMO_ACCOUNTS}
    assert set(printed[0]) == set(printed[1]) == names
    with store.read() as conn:
        people = {u.username: u for u in list_users(conn)}
        hashes = dict(
            conn.execute(
                users.select().with_only_columns(users.c.username, users.c.password_hash)
            ).all()
        )
    assert len({people[n].nation for n in names}) >= 3
    communities = set().union(*(people[n].communities for n in names))
    assert {"NATO", "KFOR", "PARTNER"} <= communities
    for name in names:
        assert printed[0][name] != printed[1][name]  # new on every start
        assert verify_password(hashes[name], printed[1][name])
        assert not verify_password(hashes[name], printed[0][name])
