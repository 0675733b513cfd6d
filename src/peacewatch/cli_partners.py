"""``peacewatch partners``: partner nations' status, goals and exercises from the command line."""

from __future__ import annotations

import json
import sys

import click

from peacewatch.cli_admin import _store
from peacewatch.errors import PeaceWatchError


@click.group()
def partners() -> None:
    """Partners, exercises and accession support."""


@partners.command("status")
@click.argument("nation", required=False)
@click.option(
    "--as",
    "as_user",
    required=True,
    envvar="PEACEWATCH_AS_USER",
    help="user whose label filter bounds what is shown",
)
@click.option("--at", default=None, help="status and progress at this time (default now)")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@click.pass_context
def status_command(
    ctx: click.Context, nation: str | None, as_user: str, at: str | None, as_json: bool
) -> None:
    """Each partner nation USER may see (or NATION): status now, its accession timeline and
    its goals' progress, behind-schedule goals flagged. Exit 1 when NATION has no record."""
    from peacewatch.cli import _acting_user, _fail
    from peacewatch.domain.dtg import parse_time
    from peacewatch.domain.errors import DomainError
    from peacewatch.errors import FieldProblem, ValidationFailed
    from peacewatch.ops.partner_views import partner_views

    store = _store(ctx)
    try:
        try:
            when = parse_time(at, field="at") if at else None
        except DomainError as exc:
            raise ValidationFailed(exc.message, [FieldProblem("at", exc.message)]) from None
        viewer = _acting_user(store, as_user, "picture:read")
        with store.read() as conn:
            items = partner_views(conn, viewer=viewer, at=when, nation=nation)
    except PeaceWatchError as exc:
        _fail(exc)
        return
    finally:
        store.dispose()
    if as_json:
        click.echo(json.dumps({"items": items}))
    else:
        for item in items:
            _print(item)
    if nation and not items:
        click.echo(f"no partner record of {nation.upper()} visible to {as_user}", err=True)
        sys.exit(1)


def _print(item: dict[str, object]) -> None:
    status = item["status_name"] or "no status"
    since = str(item["status_since"] or "")[:10]
    click.echo(f"{item['nation']} {item['name']}: {status}{f' since {since}' if since else ''}")
    for step in item["timeline"]:  # type: ignore[attr-defined]
        click.echo(f"  {step['since'][:10]}  {step['name']}  ({step['source']})")
    for goal in item["goals"]:  # type: ignore[attr-defined]
        p = goal["progress"]
        flag = "  BEHIND SCHEDULE" if p["behind_schedule"] else ""
        mark = " [synthetic]" if goal["synthetic"] else ""
        click.echo(f"  goal {goal['id']}: {goal['title']}{mark} {p['percent']:g}%{flag}")
