"""``peacewatch fusion``: re-cluster history into events."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from peacewatch.domain.errors import DomainError
from peacewatch.fusion.engine import attach

__all__ = ["attach", "fusion"]


@click.group()
def fusion() -> None:
    """The fusion engine: bulk re-runs."""


@fusion.command("rerun")
@click.option("--since", default=None, help="observed at or after (ISO 8601 with zone, or DTG)")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@click.pass_context
def rerun_command(ctx: click.Context, since: str | None, as_json: bool) -> None:
    """Cluster every report observed since DATE into events again; analysts' merges, splits
    and detachments are kept."""
    from peacewatch.cli_admin import _actor, _store
    from peacewatch.domain.dtg import parse_time
    from peacewatch.fusion.rerun import rerun

    try:
        start = parse_time(since, field="since") if since else None
    except DomainError as exc:
        click.echo(f"error: {exc.field}: {exc.message}", err=True)
        sys.exit(2)
    result = rerun(_store(ctx), since=start, actor=_actor())
    summary: dict[str, Any] = {
        "reports": result.reports,
        "events": result.events,
        "created": result.created,
    }
    summary |= {"seconds": round(result.seconds, 3)}
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"{result.reports:,} reports placed: {result.created:,} events created, "
            f"{result.events:,} events in the window ({result.seconds:.1f} s)"
        )
