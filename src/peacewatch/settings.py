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
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="HTTP worker processes of `peacewatch serve`; more than 1 needs PostgreSQL.",
    )
    threads: int = Field(
        default=8,
        ge=1,
        le=256,
        description="Threads per worker that run requests (reads and writes wait for the "
        "database in them).",
    )
    mission: str = Field(default="KFOR", description="Code of the mission shown by default.")
    session_hours: float = Field(
        default=12.0, gt=0, le=168, description="Hours a browser session lasts (one shift)."
    )
    token_days: float = Field(
        default=90.0, gt=0, le=3660, description="Days a new bearer token lasts unless told."
    )
    login_max_failures: int = Field(
        default=5, ge=1, le=100, description="Failed logins in a row that lock an account."
    )
    login_lockout_minutes: float = Field(
        default=15.0, gt=0, description="Minutes an account stays locked after the failures."
    )
    login_failures_per_address: int = Field(
        default=20, ge=1, description="Failed logins one address may make in 5 minutes."
    )
    cookie_secure: bool = Field(
        default=False,
        description="Send session cookies only over HTTPS; required when not bound to loopback.",
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
    # The TAK / Cursor-on-Target gateway (docs/tak.md).
    tak_enabled: bool = Field(
        default=False, description="Start the TAK gateway alongside `peacewatch serve`."
    )
    tak_host: str = Field(default="127.0.0.1", description="Address the TAK listeners bind to.")
    tak_tcp_port: int = Field(
        default=8087, ge=0, le=65535, description="Plain CoT TCP port (0: off)."
    )
    tak_udp_port: int = Field(default=6969, ge=0, le=65535, description="CoT UDP port (0: off).")
    tak_tls_port: int = Field(
        default=8089, ge=0, le=65535, description="CoT TLS port with client certificates (0: off)."
    )
    tak_cert_dir: Path = Field(
        default=Path("var") / "tak",
        description="Folder of the gateway's CA, server certificate and issued client ones.",
    )
    tak_plain_user: str = Field(
        default="",
        description="User that plain TCP/UDP devices act as; empty: plain listeners off.",
    )
    tak_max_connections: int = Field(
        default=4000, ge=1, description="TCP and TLS connections the gateway holds at most."
    )
    tak_queue_size: int = Field(
        default=1000, ge=10, description="Events waiting for one slow client before drops."
    )
    tak_idle_timeout: float = Field(
        default=180.0, gt=0, description="Seconds of silence after which a device is dropped."
    )
    tak_ping_interval: float = Field(
        default=30.0, gt=0, description="Seconds of silence before the gateway pings a device."
    )
    tak_max_message_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Largest CoT message accepted, in bytes."
    )

    @field_validator("sqlite_synchronous")
    @classmethod
    def _known_sync(cls, value: str) -> str:
        value = value.upper()
        if value not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError("must be one of OFF, NORMAL, FULL, EXTRA")
        return value

    def unsafe_reasons(self) -> list[str]:
        """Why these settings must not serve beyond this machine (empty when they may)."""
        reasons = []
        if self.host not in ("127.0.0.1", "::1", "localhost") and not self.cookie_secure:
            reasons.append(
                f"host {self.host} is reachable from other machines, but session cookies would "
                "travel without HTTPS: serve behind TLS and set PEACEWATCH_COOKIE_SECURE=true"
            )
        plain = self.tak_plain_user and (self.tak_tcp_port or self.tak_udp_port)
        if self.tak_enabled and plain and self.tak_host not in ("127.0.0.1", "::1", "localhost"):
            reasons.append(
                f"the plain TAK listeners would act as {self.tak_plain_user} for anyone who "
                f"reaches {self.tak_host}: bind them to loopback (PEACEWATCH_TAK_HOST=127.0.0.1) "
                "or use TLS with client certificates"
            )
        return reasons

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql', from the database URL."""
        return "postgresql" if self.database_url.startswith("postgresql") else "sqlite"
