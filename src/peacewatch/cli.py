"""The ``peacewatch`` command: a thin layer over the app factory, the store and ingest."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from peacewatch.cli_admin import audit_group, token, users
from peacewatch.cli_backup import backup_command, restore_command
from peacewatch.cli_compliance import compliance
from peacewatch.cli_convoys import convoys
from peacewatch.cli_coverage import coverage
from peacewatch.cli_export import export
from peacewatch.cli_history import history
from peacewatch.cli_ops import ddr, trafficking
from peacewatch.cli_partners import partners
from peacewatch.cli_report import report
from peacewatch.cli_tak import tak
from peacewatch.cli_warning import warning
from peacewatch.compliance.judge import attach as attach_compliance
from peacewatch.errors import PeaceWatchError
from peacewatch.fusion import cli as fusion_cli
from peacewatch.ops.convoys import attach as attach_convoys
from peacewatch.ops.patrol_recording import attach as attach_patrol_recording
from peacewatch.settings import Settings

# Seconds a stopping server gives open requests before it closes them (live feeds never end).
GRACEFUL_SHUTDOWN_S = 3
# Seconds a worker of `serve --workers N` may take to answer the supervisor's health check.
WORKER_HEALTHCHECK_S = 60


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    base: dict[str, Any] = dict(ctx.obj or {})
    base.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**base)


def _check_unit(store: Any, viewer: Any, uid: str) -> None:
    """Refuse a unit uid that ``viewer`` may not see (or that does not exist)."""
    from peacewatch.errors import FieldProblem, ValidationFailed
    from peacewatch.store.units import list_units

    with store.read() as conn:
        if not list_units(conn, viewer=viewer, uid=uid):
            raise ValidationFailed(f"no unit {uid}", [FieldProblem("unit", "unknown unit")])


def _fail(exc: PeaceWatchError) -> None:
    click.echo(f"error: {exc.detail}", err=True)
    for p in exc.problems:
        where = f"{p.record}: " if p.record else ""
        click.echo(f"  {where}{p.field}: {p.message}", err=True)
    sys.exit(2)


@click.group()
@click.option(
    "--database", envvar="PEACEWATCH_DATABASE_URL", help="sqlite:///file.db or postgresql://…"
)
@click.version_option(package_name="peacewatch")
@click.pass_context
def main(ctx: click.Context, database: str | None) -> None:
    """PeaceWatch: the information system of a multinational peace-support operation."""
    ctx.obj = {"database_url": database} if database else {}


@main.group()
def db() -> None:
    """Database schema: upgrade, show the revision, check integrity."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Migrate the store (SQLite or PostgreSQL/PostGIS) to the newest schema."""
    from peacewatch.store import open_store
    from peacewatch.store.migrate import current_revision, upgrade

    store = open_store(_settings(ctx).database_url)
    upgrade(store)
    click.echo(f"{store.backend}: schema at revision {current_revision(store)}")


@db.command("current")
@click.pass_context
def db_current(ctx: click.Context) -> None:
    """Print the schema revision of the store."""
    from peacewatch.store import open_store
    from peacewatch.store.migrate import current_revision, head_revision

    store = open_store(_settings(ctx).database_url)
    click.echo(f"{current_revision(store) or 'empty'} (newest: {head_revision()})")


