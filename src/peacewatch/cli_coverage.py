"""``peacewatch coverage``: the ranked patrol coverage gaps, as one user may see them."""

from __future__ import annotations

import json
import sys

import click

from peacewatch.domain.errors import DomainError
from peacewatch.errors import PeaceWatchError


@click.group()
def coverage() -> None:
    """Patrol coverage of towns, zones and sectors."""


@coverage.command("gaps")
@click.option(
    "--as",
    "as_user",
    required=True,
    envvar="PEACEWATCH_AS_USER",
    help="user whose label filter bounds what is counted",
)
@click.option("--mission", default="KFOR", show_default=True, help="mission code")
@click.option("--from", "start", default=None, help="window start (ISO 8601 with zone, or DTG)")
@click.option("--to", "end", default=None, help="window end (default: the latest report)")
@click.option("--radius-m", type=float, default=2000.0, show_default=True, help="town radius")
@click.option("--limit", type=int, default=20, show_default=True, help="gaps at most")
@click.option("--json", "as_json", is_flag=True, help="print the gaps as JSON")
@click.pass_context
def gaps_command(
    ctx: click.Context,
    as_user: str,
    mission: str,
    start: str | None,
    end: str | None,
    radius_m: float,
    limit: int,
    as_json: bool,
) -> None:
    """Places with incidents, highest gap score first: incidents, patrols in the window, when
    last patrolled, and each term of the score."""
    from peacewatch.api.deps import parse_time
    from peacewatch.cli import _acting_user, _settings
    from peacewatch.ops import coverage as engine
    from peacewatch.store import open_store

    settings = _settings(ctx)
    store = open_store(settings.database_url)
    try:
        viewer = _acting_user(store, as_user, "picture:read")
        params = engine.Params(
            mission=mission, start=parse_time(start, "from"), end=parse_time(end, "to"),
            radius_m=radius_m,
        )  # fmt: skip
        with store.read() as conn:
            body = engine.gaps(conn, viewer=viewer, params=params, limit=limit)
    except DomainError as exc:
        click.echo(f"error: {exc.field}: {exc.message}", err=True)
        sys.exit(2)
    except PeaceWatchError as exc:
        fields = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
        click.echo(f"error: {exc.detail}" + (f" ({fields})" if fields else ""), err=True)
        sys.exit(2)
    finally:
        store.dispose()
    if as_json:
        click.echo(json.dumps(body))
        return
    click.echo(f"coverage gaps {body['start']} – {body['end']}, towns within {radius_m:g} m")
    click.echo(
        f"{'#':>3} {'place':<28} {'kind':<7} {'inc':>5} {'pat':>4} {'last patrolled':<21} "
        f"{'score':>7}  terms"
    )
    for f in body["features"]:
        p = f["properties"]
        terms = " ".join(f"{k} {v:+g}" for k, v in p["terms"].items())
        click.echo(
            f"{p['rank']:>3} {p['name'][:28]:<28} {p['kind']:<7} {p['incidents']:>5} "
            f"{p['patrols']:>4} {p['last_patrolled'] or 'never':<21} {p['score']:>7.2f}  {terms}"
        )
