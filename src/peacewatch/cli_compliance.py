"""``peacewatch compliance``: re-judge history after an agreement or a zone changed."""

from __future__ import annotations

import json
import sys

import click

from peacewatch.cli_admin import _actor, _store
from peacewatch.domain.errors import DomainError


@click.group()
def compliance() -> None:
    """The compliance engine: bulk re-checks."""


@compliance.command("recheck")
@click.option("--since", default=None, help="observed at or after (ISO 8601 with zone, or DTG)")
@click.option("--until", default=None, help="observed before")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@click.pass_context
def recheck_command(
    ctx: click.Context, since: str | None, until: str | None, as_json: bool
) -> None:
    """Judge every report and position observed in the window again under today's rules;
    prints what was created and withdrawn (confirmed or dismissed verdicts are kept)."""
    from peacewatch.compliance.recheck import recheck
    from peacewatch.domain.dtg import parse_time

    try:
        start = parse_time(since, field="since") if since else None
        end = parse_time(until, field="until") if until else None
    except DomainError as exc:
        click.echo(f"error: {exc.field}: {exc.message}", err=True)
        sys.exit(2)
    result = recheck(_store(ctx), since=start, until=end, actor=_actor())
    summary = {
        "observations": result.observations,
        "rules": result.rules,
        "created": result.created,
        "withdrawn": result.withdrawn,
        "unsupported_verdicts": result.unsupported_verdicts,
        "engine_s": round(result.engine_s, 3),
        "checks_per_s": round(result.checks_per_s),
    }
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"{summary['observations']:,} observations against {summary['rules']} rules: "
            f"{summary['created']} violations created, {summary['withdrawn']} withdrawn, "
            f"{summary['unsupported_verdicts']} officers' verdicts no longer supported "
            f"({summary['checks_per_s']:,} checks/s)"
        )
