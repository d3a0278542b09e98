"""Point discord.py at a different REST base URL and gateway.

Production uses this to route REST calls through an HTTP proxy that owns Discord's
rate limits; the test-suite uses it to talk to ``testkit.fakediscord``.

discord.py builds every REST URL (including interaction callbacks and webhooks) from
``discord.http.Route.BASE``. A non-sharded client opens its first gateway connection to
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``; after READY it resumes against the
``resume_gateway_url`` the gateway handed out, and an ``AutoShardedClient`` asks
``GET /gateway/bot`` (i.e. the REST base) for its URL. Setting those two class attributes
is therefore enough, and both are documented knobs rather than private internals.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import yarl
from discord import http as discord_http
from discord.gateway import DiscordWebSocket

_DISCORD_GATEWAY = "wss://gateway.discord.gg/"


def _default_api_base() -> str:
    # Mirrors discord.http._set_api_version so a reset keeps the negotiated API version.
    return f"https://discord.com/api/v{discord_http.INTERNAL_API_VERSION}"


def configure_discord_endpoints(api_base_url: str | None, gateway_url: str | None) -> None:
    """Use ``api_base_url`` for REST and ``gateway_url`` for the gateway websocket.

    ``api_base_url`` must include the API version path, e.g. ``http://proxy:8080/api/v10``.
    Passing ``None`` for either restores Discord's production endpoint, so calling
    ``configure_discord_endpoints(None, None)`` undoes any earlier redirection.
    """
    if api_base_url is None:
        discord_http.Route.BASE = _default_api_base()
    else:
        parts = urlsplit(api_base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"api_base_url must be an absolute http(s) URL, got {api_base_url!r}")
        # Route appends paths that start with "/", so a trailing slash would double up.
        discord_http.Route.BASE = api_base_url.rstrip("/")

    if gateway_url is None:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(_DISCORD_GATEWAY)
    else:
        url = yarl.URL(gateway_url)
        if url.scheme not in ("ws", "wss") or not url.host:
            raise ValueError(f"gateway_url must be an absolute ws(s) URL, got {gateway_url!r}")
        DiscordWebSocket.DEFAULT_GATEWAY = url
