"""``peacewatch warning``: the tension index per sector and day, and its back-test against the
scenario's planted flare-ups."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from peacewatch.domain.errors import DomainError
from peacewatch.errors import PeaceWatchError


@click.group()
def warning() -> None:
    """Early warning: tension index per sector and day."""


def _fail(exc: Exception) -> None:
    if isinstance(exc, DomainError):
        click.echo(f"error: {exc.field}: {exc.message}", err=True)
    elif isinstance(exc, PeaceWatchError):
        fields = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
        click.echo(f"error: {exc.detail}" + (f" ({fields})" if fields else ""), err=True)
    sys.exit(2)


@warning.command("index")
@click.option(
    "--as",
    "as_user",
    required=True,
    envvar="PEACEWATCH_AS_USER",
    help="user whose label filter bounds what the index is built from",
)
@click.option("--sector", default=None, help="sector zone uid (default: every visible sector)")
@click.option("--mission", default=None, help="mission code (default: every mission)")
@click.option("--from", "start", default=None, help="first day (ISO 8601 with zone, or DTG)")
@click.option("--to", "end", default=None, help="window end (default: the latest report)")
@click.option("--json", "as_json", is_flag=True, help="print the index as JSON")
@click.pass_context
def index_command(
    ctx: click.Context,
    as_user: str,
    sector: str | None,
    mission: str | None,
    start: str | None,
    end: str | None,
    as_json: bool,
) -> None:
    """The index per sector and day, its level and the contribution of each signal."""
    from peacewatch.analytics import tension
    from peacewatch.api.deps import parse_time
    from peacewatch.cli import _acting_user, _settings
    from peacewatch.store import open_store

    store = open_store(_settings(ctx).database_url)
    try:
        viewer = _acting_user(store, as_user, "picture:read")
        window = parse_time(start, "from"), parse_time(end, "to")
        with store.read() as conn:
            t = tension.compute(
                conn, viewer=viewer, start=window[0], end=window[1], mission=mission, sector=sector
            )
        body = tension.body(t, start=window[0], end=window[1])
        body["alerts"] = tension.alerts(t)
    except (DomainError, PeaceWatchError) as exc:
        _fail(exc)
        return
    finally:
        store.dispose()
    if as_json:
        click.echo(json.dumps(body))
        return
    signals = body["signals"]
    head = " ".join(f"{n[:12]:>12}" for n in signals)
    for s in body["sectors"]:
        click.echo(f"{s['sector']} ({s['name']}), from {'; '.join(s['labels'])}")
        click.echo(f"  {'day':<10} {'index':>6} {'level':<8} {head}")
        for d, day in enumerate(body["days"]):
            value = s["index"][d]
            terms = " ".join(f"{_num(s['contributions'][n][d]):>12}" for n in signals)
            click.echo(f"  {day:<10} {_num(value):>6} {s['level'][d] or '-':<8} {terms}")
    click.echo(f"{len(body['alerts'])} alert(s) at watch ({tension.WATCH:g}) or above")
    for a in body["alerts"]:
        click.echo(f"  {a['day']} {a['sector']} {a['level']} {a['index']:g}: "
                   + ", ".join(a["signals"]))  # fmt: skip


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


@warning.command("backtest")
@click.option(
    "--size",
    type=click.Choice(["small", "medium"]),
    default=None,
    help="load the scenario of this size into a temporary store and test there "
    "(default: the configured store, which should hold the scenario)",
)
@click.option("--as", "as_user", default=None, envvar="PEACEWATCH_AS_USER",
              help="user whose view is tested (the configured store only)")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@click.pass_context
def backtest_command(
    ctx: click.Context, size: str | None, as_user: str | None, as_json: bool
) -> None:
    """Precision, recall and lead time of the warning level against the scenario's flare-ups."""
    from peacewatch.analytics import backtest
    from peacewatch.cli import _acting_user, _settings
    from peacewatch.compliance.judge import attach
    from peacewatch.domain.labels import Classification, Viewer
    from peacewatch.scenarios.kosovo1999.catalogue import FLARE_UPS
    from peacewatch.scenarios.loader import load_kosovo1999
    from peacewatch.store import open_store
    from peacewatch.store.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="peacewatch-warning-") as tmp:
        if size is not None:
            store = open_store(f"sqlite:///{Path(tmp) / 'scenario.db'}")
            upgrade(store)
            attach(store)  # violations are judged as the reports are written
            load_kosovo1999(store, size=size)
        else:
            store = open_store(_settings(ctx).database_url)
        try:
            if as_user is not None:
                viewer = _acting_user(store, as_user, "picture:read")
            elif size is not None:
                # the whole scenario as a KFOR watch officer cleared to NATO SECRET sees it
                viewer = Viewer("backtest", "GBR", Classification.NATO_SECRET,
                                frozenset({"NATO", "KFOR"}))  # fmt: skip
            else:
                click.echo("error: --as: a user is needed on the configured store", err=True)
                sys.exit(2)
            with store.read() as conn:
                result = backtest.run(conn, viewer=viewer, flare_ups=FLARE_UPS)
        except (DomainError, PeaceWatchError) as exc:
            _fail(exc)
            return
        finally:
            store.dispose()
    if as_json:
        click.echo(json.dumps(result))
        return
    _print(result)


def _print(r: dict[str, Any]) -> None:
    def pct(v: float | None) -> str:
        return "-" if v is None else f"{100 * v:.0f} %"

    lead = r["lead_days"]
    click.echo(
        f"{r['level']} level ({r['threshold']:g}) over {r['sectors']} sectors x {r['days']} days "
        f"in {r['seconds']:.2f} s"
    )
    click.echo(f"precision {pct(r['precision'])} ({r['alerts_right']} of {r['alerts']} alerts)")
    click.echo(f"recall {pct(r['recall'])} ({r['warned']} of {r['judged']} flare-ups judged; "
               f"{r['warned_ahead']} warned on or before their first day)")  # fmt: skip
    click.echo(f"lead time (days, negative = late): median {lead['median']}, "
               f"min {lead['min']}, max {lead['max']}")  # fmt: skip
    for f in r["per_flare_up"]:
        state = (
            "no baseline yet" if not f["judged"]
            else f"first alert {f['first_alert']}, lead {f['lead_days']} d"
            if f["warned"] else "not warned"
        )  # fmt: skip
        click.echo(f"  {f['id']:<20} {f['sector']:<24} from {f['start']}: {state} "
                   f"(peak {f['peak']})")  # fmt: skip
