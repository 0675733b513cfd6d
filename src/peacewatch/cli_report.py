"""``peacewatch report sitrep``: the SITREP of a window, as a user may see it, to a file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from peacewatch.errors import PeaceWatchError


@click.group("report")
def report() -> None:
    """Documents made from what a user may see (the SITREP)."""


@report.command("sitrep")
@click.option(
    "--from", "start", default=None, help="start, a DTG or ISO 8601 (default: 24 h before --to)"
)
@click.option("--to", "end", default=None, help="end, a DTG or ISO 8601 (default: now)")
@click.option("--mission", default=None, help="mission code")
@click.option(
    "--as",
    "as_user",
    required=True,
    envvar="PEACEWATCH_AS_USER",
    help="user whose label filter bounds what the SITREP holds",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf", "json"]),
    default=None,
    help="default: by the output file's extension (pdf when there is none)",
)
@click.option("--top", default=10, show_default=True, help="significant events listed")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="file to write",
)
@click.pass_context
def sitrep_command(
    ctx: click.Context,
    start: str | None,
    end: str | None,
    mission: str | None,
    as_user: str,
    fmt: str | None,
    top: int,
    output: Path,
) -> None:
    """Write the SITREP of [--from, --to) as USER may see it: counts against the previous
    period, significant events, violations, deadlines, patrols, convoys, weapons, a map and
    charts, under the banner of the highest classification it holds. Audited."""
    from peacewatch.api.deps import parse_time
    from peacewatch.cli import _acting_user, _fail, _settings
    from peacewatch.reports import render, sitrep
    from peacewatch.store import audit, open_store

    settings = _settings(ctx)
    store = open_store(settings.database_url)
    try:
        chosen = fmt or {".html": "html", ".htm": "html", ".json": "json"}.get(
            output.suffix.lower(), "pdf"
        )
        window = sitrep.window(parse_time(start, "from"), parse_time(end, "to"))
        viewer = _acting_user(store, as_user, "picture:read")
        with store.read() as conn:
            body = sitrep.build(
                conn, viewer=viewer, start=window[0], end=window[1], mission=mission, top=top
            )
        with store.write() as conn:
            audit.append(
                conn,
                actor=viewer.name,
                action="read",
                target="report sitrep",
                detail={"highest": body["banner"], "window": [body["start"], body["end"]]},
            )
        if chosen == "json":
            body.pop("map")
            output.write_text(json.dumps(body, indent=1) + "\n")
        elif chosen == "html":
            output.write_text(render.html(body))
        else:
            output.write_bytes(render.pdf(body))
    except PeaceWatchError as exc:
        _fail(exc)
        return
    finally:
        store.dispose()
    click.echo(
        f"SITREP {render.dtg(body['start'])}–{render.dtg(body['end'])}: "
        f"{body['totals']['reports']} reports, {body['violations']['new']} violations "
        f"→ {output} ({body['banner']})"
    )
    sys.exit(0)
