"""Schema migrations for either backend (``peacewatch db upgrade``)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from peacewatch.store.engine import Store


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "peacewatch.store:migrations")
    return cfg


def upgrade(store: Store, revision: str = "head") -> None:
    """Migrate the store's schema up to ``revision``."""
    cfg = _config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(store: Store, revision: str) -> None:
    """Migrate the store's schema down to ``revision`` ("base" empties it)."""
    cfg = _config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(store: Store) -> str | None:
    """The revision the store is at, or None for an empty database."""
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this version of PeaceWatch."""
    return ScriptDirectory.from_config(_config()).get_current_head()
