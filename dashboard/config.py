"""What the dashboard needs to know besides the services: its address and its key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from engine.site import signing_key


@dataclass(frozen=True)
class DashboardConfig:
    public_url: str
    secret_key: bytes
    # Seconds between SSE comment lines, so proxies and browsers keep idle streams open.
    heartbeat_seconds: float = 15.0
    # Login and /verify attempts per client address per minute.
    login_attempts_per_minute: int = 10
    verify_attempts_per_minute: int = 30
    # When set, /metrics answers only requests with ``Authorization: Bearer <token>``.
    metrics_token: str | None = None

    @property
    def secure_cookies(self) -> bool:
        return urlsplit(self.public_url).scheme == "https"

    @classmethod
    def for_data_dir(
        cls,
        data_dir: Path,
        *,
        public_url: str = "http://127.0.0.1:8080",
        secret: str | None = None,
        metrics_token: str | None = None,
    ) -> DashboardConfig:
        return cls(
            public_url=public_url.rstrip("/"),
            secret_key=signing_key(secret, data_dir),
            metrics_token=metrics_token or None,
        )


def served_url(host: str, port: int) -> str:
    """The URL of a local listener; a wildcard host is reached through loopback."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"
