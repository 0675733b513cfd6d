"""``peacewatch backup`` and ``peacewatch restore``: one file and its manifest, either backend."""

from __future__ import annotations

import json
from pathlib import Path

import click

from peacewatch.errors import PeaceWatchError


@click.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print the manifest as JSON")
@click.pass_context
def backup_command(ctx: click.Context, dest: Path, as_json: bool) -> None:
    """Back up the store into DEST (SQLite: a checked copy made while serving; PostgreSQL:
    pg_dump -Fc), with DEST.manifest.json: schema revision, rows per table, sha256."""
    from peacewatch.cli import _fail, _settings
    from peacewatch.store.backup import backup

    settings = _settings(ctx)
    try:
        manifest = backup(settings.database_url, dest, progress=None if as_json else click.echo)
    except PeaceWatchError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(manifest.to_json(), nl=False)
    else:
        click.echo(f"sha256 {manifest.sha256}, {manifest.size} bytes")


@click.command("restore")
@click.argument("src", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="replace a store that holds data")
@click.option("--json", "as_json", is_flag=True, help="print the backup's manifest as JSON")
@click.pass_context
def restore_command(ctx: click.Context, src: Path, force: bool, as_json: bool) -> None:
    """Restore the backup SRC into the store (stop the server first), check its rows against
    the manifest and migrate it to the newest schema. Refuses a store that holds data unless
    --force, and a backup whose revision this version does not know."""
    from peacewatch.cli import _fail, _settings
    from peacewatch.store.backup import restore

    settings = _settings(ctx)
    try:
        manifest = restore(
            src, settings.database_url, force=force, progress=None if as_json else click.echo
        )
    except PeaceWatchError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps({"restored": True, "manifest": json.loads(manifest.to_json())}))
