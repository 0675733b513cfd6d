"""The gateway's configuration, and its TLS context from ``peacewatch tak cert`` files."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from peacewatch.settings import Settings

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class Config:
    """The gateway's settings (``PEACEWATCH_TAK_*``); a port of 0 picks a free one, None
    leaves that listener off."""

    host: str = "127.0.0.1"
    tcp_port: int | None = 8087
    udp_port: int | None = 6969
    tls_port: int | None = 8089
    plain_user: str | None = None
    max_connections: int = 4000
    queue_size: int = 1000
    idle_timeout: float = 180.0
    ping_interval: float = 30.0
    max_message_bytes: int = 1024 * 1024
    mission: str = "KFOR"

    @classmethod
    def from_settings(cls, settings: Settings) -> Config:
        """The gateway's part of the settings."""
        return cls(
            host=settings.tak_host,
            tcp_port=settings.tak_tcp_port or None,
            udp_port=settings.tak_udp_port or None,
            tls_port=settings.tak_tls_port or None,
            plain_user=settings.tak_plain_user or None,
            max_connections=settings.tak_max_connections,
            queue_size=settings.tak_queue_size,
            idle_timeout=settings.tak_idle_timeout,
            ping_interval=settings.tak_ping_interval,
            max_message_bytes=settings.tak_max_message_bytes,
            mission=settings.mission,
        )


def server_tls(cert_dir: Path | str) -> ssl.SSLContext | None:
    """The TLS context from ``peacewatch tak cert`` files (None when there are none):
    client certificates are required and must be signed by the gateway's CA."""
    folder = Path(cert_dir)
    ca, cert, key = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    if not (ca.is_file() and cert.is_file() and key.is_file()):
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    context.load_verify_locations(cafile=str(ca))
    context.verify_mode = ssl.CERT_REQUIRED
    return context
