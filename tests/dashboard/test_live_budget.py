"""Live-update streams are budgeted: per address, public and organizer pools, idle limit."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from aiohttp import ClientResponse, TCPConnector
from aiohttp.test_utils import TestClient, TestServer

from dashboard.app import create_app
from dashboard.config import DashboardConfig
from dashboard.live import LiveHub, StreamRefused
from dashboard.state import STATE
from engine.kernel.clock import FrozenClock
from engine.services import Services
from engine.site import DashboardAuthService
from storage.db import Database
from testkit.dashboard_fakes import Fakes
from testkit.payment_helpers import make_guild, make_tournament
from tests.conftest import migrate
from tests.dashboard.conftest import SECRET, log_in


@pytest_asyncio.fixture
async def own_db(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'budget.db'}"
    await migrate(url)
    db = Database(url)
    yield db
    await db.dispose()


def from_address(address: str) -> dict[str, str]:
    """The test client is a loopback peer, so it may speak for clients like a local proxy."""
    return {"X-Forwarded-For": address}


async def open_streams(client: TestClient, path: str, addresses: list[str]) -> list[ClientResponse]:
    return list(
        await asyncio.gather(*(client.get(path, headers=from_address(a)) for a in addresses))
    )


def test_the_hub_counts_slots_per_address_and_pool() -> None:
    hub = LiveHub(max_streams=10, max_organizer_streams=2, max_per_address=2)
    first = hub.open({"t:1"}, None, address="a")
    hub.open({"t:1"}, None, address="a")
    try:
        hub.admit("a")
    except StreamRefused as refused:
        assert refused.status == 429
    else:
        raise AssertionError("a third stream from one address must be refused")
    hub.admit("a", organizer=True)  # the organizer pool is counted apart
    hub.close(first)
    hub.close(first)  # closing twice frees one slot, not two
    hub.admit("a")
    assert hub.stream_count == 1


async def test_one_address_cannot_starve_the_live_streams_of_others(
    own_db: Database, tmp_path: Path, fakes: Fakes, new_id
) -> None:
    services = Services(own_db, FrozenClock(), data_dir=tmp_path)
    guild = await make_guild(services, new_id)
    slug = (await services.tournaments.get(await make_tournament(services, guild))).slug
    config = DashboardConfig("http://dashboard.test", SECRET, heartbeat_seconds=30)
    server = TestServer(create_app(services, config, fakes.hooks()))
    async with TestClient(server, connector=TCPConnector(limit=0)) as client:
        client.app[STATE].hub.max_streams = 300
        path = f"/t/{slug}/events"
        greedy = await open_streams(client, path, ["203.0.113.7"] * 300)
        statuses = Counter(r.status for r in greedy)
        assert statuses[200] <= 8 and statuses[429] == 300 - statuses[200], statuses
        others = [f"198.51.{n // 250}.{n % 250 + 1}" for n in range(200)]
        viewers = await open_streams(client, path, others)
        assert Counter(r.status for r in viewers) == {200: 200}
        for response in greedy + viewers:
            response.close()


async def test_organizers_keep_their_own_budget_when_the_public_pool_is_full(
    own_db: Database, tmp_path: Path, fakes: Fakes, new_id
) -> None:
    services = Services(own_db, FrozenClock(), data_dir=tmp_path)
    guild = await make_guild(services, new_id)
    slug = (await services.tournaments.get(await make_tournament(services, guild))).slug
    config = DashboardConfig("http://dashboard.test", SECRET, heartbeat_seconds=30)
    async with TestClient(TestServer(create_app(services, config, fakes.hooks()))) as client:
        client.app[STATE].hub.max_streams = 3
        public = await open_streams(client, f"/t/{slug}/events", ["192.0.2.1", "192.0.2.2"] * 2)
        assert sorted(r.status for r in public) == [200, 200, 200, 503]
        await log_in(client, DashboardAuthService(services.ctx, SECRET), guild.owner)
        organizer = await client.get(f"/org/events?g={guild.id}")
        assert organizer.status == 200
        for response in [*public, organizer]:
            response.close()


async def test_an_idle_stream_ends_and_frees_its_slot(
    own_db: Database, tmp_path: Path, fakes: Fakes, new_id
) -> None:
    services = Services(own_db, FrozenClock(), data_dir=tmp_path)
    guild = await make_guild(services, new_id)
    slug = (await services.tournaments.get(await make_tournament(services, guild))).slug
    config = DashboardConfig("http://dashboard.test", SECRET, heartbeat_seconds=0.05)
    async with TestClient(TestServer(create_app(services, config, fakes.hooks()))) as client:
        hub = client.app[STATE].hub
        hub.idle_seconds = 0.3
        response = await client.get(f"/t/{slug}/events")
        assert response.status == 200
        async with asyncio.timeout(5):
            body = await response.read()  # returns only when the server ends the stream
        assert body.startswith(b"retry: 3000") and b": ping" in body
        assert hub.stream_count == 0
