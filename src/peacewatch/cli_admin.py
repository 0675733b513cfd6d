"""``peacewatch users|token|audit``: accounts, bearer tokens and the audit trail, from a shell.

The shell user who runs these has the database in hand (as with ``psql``); each change is
still written to the audit trail, attributed to ``cli:<login name>``.
"""

from __future__ import annotations

import getpass
import json
import sys
from datetime import timedelta
from typing import Any

import click

from peacewatch.errors import PeaceWatchError
from peacewatch.settings import Settings


def _store(ctx: click.Context) -> Any:
    from peacewatch.store import open_store
    from peacewatch.store.migrate import upgrade

    settings = Settings(**(ctx.obj or {}))
    store = open_store(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    upgrade(store)
    return store


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _fail(exc: PeaceWatchError) -> None:
    click.echo(f"error: {exc.detail}", err=True)
    for p in exc.problems:
        click.echo(f"  {p.field}: {p.message}", err=True)
    sys.exit(2)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("password", hide_input=True, confirmation_prompt=True))


@click.group()
def users() -> None:
    """User accounts: add, list, change, disable, set a password."""


@users.command("add")
@click.argument("username")
@click.option("--nation", required=True, help="nation trigraph, e.g. GBR")
@click.option("--clearance", required=True, help="e.g. 'NATO SECRET' or NS")
@click.option("--roles", required=True, help="comma-separated, e.g. watchkeeper,analyst")
@click.option("--communities", default="", help="comma-separated, e.g. NATO,KFOR")
@click.option("--name", "display_name", default="", help="display name")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@click.option("--no-password", is_flag=True, help="token-only account (no password login)")
@click.pass_context
def users_add(
    ctx: click.Context,
    username: str,
    nation: str,
    clearance: str,
    roles: str,
    communities: str,
    display_name: str,
    password_stdin: bool,
    no_password: bool,
) -> None:
    """Create a user; asks for the password unless --no-password."""
    from peacewatch.security.users import add_user

    password = None if no_password else _password(password_stdin)
    try:
        user = add_user(
            _store(ctx),
            actor=_actor(),
            username=username,
            nation=nation,
            clearance=clearance,
            roles=roles,
            communities=communities,
            password=password,
            display_name=display_name,
        )
    except PeaceWatchError as exc:
        _fail(exc)
        return
    click.echo(f"created {user.username}: {', '.join(sorted(user.roles))}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """Every user with nation, clearance, communities and roles."""
    from peacewatch.security.users import list_users

    with _store(ctx).read() as conn:
        rows = [u.to_dict() for u in list_users(conn)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for u in rows:
        state = " (disabled)" if u["disabled"] else ""
        click.echo(
            f"{u['username']:<20} {u['nation']:<4} {u['clearance']:<18} "
            f"{','.join(u['communities']):<20} {','.join(u['roles'])}{state}"
        )


@users.command("set")
@click.argument("username")
@click.option("--roles", default=None, help="replace the roles (comma-separated)")
@click.option("--clearance", default=None)
@click.option("--communities", default=None, help="replace the communities (comma-separated)")
@click.option("--nation", default=None)
@click.pass_context
def users_set(
    ctx: click.Context,
    username: str,
    roles: str | None,
    clearance: str | None,
    communities: str | None,
    nation: str | None,
) -> None:
    """Change a user's roles, clearance, communities or nation."""
    _update(ctx, username, roles=roles, clearance=clearance, communities=communities, nation=nation)


@users.command("disable")
@click.argument("username")
@click.pass_context
def users_disable(ctx: click.Context, username: str) -> None:
    """Disable a user: logins fail and every session and token stops working."""
    _update(ctx, username, disabled=True)


@users.command("enable")
@click.argument("username")
@click.pass_context
def users_enable(ctx: click.Context, username: str) -> None:
    """Enable a disabled user again."""
    _update(ctx, username, disabled=False)


def _update(ctx: click.Context, username: str, **changes: Any) -> None:
    from peacewatch.security.users import update_user

    try:
        user = update_user(
            _store(ctx),
            actor=_actor(),
            username=username,
            **{k: v for k, v in changes.items() if v is not None},
        )
    except PeaceWatchError as exc:
        _fail(exc)
        return
    click.echo(json.dumps(user.to_dict()))


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@click.pass_context
def users_set_password(ctx: click.Context, username: str, password_stdin: bool) -> None:
    """Set a user's password (unlocks the account, ends its browser sessions)."""
    from peacewatch.security.users import set_password

    try:
        set_password(
            _store(ctx), actor=_actor(), username=username, password=_password(password_stdin)
        )
    except PeaceWatchError as exc:
        _fail(exc)
        return
    click.echo(f"password of {username} set")


@click.group()
def token() -> None:
    """Bearer tokens for API and CLI clients."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="", help="what the token is for")
@click.option("--days", type=float, default=None, help="lifetime (default: token_days)")
@click.pass_context
def token_create(ctx: click.Context, username: str, name: str, days: float | None) -> None:
    """Make a token for USERNAME and print it (shown this once)."""
    from peacewatch.security.credentials import issue
    from peacewatch.security.users import get_user

    settings = Settings(**(ctx.obj or {}))
    store = _store(ctx)
    with store.read() as conn:
        user = get_user(conn, username)
    if user is None or user.disabled:
        click.echo(f"error: no active user {username!r}", err=True)
        sys.exit(2)
    issued = issue(
        store,
        user=user,
        kind="token",
        name=name,
        actor=_actor(),
        ttl=timedelta(days=days or settings.token_days),
    )
    click.echo(issued.secret)
    assert issued.expires_at is not None
    click.echo(f"token {issued.id} for {username}, expires {issued.expires_at:%Y-%m-%d}", err=True)


@token.command("list")
@click.argument("username")
@click.pass_context
def token_list(ctx: click.Context, username: str) -> None:
    """A user's tokens (ids, names, expiry, last use; never the secrets)."""
    from peacewatch.security.credentials import list_tokens
    from peacewatch.security.users import get_user

    with _store(ctx).read() as conn:
        user = get_user(conn, username)
        if user is None:
            click.echo(f"error: no user {username!r}", err=True)
            sys.exit(2)
        click.echo(json.dumps(list_tokens(conn, user), indent=2))


@token.command("revoke")
@click.argument("username")
@click.argument("token_id", type=int)
@click.pass_context
def token_revoke(ctx: click.Context, username: str, token_id: int) -> None:
    """Revoke token TOKEN_ID of USERNAME."""
    from peacewatch.security.credentials import revoke
    from peacewatch.security.users import get_user

    store = _store(ctx)
    with store.read() as conn:
        user = get_user(conn, username)
    try:
        if user is None:
            raise PeaceWatchError(f"no user {username!r}")
        revoke(store, user=user, credential_id=token_id, actor=_actor())
    except PeaceWatchError as exc:
        _fail(exc)
        return
    click.echo(f"token {token_id} revoked")


@click.group("audit")
def audit_group() -> None:
    """The audit trail: verify the chain, list or export entries."""


@audit_group.command("verify")
@click.pass_context
def audit_verify(ctx: click.Context) -> None:
    """Recompute every entry's hash; exit 1 when an entry was changed, removed or re-ordered."""
    from peacewatch.store.audit import verify

    with _store(ctx).read() as conn:
        result = verify(conn)
    for problem in result.problems:
        click.echo(problem, err=True)
    click.echo(f"{'ok' if result.ok else 'BROKEN'}: {result.entries} entries, head {result.head}")
    sys.exit(0 if result.ok else 1)


@audit_group.command("list")
@click.option("--after", type=int, default=0, help="entries after this id")
@click.option("--limit", type=int, default=50)
@click.option("--actor", default=None)
@click.option("--action", default=None, help="action prefix, e.g. auth.")
@click.pass_context
def audit_list(
    ctx: click.Context, after: int, limit: int, actor: str | None, action: str | None
) -> None:
    """Print entries as JSON Lines, oldest first."""
    from peacewatch.store.audit import entries

    with _store(ctx).read() as conn:
        for entry in entries(conn, after=after, limit=limit, actor=actor, action=action):
            click.echo(json.dumps(entry, ensure_ascii=False))


@audit_group.command("export")
@click.pass_context
def audit_export(ctx: click.Context) -> None:
    """Print every entry as JSON Lines (with hashes), for checking or archiving elsewhere."""
    from peacewatch.store import audit

    store = _store(ctx)
    after, count = 0, 0
    with store.read() as conn:
        while True:
            batch = list(audit.entries(conn, after=after, limit=5000))
            for entry in batch:
                click.echo(json.dumps(entry, ensure_ascii=False))
            count += len(batch)
            if len(batch) < 5000:
                break
            after = batch[-1]["id"]
    with store.write() as conn:
        audit.append(conn, actor=_actor(), action="audit.export", detail={"entries": count})
