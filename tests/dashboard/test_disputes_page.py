"""/org/disputes with the real hooks: disputes opened through the DisputeService show up
for the guild's organizer, linked to their threads, and leave once resolved."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from dashboard.adapters import dashboard_hooks
from dashboard.app import create_app
from dashboard.config import DashboardConfig
from engine.services import Services
from engine.site import DashboardAuthService
from tests.dashboard.conftest import log_in
from tests.engine.services.test_scores import make_arena


@pytest_asyncio.fixture
async def real_client(services: Services, config: DashboardConfig) -> AsyncIterator[TestClient]:
    app = create_app(services, config, dashboard_hooks(services), live_updates=False)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_organizer_sees_open_disputes_until_they_are_resolved(
    real_client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    arena = await make_arena(services, new_id, best_of=3)
    guild_id = arena.event.guild_id
    first, second = await arena.ready()
    side_a, _ = arena.sides(first)
    opened = await arena.disputes.open_dispute(
        side_a, reason="cheating", description="They used a wallhack.", match_id=first.id
    )
    thread_id = new_id()
    assert await arena.disputes.record_thread(opened.id, thread_id)
    a, b = arena.sides(second)
    await arena.scores.report_score(a, mine=2, theirs=0, match_id=second.id)
    mismatch = await arena.scores.report_score(b, mine=2, theirs=1, match_id=second.id)
    assert mismatch.dispute_id is not None
    await log_in(real_client, auth, arena.organizer)

    response = await real_client.get(f"/org/disputes?g={guild_id}")
    html = await response.text()

    assert response.status == 200, html
    assert "No open disputes" not in html
    assert f"Cup {guild_id % 1000}" in html
    assert f"{first.round_title} · {first.code}" in html
    assert f"{second.round_title} · {second.code}" in html
    assert f"User {side_a.user_id}" in html and "Cheating" in html
    assert "the bot (score mismatch)" in html and "Score mismatch" in html
    assert f'href="https://discord.com/channels/{guild_id}/{thread_id}"' in html
    assert html.count("https://discord.com/channels/") == 1  # the bot's dispute has no thread

    for dispute_id in (opened.id, mismatch.dispute_id):
        await arena.disputes.resolve(
            arena.organizer, first=2, second=1, notes="Decided.", dispute_id=dispute_id
        )
    after = await (await real_client.get(f"/org/disputes?g={guild_id}")).text()
    assert "No open disputes" in after
