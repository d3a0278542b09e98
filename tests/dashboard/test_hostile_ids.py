"""Every dashboard route, fed hostile path segments and query values: never a 500.

Runs on SQLite and PostgreSQL (where a NUL byte reaching a query is an error, not a
miss). The routes are read from the app's router, so a new route is covered the day it
is added.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from dashboard.adapters import dashboard_hooks
from dashboard.app import create_app
from dashboard.config import DashboardConfig
from engine.services import Services
from engine.site import DashboardAuthService
from testkit.payment_helpers import make_guild
from tests.dashboard.conftest import SECRET, log_in

# Percent-encoded as they travel on the wire; the client must not re-encode them.
HOSTILE = [
    "%00",
    "a%00b",
    "%ff",
    "%c3%28",
    "%ed%a0%80",  # an encoded UTF-16 surrogate
    "%e2%80%ae",
    "%0d%0aSet-Cookie:%20x=1",
    "%25",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "x" * 5000,
    "-1",
    "99999999999999999999999999",
    "'%20OR%201=1--",
    "%f0%9f%92%a9",
]
QUERY_KEYS = ("g", "t", "p", "done", "action", "limit")


def routes(app: web.Application) -> Iterator[tuple[str, str]]:
    """(method, path template) of every route, static files included."""
    for route in app.router.routes():
        if route.method == "HEAD":
            continue
        info = route.resource.get_info() if route.resource else {}
        template = info.get("formatter") or info.get("path")
        if template is None and "prefix" in info:
            template = info["prefix"].rstrip("/") + "/{filename}"
        if template:
            yield route.method, template


def hostile_requests(app: web.Application) -> Iterator[tuple[str, str]]:
    for method, template in routes(app):
        for segment in HOSTILE:
            yield method, re.sub(r"\{[^}]+\}", segment, template)
            plain = re.sub(r"\{[^}]+\}", "nothing-here", template)
            query = "&".join(f"{key}={segment}" for key in QUERY_KEYS)
            yield method, f"{plain}?{query}"
        yield method, re.sub(r"\{[^}]+\}", "nothing-here", template) + "?g=%00&g=1"


@pytest_asyncio.fixture
async def real_client(services: Services, tmp_path: Path) -> AsyncIterator[TestClient]:
    """The dashboard with the real feature hooks, so lookups go all the way to SQL."""
    config = DashboardConfig("http://dashboard.test", SECRET, heartbeat_seconds=0.05)
    app = create_app(services, config, dashboard_hooks(services))
    async with TestClient(TestServer(app)) as client:
        yield client


async def errors_of(client: TestClient) -> list[str]:
    failures = []
    for method, path in hostile_requests(client.app):
        response = await client.request(method, URL(path, encoded=True), allow_redirects=False)
        if response.status >= 500:
            failures.append(f"{method} {path[:80]} -> {response.status}")
        response.close()
    return failures


async def test_hostile_ids_never_cause_a_server_error(real_client: TestClient) -> None:
    assert await errors_of(real_client) == []


async def test_hostile_ids_never_cause_a_server_error_for_an_organizer(
    real_client: TestClient, services: Services, new_id
) -> None:
    guild = await make_guild(services, new_id)
    await log_in(real_client, DashboardAuthService(services.ctx, SECRET), guild.owner)
    assert await errors_of(real_client) == []


async def test_a_nul_byte_in_a_slug_is_not_found(real_client: TestClient) -> None:
    for path in ("/t/%00", "/t/%00/live.html", "/t/%00/bracket.png", "/verify/%00"):
        response = await real_client.get(URL(path, encoded=True))
        assert response.status == 404, path


async def test_a_hostile_query_is_a_bad_link_not_a_crash(real_client: TestClient) -> None:
    response = await real_client.get(URL("/s/acme?t=%00", encoded=True))
    assert response.status == 400
    assert "characters or a length" in await response.text()
