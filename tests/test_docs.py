"""The README documents every setting, CLI command and API route, so docs cannot drift."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from peacewatch.api import create_app
from peacewatch.api.app import api_routes
from peacewatch.cli import main
from peacewatch.settings import Settings

README = (Path(__file__).parents[1] / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"PEACEWATCH_{name.upper()}" in README
    assert Settings.model_fields[name].description, f"setting {name} has no description"


def _commands(group: click.Group, prefix: str = "peacewatch") -> list[str]:
    out = []
    for name, command in group.commands.items():
        full = f"{prefix} {name}"
        if isinstance(command, click.Group):
            out += _commands(command, full)
        else:
            out.append(full)
    return out


@pytest.mark.parametrize("command", _commands(main))
def test_every_cli_command_is_documented(command: str) -> None:
    assert f"`{command}" in README


def test_every_route_is_documented(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'docs.db'}"))
    paths = {r.path for r in api_routes(app)}
    assert len(paths) > 20
    missing = [p for p in sorted(paths) if f"{p}`" not in README]
    assert not missing, f"routes missing from README.md: {missing}"
