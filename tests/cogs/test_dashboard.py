"""/dashboard through the real discord.py client: the DM'd link logs the organizer in."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient, TestServer

from dashboard.app import create_app
from dashboard.config import DashboardConfig
from tests.cogs.conftest import Arena

SUPPRESS_EMBEDS = 1 << 2


async def _set_up(arena: Arena) -> None:
    await arena.slash(arena.owner, "setup", {"organizer_role": arena.organizer_role_id})


async def test_organizer_gets_a_one_time_link_in_dms(arena: Arena) -> None:
    await _set_up(arena)
    reply = await arena.slash(arena.organizer, "dashboard")
    assert reply.ephemeral and "sent you a login link in DMs" in reply.content
    [dm] = arena.env.fake.dms_to(arena.organizer)
    assert dm.flags & SUPPRESS_EMBEDS  # no link preview fetching the page
    match = re.search(r"(http://\S+/org/login/(\S+))", dm.content)
    assert match is not None and "expires <t:" in dm.content

    runtime = arena.env.runtime
    config = DashboardConfig.for_data_dir(
        runtime.settings.storage.data_dir, public_url=runtime.settings.dashboard.public_url
    )
    app = create_app(runtime.services, config, live_updates=False)
    async with TestClient(TestServer(app)) as client:
        login = await client.post(f"/org/login/{match[2]}", allow_redirects=False)
        assert login.status == 303
        page = await client.get(f"/org/payments?g={arena.guild.id}")
        assert page.status == 200 and "No payments are waiting" in await page.text()
        reused = await client.post(f"/org/login/{match[2]}", allow_redirects=False)
        assert reused.status == 403


async def test_players_are_refused_and_get_no_dm(arena: Arena) -> None:
    await _set_up(arena)
    player = arena.players[0]
    reply = await arena.slash(player, "dashboard")
    assert reply.ephemeral and "Only organizers" in reply.content
    assert arena.env.fake.dms_to(player) == []


async def test_closed_dms_are_explained(arena: Arena) -> None:
    await _set_up(arena)
    arena.organizer.user.accepts_dms = False
    reply = await arena.slash(arena.organizer, "dashboard")
    assert reply.ephemeral and "could not DM you" in reply.content
