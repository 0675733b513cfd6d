"""Typed settings read from ``PEACEWATCH_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var") / "peacewatch.db"


class Settings(BaseSettings):
    """Every knob of PeaceWatch; the defaults run the embedded mode with no configuration."""

    model_config = SettingsConfigDict(env_prefix="PEACEWATCH_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        description="Store URL: sqlite:///file.db (embedded) or postgresql://host/db (PostGIS).",
    )
    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the HTTP server binds to.")
    mission: str = Field(default="KFOR", description="Code of the mission shown by default.")
    viewer_name: str = Field(
        default="operator", description="Name of the local operator in embedded mode."
    )
    viewer_nation: str = Field(
        default="GBR", description="Nation trigraph of the local operator in embedded mode."
    )
    viewer_clearance: str = Field(
        default="NATO SECRET", description="Clearance of the local operator in embedded mode."
    )
    viewer_communities: str = Field(
        default="NATO,KFOR",
        description="Comma-separated communities the local operator belongs to (embedded mode).",
    )
    page_size_max: int = Field(
        default=10_000, ge=1, description="Largest page a list endpoint returns."
    )
    ingest_batch_size: int = Field(
        default=1000, ge=1, le=50_000, description="Reports written per transaction on ingest."
    )
    sqlite_synchronous: str = Field(
        default="FULL",
        description="SQLite synchronous mode; FULL makes every acknowledged batch durable.",
    )

    @field_validator("sqlite_synchronous")
    @classmethod
    def _known_sync(cls, value: str) -> str:
        value = value.upper()
        if value not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError("must be one of OFF, NORMAL, FULL, EXTRA")
        return value

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql', from the database URL."""
        return "postgresql" if self.database_url.startswith("postgresql") else "sqlite"
