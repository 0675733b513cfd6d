"""``peacewatch export``: reports to a file, with its STANAG 4774 label file beside it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from peacewatch.errors import PeaceWatchError


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["geojson", "csv", "kml", "gpx", "hxl"]),
    default=None,
    help="default: by the output file's extension",
)
@click.option("--bbox", default=None, help="minlon,minlat,maxlon,maxlat in WGS 84 degrees")
@click.option("--start", default=None, help="inclusive start, ISO 8601 with zone or a DTG")
@click.option("--end", default=None, help="exclusive end, ISO 8601 with zone or a DTG")
@click.option("--kind", "kinds", multiple=True, help="report kind (repeatable)")
@click.option("--party", "parties", multiple=True, help="party code (repeatable)")
@click.option("--mission", default=None, help="mission code")
@click.option(
    "--as",
    "as_user",
    required=True,
    envvar="PEACEWATCH_AS_USER",
    help="user whose label filter and releasability bound what is exported",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="file to write; its label is written to FILE.label.xml",
)
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str | None,
    bbox: str | None,
    start: str | None,
    end: str | None,
    kinds: tuple[str, ...],
    parties: tuple[str, ...],
    mission: str | None,
    as_user: str,
    output: Path,
) -> None:
    """Export the reports USER may see to a GeoJSON, CSV, KML, GPX or HXL file, and its
    STANAG 4774 label to FILE.label.xml; prints the count and the label. Audited."""
    from peacewatch.api.deps import parse_bbox, parse_time
    from peacewatch.cli import _acting_user, _fail, _settings
    from peacewatch.domain import stanag4774
    from peacewatch.errors import FieldProblem, ValidationFailed
    from peacewatch.exports.formats import FORMATS, stream
    from peacewatch.exports.plan import Filters, plan_export
    from peacewatch.store import open_store

    settings = _settings(ctx)
    # An export reads each page once: SQLite's page cache (256 MB a connection by default)
    # would only grow the process, not speed it up.
    store = open_store(settings.database_url, sqlite_cache_mb=16)
    try:
        chosen = fmt or _format_of(output)
        if chosen not in FORMATS:
            raise ValidationFailed(
                f"cannot tell the export format of {output.name!r}",
                [FieldProblem("format", f"pass --format, one of {', '.join(FORMATS)}")],
            )
        window = parse_time(start, "start"), parse_time(end, "end")
        if window[0] is not None and window[1] is not None and window[1] <= window[0]:
            raise ValidationFailed("end must be after start", [FieldProblem("end", "too early")])
        viewer = _acting_user(store, as_user, "picture:read")
        filters = Filters(
            mission=mission,
            bbox=parse_bbox(bbox),
            start=window[0],
            end=window[1],
            kinds=kinds,
            parties=parties,
        )
        plan = plan_export(store, viewer=viewer, filters=filters)
        label_file = output.with_name(output.name + ".label.xml")
        label_file.write_text(stanag4774.to_xml(plan.label) + "\n")
        with output.open("wb") as out:
            for chunk in stream(plan, chosen):
                out.write(chunk)
    except PeaceWatchError as exc:
        _fail(exc)
        return
    click.echo(f"exported {plan.count} reports to {output} ({plan.label.marking})")
    click.echo(f"label: {label_file}")
    sys.exit(0)


def _format_of(path: Path) -> Any:
    name = path.name.lower()
    if name.endswith(".hxl.csv") or name.endswith(".hxl"):
        return "hxl"
    suffix = path.suffix.lower().lstrip(".")
    return {"json": "geojson"}.get(suffix, suffix)
