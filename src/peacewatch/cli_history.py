"""``peacewatch history``: the record of NATO's Balkan operations from the command line.

The record is package data (scenarios/balkans), public and the same for everyone: these
commands open no database and need no user.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from peacewatch.scenarios.balkans.model import KINDS


@click.group()
def history() -> None:
    """The record of NATO's Balkan operations, every fact with its source."""


@history.command("list")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="repeatable")
@click.option("--from", "from_year", type=click.IntRange(1900, 2100), help="from this year")
@click.option("--to", "to_year", type=click.IntRange(1900, 2100), help="up to this year")
@click.option("--q", default=None, help="words that must each appear in the item")
@click.option("--json", "as_json", is_flag=True, help="print the items as JSON")
def list_command(
    kinds: tuple[str, ...],
    from_year: int | None,
    to_year: int | None,
    q: str | None,
    as_json: bool,
) -> None:
    """Operations, offices, milestones and corrections, oldest first."""
    from peacewatch.scenarios.balkans import record

    if from_year is not None and to_year is not None and to_year < from_year:
        raise click.BadParameter("must not be before --from", param_hint="--to")
    items = [
        record.as_dict(i)
        for i in record.find(kinds=kinds, from_year=from_year, to_year=to_year, q=q)
    ]
    if as_json:
        click.echo(json.dumps({"items": items, "count": len(items)}))
        return
    for item in items:
        click.echo(f"{_when(item):<25} {item['kind']:<10} {item['id']:<28} {item['name']}")


@history.command("show")
@click.argument("item_id")
@click.option("--json", "as_json", is_flag=True, help="print the item as JSON")
def show_command(item_id: str, as_json: bool) -> None:
    """One item with its dates, figures, handovers and sources (exit 1 when unknown)."""
    from peacewatch.scenarios.balkans import record

    found = record.get(item_id)
    if found is None:
        click.echo(f"no item {item_id!r} in the record (see `peacewatch history list`)", err=True)
        sys.exit(1)
    item = record.as_dict(found)
    if as_json:
        click.echo(json.dumps(item))
        return
    click.echo(f"{item['name']}  [{item['kind']}, {item['id']}]")
    click.echo(f"  when: {_when(item)}")
    if item["kind"] == "correction":
        click.echo(f"  popular account: {item['claim']}")
        click.echo(f"  the record: {item['correction']}")
    for key in ("also_known_as", "led_by", "area", "basis", "category"):
        if item.get(key):
            click.echo(f"  {key.replace('_', ' ')}: {item[key]}")
    for key in ("figures", "notes", "nations", "related"):
        for value in item.get(key) or ():
            click.echo(f"  {key[:-1] if key != 'nations' else 'nation'}: {value}")
    for key in ("predecessor", "successor"):
        if item.get(key):
            click.echo(f"  {key}: {item[key]['id']} ({item[key]['timing'].replace('_', ' ')})")
    if item["verify"]:
        click.echo(f"  VERIFY: {item['verify_note']}")
    for source in item["sources"]:
        click.echo(
            f"  source: {source['title']}" + (f" - {source['url']}" if source["url"] else "")
        )


def _when(item: dict[str, Any]) -> str:
    if "start" in item:
        return f"{item['start_shown']} - {item['end_shown'] or 'ongoing'}"
    return str(item["date_shown"] if "date_shown" in item else item["date"])