@db.command("check")
@click.pass_context
def db_check(ctx: click.Context) -> None:
    """Run the backend's integrity check; exit 1 when it finds a problem."""
    from peacewatch.store import open_store

    store = open_store(_settings(ctx).database_url)
    with store.read() as conn:
        problems = store.spatial.check_integrity(conn)
    for problem in problems:
        click.echo(problem, err=True)
    click.echo("ok" if not problems else f"{len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["geojson", "csv", "kml", "gpx", "hxl"]),
    help="default: by extension",
)
@click.option("--mission", default=None, help="mission code (default: the configured mission)")
@click.option("--batch-size", type=int, default=None, help="reports per transaction")
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
@click.option(
    "--unit",
    default=None,
    help="unit uid that walked a GPX file's tracks (links its patrols to that unit's plans)",
)
@click.option(
    "--as",
    "as_user",
    required=True,
    envvar="PEACEWATCH_AS_USER",
    help="user the reports are filed as (their clearance and communities bound the labels)",
)
@click.pass_context
def ingest(
    ctx: click.Context,
    path: Path,
    as_user: str,
    fmt: str | None,
    mission: str | None,
    batch_size: int | None,
    as_json: bool,
    unit: str | None,
) -> None:
    """Ingest a GeoJSON, CSV, KML, GPX or HXL file of reports (and a GPX file's tracks as
    patrols); prints accepted, duplicates and rejections.

    Exit status: 0 all accepted or duplicate, 1 some records rejected, 2 the file was refused.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from peacewatch.ingest.files import (
        detect_format,
        items_from_bytes,
        patrols_from_bytes,
        store_patrols,
    )
    from peacewatch.ingest.pipeline import Pipeline
    from peacewatch.store import open_store

    settings = _settings(ctx, mission=mission, ingest_batch_size=batch_size)
    store = open_store(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    attach_compliance(store)  # every report and position is judged as it is written
    fusion_cli.attach(store)  # and every report placed in an event
    attach_convoys(store)  # and convoys under way alerted to reports near them
    attach_patrol_recording(store)  # and positions in a planned run recorded as its patrol
    try:
        viewer = _acting_user(store, as_user, "reports:write")
        data, fmt = path.read_bytes(), fmt or detect_format(path.name)
        items = list(items_from_bytes(data, fmt))
        patrols = patrols_from_bytes(data, fmt, mission=settings.mission)
        if unit:
            _check_unit(store, viewer, unit)  # before anything is written
            patrols = [{**p, "unit": unit} for p in patrols]
        pipeline = Pipeline(
            store,
            viewer=viewer,
            mission=settings.mission,
            batch_size=settings.ingest_batch_size,
        )
        with Progress(
            TextColumn("[bold]ingest[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            disable=as_json,
            transient=False,
        ) as bar:
            task = bar.add_task("ingest", total=len(items))
            summary = pipeline.run(items, progress=lambda s: bar.update(task, completed=s.seen))
        if patrols:  # a GPX file's tracks: patrols, which need tracks:write
            writer = _acting_user(store, as_user, "tracks:write")
            click.echo(f"patrols {store_patrols(store, viewer=writer, patrols=patrols)} new")
    except PeaceWatchError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
    else:
        click.echo(
            f"accepted {summary.accepted}, duplicates {summary.duplicates}, "
            f"rejected {len(summary.rejected)}"
        )
        for rejection in summary.rejected[:50]:
            for p in rejection.problems:
                click.echo(f"  {rejection.record}: {p.field}: {p.message}")
        if len(summary.rejected) > 50:
            click.echo(f"  … and {len(summary.rejected) - 50} more rejected records")
    sys.exit(1 if summary.rejected else 0)


def _acting_user(store: Any, username: str, permission: str) -> Any:
    """The viewer of an active user who holds ``permission``, or a PeaceWatchError."""
    from peacewatch.errors import Forbidden, NotFound
    from peacewatch.security.users import get_user

    with store.read() as conn:
        user = get_user(conn, username)
    if user is None or user.disabled:
        raise NotFound(f"no active user {username!r}")
    if permission not in user.permissions:
        raise Forbidden(f"{username}'s roles do not allow {permission}")
    return user.viewer


@main.group()
def scenario() -> None:
    """Built-in scenarios."""


@scenario.command("load")
@click.option(
    "--size", default="small", help="small (10^3), medium (10^5), large (10^7) or a number"
)
@click.option("--seed", type=int, default=1999, show_default=True)
@click.pass_context
def scenario_load(ctx: click.Context, size: str, seed: int) -> None:
    """Load the Kosovo 1999 scenario into the store (migrating it first)."""
    _load(_settings(ctx), size, seed)


def _load(settings: Settings, size: str, seed: int) -> None:
    from peacewatch.scenarios.loader import load_kosovo1999
    from peacewatch.store import open_store
    from peacewatch.store.migrate import upgrade

    store = open_store(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    attach_compliance(store)  # every report and position is judged as it is written
    fusion_cli.attach(store)  # and every report placed in an event
    upgrade(store)
    result = load_kosovo1999(store, size=size, seed=seed, progress=click.echo)
    click.echo(json.dumps(result))


@main.command()
@click.option("--host", default=None, help="bind address (default 127.0.0.1)")
@click.option("--port", type=int, default=None, help="port (default 8000)")
@click.option("--get", "get_path", default=None, help="print the response to GET PATH and exit")
@click.option("--as", "as_user", default=None, help="with --get: the user to ask as")
@click.option(
    "--workers", type=int, default=None, help="worker processes (default 1; >1 needs PostgreSQL)"
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    get_path: str | None,
    as_user: str | None,
    workers: int | None,
) -> None:
    """Serve the web UI and the API (migrating the store first)."""
    try:
        settings = _settings(ctx, host=host, port=port, workers=workers)
    except ValueError as exc:  # pydantic's ValidationError, e.g. --workers 0
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    _serve(settings, get_path, as_user)


def _worker_problems(settings: Settings) -> list[str]:
    """Why ``settings.workers`` processes cannot serve this configuration (empty: they can)."""
    if settings.workers == 1:
        return []
    problems = []
    if settings.backend == "sqlite":
        # SQLite takes one writer at a time, so more processes add no ingest throughput, and
        # its live feed is woken in-process only: a report accepted by one worker would not
        # reach the browsers of another until they reconnect.
        problems.append(
            f"--workers {settings.workers} needs PostgreSQL (PEACEWATCH_DATABASE_URL="
            "postgresql://…): on SQLite serve with one worker"
        )
    if settings.tak_enabled:
        problems.append(
            "the TAK gateway cannot run inside several workers (they would share its ports): "
            "unset PEACEWATCH_TAK_ENABLED and run `peacewatch tak serve` as its own process"
        )
    return problems


def _serve(settings: Settings, get_path: str | None = None, as_user: str | None = None) -> None:
    from peacewatch.api import create_app
    from peacewatch.store import open_store
    from peacewatch.store.migrate import upgrade

    if get_path is None and settings.workers > 1:
        _serve_workers(settings)
        return
    store = open_store(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    upgrade(store)
    app = create_app(settings, store=store)
    if get_path is not None:
        import asyncio

        import httpx

        headers = {}
        user, issued = None, None
        if as_user is not None:
            user, issued = _short_token(store, as_user)
            headers["Authorization"] = f"Bearer {issued.secret}"

        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://peacewatch") as c:
                return await c.get(get_path, headers=headers)

        response = asyncio.run(fetch())
        if issued is not None and user is not None:  # the one-off token dies with the command
            from peacewatch.security.credentials import revoke

            revoke(store, user=user, credential_id=issued.id, actor=user.username)
        click.echo(response.text)
        sys.exit(0 if response.status_code < 400 else 1)
    import uvicorn

    from peacewatch.runtime import tune_gc

    for reason in settings.unsafe_reasons():
        click.echo(f"error: {reason}", err=True)
    if settings.unsafe_reasons():
        sys.exit(2)
    click.echo(f"PeaceWatch on http://{settings.host}:{settings.port} ({store.backend})")
    tune_gc()  # a server process (peacewatch/runtime.py)
    # Live feeds never end by themselves: on shutdown, give requests a few seconds, then close
    # the streams (browsers reconnect and resume from their last event id).
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level="info",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )  # fmt: skip


def _serve_workers(settings: Settings) -> None:
    """Serve with ``settings.workers`` processes, each building its app from the environment
    (``peacewatch.api.app:factory``) and sharing the listening socket; on PostgreSQL their
    live feeds wake one another through LISTEN/NOTIFY (store/pg_notify.py)."""
    import os

    import uvicorn

    from peacewatch.store import open_store
    from peacewatch.store.migrate import upgrade

    reasons = settings.unsafe_reasons() + _worker_problems(settings)
    for reason in reasons:
        click.echo(f"error: {reason}", err=True)
    if reasons:
        sys.exit(2)
    store = open_store(settings.database_url)
    upgrade(store)  # once, before any worker starts
    store.dispose()
    # The workers are spawned: what flags and the environment set reaches them as variables.
    for name in settings.model_fields_set:
        os.environ[f"PEACEWATCH_{name.upper()}"] = str(getattr(settings, name))
    click.echo(
        f"PeaceWatch on http://{settings.host}:{settings.port} "
        f"({settings.backend}, {settings.workers} workers)"
    )
    uvicorn.run(
        "peacewatch.api.app:factory", factory=True, workers=settings.workers,
        host=settings.host, port=settings.port, log_level="info",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        # uvicorn kills a worker that does not answer its health check in time (5 s by
        # default), which a worker importing the app on a loaded 2-core host can exceed.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
    )  # fmt: skip


def _short_token(store: Any, username: str) -> Any:
    """A bearer token for ``username`` that lasts five minutes (for ``serve --get``)."""
    from datetime import timedelta

    from peacewatch.security.credentials import issue
    from peacewatch.security.users import get_user

    with store.read() as conn:
        user = get_user(conn, username)
    if user is None or user.disabled:
        click.echo(f"error: no active user {username!r}", err=True)
        sys.exit(2)
    return user, issue(store, user=user, kind="token", name="serve --get", ttl=timedelta(minutes=5))


@main.command()
@click.option(
    "--size",
    default="medium",
    help="scenario size when the store is empty (medium: 10^5 reports, ~15 s)",
)
@click.option("--seed", type=int, default=1999, show_default=True)
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.pass_context
def demo(ctx: click.Context, size: str, seed: int, host: str | None, port: int | None) -> None:
    """Load the Kosovo 1999 scenario (once) and serve it at http://127.0.0.1:8000."""
    from peacewatch.store import open_store
    from peacewatch.store.migrate import upgrade
    from peacewatch.store.reference import mission_id

    settings = _settings(ctx, host=host, port=port)
    store = open_store(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    upgrade(store)
    with store.read() as conn:
        loaded = mission_id(conn, "KFOR") is not None
    store.dispose()
    if not loaded:
        _load(settings, size, seed)
    _demo_accounts(settings)
    _serve(settings)


def _demo_accounts(settings: Settings) -> None:
    """Create the scenario's demo users (or give them new passwords) and print the passwords
    once: no fixed default password exists anywhere."""
    import secrets

    from peacewatch.scenarios.kosovo1999.accounts import DEMO_ACCOUNTS
    from peacewatch.security.users import add_user, get_user, set_password
    from peacewatch.store import open_store

    store = open_store(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    click.echo("\nDemo accounts (passwords are new on every start and shown only here):")
    for account in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        with store.read() as conn:
            exists = get_user(conn, account["username"]) is not None
        if exists:
            set_password(store, actor="demo", username=account["username"], password=password)
        else:
            add_user(store, actor="demo", password=password, **account)
        click.echo(
            f"  {account['username']:<16} {password}   {account['nation']} "
            f"{account['clearance']}, {'+'.join(account['communities'])}: "
            f"{', '.join(account['roles'])}"
        )
    click.echo("")
    store.dispose()


main.add_command(users)
main.add_command(token)
main.add_command(audit_group)
main.add_command(compliance)
main.add_command(fusion_cli.fusion)
main.add_command(export)
main.add_command(tak)
main.add_command(partners)
main.add_command(convoys)
main.add_command(coverage)
main.add_command(ddr)
main.add_command(trafficking)
main.add_command(history)
main.add_command(backup_command)
main.add_command(restore_command)
main.add_command(warning)
main.add_command(report)

if __name__ == "__main__":  # pragma: no cover
    main()
