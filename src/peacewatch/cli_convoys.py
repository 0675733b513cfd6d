"""``peacewatch convoys``: a convoy's route risk, and deliveries as an HXL 3W table."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from peacewatch.cli_admin import _fail, _store
from peacewatch.errors import PeaceWatchError

AS_USER = click.option(
    "--as",
    "as_user",
    required=True,
    envvar="PEACEWATCH_AS_USER",
    help="user whose label filter bounds what is read",
)


@click.group()
def convoys() -> None:
    """Humanitarian convoys: route risk and delivery exports."""


@convoys.command("risk")
@click.argument("convoy")
@AS_USER
@click.option("--at", default=None, help="as of (ISO 8601 with zone, or DTG); default: now")
@click.option("--json", "as_json", is_flag=True, help="print the whole answer as JSON")
@click.pass_context
def risk_command(
    ctx: click.Context, convoy: str, as_user: str, at: str | None, as_json: bool
) -> None:
    """Route risk of CONVOY as USER may know it: total, riskiest kilometres, what weighs most,
    and whether it rose since departure."""
    from peacewatch.cli import _acting_user
    from peacewatch.domain.dtg import parse_time
    from peacewatch.domain.errors import DomainError
    from peacewatch.errors import FieldProblem, ValidationFailed
    from peacewatch.ops.convoys import route_risk_of

    store = _store(ctx)
    try:
        try:
            moment = parse_time(at, field="at") if at else None
        except DomainError as exc:
            raise ValidationFailed(exc.message, [FieldProblem("at", exc.message)]) from None
        viewer = _acting_user(store, as_user, "picture:read")
        risk = route_risk_of(store, viewer=viewer, uid=convoy, at=moment)
    except PeaceWatchError as exc:
        _fail(exc)
        return
    finally:
        store.dispose()
    if as_json:
        click.echo(json.dumps(risk))
        return
    click.echo(f"{convoy} ({risk['status']}) at {risk['at']}: route risk {risk['total']:.2f}")
    click.echo(f"label: {risk['label']}")
    worst = sorted(risk["features"], key=lambda s: -s["properties"]["risk"])[:3]
    for s in worst:
        p = s["properties"]
        if p["risk"] > 0:
            click.echo(f"  km {p['km_from']:.1f}-{p['km_to']:.1f}: {p['risk']:.2f}")
    for c in risk["contributions"][:5]:
        click.echo(
            f"  {c['score']:.2f} {c['source']} {c['kind']} {c['distance_m']:.0f} m off, "
            f"km {c['km']:.1f}, {c['age_h']:.0f} h old ({c['why']})"
        )
    if risk["warning"] is not None:
        click.echo(("WARNING: " if risk["warning"]["risen"] else "") + risk["warning"]["message"])


@convoys.command("export")
@AS_USER
@click.option("--mission", default=None, help="mission code")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="HXL-tagged CSV to write",
)
@click.pass_context
def export_command(ctx: click.Context, as_user: str, mission: str | None, output: Path) -> None:
    """Write the deliveries USER may see as an HXL 3W table (audited); prints the count and
    the table's label."""
    from peacewatch.cli import _acting_user
    from peacewatch.exports.deliveries import plan_deliveries, write_hxl_3w

    store = _store(ctx)
    try:
        viewer = _acting_user(store, as_user, "picture:read")
        export = plan_deliveries(store, viewer=viewer, mission=mission)
        with output.open("wb") as out:
            for chunk in write_hxl_3w(export):
                out.write(chunk)
    except PeaceWatchError as exc:
        _fail(exc)
        return
    finally:
        store.dispose()
    click.echo(f"exported {len(export.rows)} deliveries to {output} ({export.label.marking})")
    sys.exit(0)
