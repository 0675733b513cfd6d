"""``peacewatch ddr`` and ``peacewatch trafficking``: weapons collection progress and the
smuggling route network, from a shell, as a user (their label filter bounds what is counted)."""

from __future__ import annotations

import json
import sys

import click

from peacewatch.cli_admin import _store
from peacewatch.errors import PeaceWatchError

_AS = click.option(
    "--as",
    "as_user",
    required=True,
    envvar="PEACEWATCH_AS_USER",
    help="user whose label filter bounds what is counted",
)
_JSON = click.option("--json", "as_json", is_flag=True, help="print the result as JSON")


@click.group()
def ddr() -> None:
    """Weapons collection (DDR)."""


@ddr.command("progress")
@click.option("--campaign", default=None, help="campaign code (default: every campaign)")
@click.option("--mission", default=None, help="mission code")
@_AS
@_JSON
@click.pass_context
def progress_command(
    ctx: click.Context, campaign: str | None, mission: str | None, as_user: str, as_json: bool
) -> None:
    """Progress of each campaign against its targets, from the items USER may see."""
    from peacewatch.cli import _acting_user, _fail
    from peacewatch.ops.weapons import campaign_progress

    store = _store(ctx)
    try:
        viewer = _acting_user(store, as_user, "picture:read")
        with store.read() as conn:
            body = campaign_progress(conn, viewer=viewer, campaign=campaign, mission=mission)
    except PeaceWatchError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
        sys.exit(0)
    if not body["campaigns"]:
        click.echo("no campaign visible")
    for c in body["campaigns"]:
        click.echo(f"{c['code']}  {c['name']}  ({c['derived_label']})")
        for t in c["targets"]:
            where = f" at {t['place']}" if t["place"] else ""
            click.echo(
                f"  {t['category']}{where}: {t['collected']:,} of {t['target']:,} "
                f"({t['percent']}%{', met' if t['met'] else ''})"
            )
        if c["reported"]:
            figures = ", ".join(
                f"{k} {v:,}" for k, v in c["reported"].items() if isinstance(v, int)
            )
            click.echo(f"  published: {figures}")


@click.group()
def trafficking() -> None:
    """Counter-trafficking."""


@trafficking.command("routes")
@click.option("--mission", default=None, help="mission code")
@click.option("--start", default=None, help="seized at or after (ISO 8601 with zone, or DTG)")
@click.option("--end", default=None, help="seized before")
@click.option("--at", default=None, help="count the last 30 days back from here (default: end)")
@click.option("--category", "categories", multiple=True, help="goods (repeatable)")
@_AS
@_JSON
@click.pass_context
def routes_command(
    ctx: click.Context,
    mission: str | None,
    start: str | None,
    end: str | None,
    at: str | None,
    categories: tuple[str, ...],
    as_user: str,
    as_json: bool,
) -> None:
    """The smuggling routes USER may see: seizures per route, the 30 days before --at against
    the 30 before that, and the hotspot crossings."""
    from peacewatch.api.deps import parse_time
    from peacewatch.cli import _acting_user, _fail
    from peacewatch.errors import FieldProblem, ValidationFailed
    from peacewatch.ops.trafficking import GOODS, routes_report

    store = _store(ctx)
    try:
        for c in categories:
            if c not in GOODS:
                raise ValidationFailed(
                    "category is not valid",
                    [FieldProblem("category", f"one of {', '.join(GOODS)}")],
                )
        viewer = _acting_user(store, as_user, "picture:read")
        body = routes_report(
            store, viewer=viewer, mission=mission, at=parse_time(at, "at"),
            start=parse_time(start, "start"), end=parse_time(end, "end"),
            categories=list(categories) or None,
        )  # fmt: skip
    except PeaceWatchError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
        sys.exit(0)
    click.echo(f"30 days to {body['at']}: recent / previous 30 days, all")
    for r in body["routes"]:
        mark = "  ▲" if r["grew"] else "   "
        click.echo(f"{mark} {r['id']}: {r['recent']} / {r['previous']}, {r['seizures']}")
    if body["hotspots"]:
        click.echo("hotspot crossings: " + ", ".join(
            f"{h['id']} ({h['seizures']})" for h in body["hotspots"][:5]))  # fmt: skip
