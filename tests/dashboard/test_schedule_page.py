"""The public tournament page with the real hooks: the schedule in the server's time zone,
LIVE matches first, and a new picture address once a match goes LIVE."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update

from dashboard.adapters import dashboard_hooks
from dashboard.app import create_app
from dashboard.config import DashboardConfig
from dashboard.state import STATE
from engine.brackets import MatchLive
from engine.guilds import GuildSetup
from engine.kernel.clock import FrozenClock
from engine.services import Services
from storage.models import Tournament
from testkit.factories import make_event
from tests.engine.services.test_match_schedule import events


@pytest_asyncio.fixture
async def real_client(services: Services, config: DashboardConfig) -> AsyncIterator[TestClient]:
    app = create_app(services, config, dashboard_hooks(services), live_updates=False)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_the_schedule_shows_local_times_and_live_matches(
    real_client: TestClient, services: Services, clock: FrozenClock, new_id
) -> None:
    event = await make_event(services, new_id, players=4)
    await services.guilds.configure(
        event.organizer, event.guild_id, GuildSetup(timezone="Asia/Dhaka")
    )
    first = clock.now() + timedelta(hours=2)  # 14:00 UTC = 20:00 in Dhaka
    async with services.db.transaction() as session:
        slug = (await session.get(Tournament, event.tournament_id)).slug  # type: ignore[union-attr]
        await session.execute(
            update(Tournament)
            .where(Tournament.id == event.tournament_id)
            .values(round_times=[first.isoformat()], round_interval_minutes=45)
        )
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    page = await (await real_client.get(f"/t/{slug}")).text()
    assert "Starts (Asia/Dhaka)" in page
    assert page.count("Thu 1 Jan, 20:00") == 2 and "Thu 1 Jan, 20:45" in page
    assert "TBD vs TBD" in page  # the final: its time is known, its players not yet
    image = re.search(r"bracket-1\.png\?v=(\d+)", page)
    assert image is not None

    [match, _] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    await services.schedule.start_match(event.organizer, match.id)
    # Delivering the MatchLive event drops the page this process keeps (dashboard/reads.py).
    [went_live] = await events(services, MatchLive, event.tournament_id)
    real_client.app[STATE].reads.saw(went_live)
    live_page = await (await real_client.get(f"/t/{slug}")).text()
    assert live_page.count('<span class="pill live">LIVE</span>') == 1
    assert live_page.index('pill live">LIVE') < live_page.index("Thu 1 Jan, 20:00")
    assert live_page.count("Thu 1 Jan, 20:00") == 1  # the other first-round match
    live_image = re.search(r"bracket-1\.png\?v=(\d+)", live_page)
    assert live_image is not None and live_image.group(1) != image.group(1)
