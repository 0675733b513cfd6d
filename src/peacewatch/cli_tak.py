"""``peacewatch tak``: the TAK gateway as a process of its own, and its certificates."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import click

from peacewatch.cli_admin import _store
from peacewatch.settings import Settings


def _settings(ctx: click.Context) -> Settings:
    return Settings(**(ctx.obj or {}))


@click.group()
def tak() -> None:
    """The TAK / Cursor-on-Target gateway (ATAK, WinTAK, iTAK): serve, certificates."""


@tak.command("serve")
@click.option("--check", is_flag=True, help="open the listeners, print their ports and exit")
@click.pass_context
def tak_serve(ctx: click.Context, check: bool) -> None:
    """Run the gateway on its own (TCP 8087, UDP 6969, TLS 8089 when certificates exist)."""
    from peacewatch.compliance.judge import attach as attach_compliance
    from peacewatch.errors import PeaceWatchError
    from peacewatch.fusion import cli as fusion_cli
    from peacewatch.ops.patrol_recording import attach as attach_patrol_recording
    from peacewatch.runtime import tune_gc
    from peacewatch.tak.server import serve

    settings = _settings(ctx)
    store = _store(ctx)
    attach_compliance(store)  # what devices send is judged and fused as any report
    fusion_cli.attach(store)
    attach_patrol_recording(store)  # positions in a planned run are recorded as its patrol

    async def run() -> None:
        gateway = await serve(store, settings)
        if not check:  # a server from now on: what start-up made is frozen (runtime.py)
            tune_gc()
        try:
            click.echo(json.dumps({"tak": gateway.ports, "plain_user": settings.tak_plain_user}))
            if not gateway.ports:
                click.echo(
                    "warning: no listener is open: set PEACEWATCH_TAK_PLAIN_USER for TCP/UDP "
                    "or run `peacewatch tak cert init` for TLS",
                    err=True,
                )
            if not check:
                await asyncio.Event().wait()
        finally:
            await gateway.stop()

    try:
        asyncio.run(run())
    except PeaceWatchError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:  # pragma: no cover - interactive stop
        pass
    finally:
        store.dispose()


@tak.group("cert")
def cert() -> None:
    """TLS certificates: the gateway's CA and server certificate, and users' certificates."""


@cert.command("init")
@click.option("--hostname", "hostnames", multiple=True, help="name or address devices use")
@click.pass_context
def cert_init(ctx: click.Context, hostnames: tuple[str, ...]) -> None:
    """Make the CA and the server certificate in PEACEWATCH_TAK_CERT_DIR (once)."""
    from peacewatch.tak import certs

    settings = _settings(ctx)
    made = certs.init(settings.tak_cert_dir, list(hostnames) or [settings.tak_host])
    click.echo(f"{'made' if made else 'kept'} the CA and server certificate in "
               f"{settings.tak_cert_dir}")  # fmt: skip


@cert.command("issue")
@click.argument("username")
@click.option(
    "--host", default=None, help="address devices connect to (default: PEACEWATCH_TAK_HOST)"
)
@click.pass_context
def cert_issue(ctx: click.Context, username: str, host: str | None) -> None:
    """A client certificate for USERNAME and an ATAK data package (zip) to import; the
    package's password is printed once."""
    from peacewatch.security.users import get_user
    from peacewatch.tak import certs

    settings = _settings(ctx)
    store: Any = _store(ctx)
    with store.read() as conn:
        user = get_user(conn, username)
    store.dispose()
    if user is None or user.disabled:
        click.echo(f"error: no active user {username!r}", err=True)
        sys.exit(2)
    certs.init(settings.tak_cert_dir, [host or settings.tak_host])
    issued = certs.issue(
        settings.tak_cert_dir, username, host=host or settings.tak_host, port=settings.tak_tls_port
    )
    click.echo(f"certificate {issued.cert}\nkey         {issued.key}\np12         {issued.p12}")
    click.echo(f"package     {issued.package}\npassword    {issued.password}")
