"""The real DeltaCrown bot, built by the product's own runtime, against one fake Discord.

One fake and one connected bot serve the whole session (connecting costs a second); each
test gets a fresh guild (``arena``), so tests never see each other's data. The bot runs on
its own migrated SQLite database with the outbox dispatcher and scheduler running, exactly
as ``deltacrown run`` wires them — only the Discord endpoints point at the fake, through
the same ``discord.api_base_url``/``gateway_url`` settings a proxy would use.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from bot.config import Settings
from bot.endpoints import configure_discord_endpoints
from bot.runtime import Runtime, open_runtime
from engine.services import Services
from testkit.fakediscord import (
    Channel,
    FakeDiscord,
    Guild,
    InteractionRecord,
    Member,
    Message,
)
from tests.conftest import migrate


@dataclass
class DiscordEnv:
    fake: FakeDiscord
    runtime: Runtime

    @property
    def services(self) -> Services:
        return self.runtime.services

    @property
    def bot(self):  # type: ignore[no-untyped-def]
        return self.runtime.bot

    async def settle(self) -> None:
        """Wait until every event committed so far went through the notifier."""
        await self.services.outbox.wait_idle()


@dataclass
class Arena:
    """A fresh server: an owner, an organizer (by role), two players, the usual channels."""

    guild: Guild
    owner: Member
    organizer: Member
    organizer_role_id: int
    players: list[Member]
    announcements: Channel
    matches: Channel
    disputes: Channel
    env: DiscordEnv

    async def slash(
        self,
        user: Member,
        command: str,
        options: dict | None = None,
    ) -> InteractionRecord:
        record = await self.env.fake.slash(
            user, command, options or {}, guild=self.guild, channel=self.announcements
        )
        return await record.response()

    async def ask(
        self, user: Member, command: str, options: dict | None = None
    ) -> InteractionRecord | Message:
        """Send a slash command and return its answer as the user sees it (the followup
        that replaces "thinking…" when the bot deferred)."""
        record = await self.env.fake.slash(
            user, command, options or {}, guild=self.guild, channel=self.announcements
        )
        return await record.answer()


UPLOAD_LIMIT = 256 * 1024


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def discord_env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DiscordEnv]:
    # Its own database: the bot's real-clock scheduler and outbox dispatcher must never
    # fire the frozen-clock timers or deliver the events of the service tests.
    data_dir = tmp_path_factory.mktemp("bot-data")
    database_url = f"sqlite+aiosqlite:///{data_dir / 'bot.db'}"
    await migrate(database_url)
    async with FakeDiscord.start() as fake:
        settings = Settings(
            discord={
                "token": fake.token,
                "application_id": fake.application_id,
                "api_base_url": fake.api_base_url,
                "gateway_url": fake.gateway_url,
            },
            database={"url": database_url},
            # Smaller than the default, so the cogs are seen to honour the setting.
            storage={"data_dir": data_dir, "max_upload_bytes": UPLOAD_LIMIT},
            dashboard={"enabled": False},
        )
        async with open_runtime(settings, bot_options={"guild_ready_timeout": 0.05}) as runtime:
            bot = runtime.bot
            await bot.login(fake.token)
            connection = asyncio.create_task(bot.connect(reconnect=False), name="deltacrown-bot")
            await asyncio.wait_for(bot.wait_until_ready(), timeout=15)
            await bot.tree.sync()  # global commands: every test guild sees them
            try:
                yield DiscordEnv(fake=fake, runtime=runtime)
            finally:
                # Bounded: a teardown that cannot reach the fake must fail, not hang.
                await asyncio.wait_for(bot.close(), 30)
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(connection, 30)


@pytest_asyncio.fixture(loop_scope="session")
async def arena(discord_env: DiscordEnv) -> AsyncIterator[Arena]:
    fake = discord_env.fake
    # Discord's endpoints are process-wide: a test that ran its own fake since this bot
    # connected (tests/fakediscord, the kill and big-start tests) may have pointed them at
    # a fake that is gone, and test order is not alphabetical under pytest-xdist.
    configure_discord_endpoints(fake.api_base_url, fake.gateway_url)
    guild = await fake.create_guild(channels=("announcements", "matches", "disputes"))
    owner = guild.members[guild.owner_id]
    role = await fake.add_role(guild, "Organizers")
    organizer = await fake.add_member(guild, "organizer", roles=[role])
    players = [await fake.add_member(guild, f"player{i}") for i in range(1, 3)]
    # No need to wait for the bot to see the guild: the gateway delivers events in order,
    # so any interaction sent later is handled after GUILD_CREATE and the member adds.
    channels = [fake.state.channel(cid) for cid in guild.channel_ids]
    yield Arena(
        guild=guild,
        owner=owner,
        organizer=organizer,
        organizer_role_id=role.id,
        players=players,
        announcements=channels[0],
        matches=channels[1],
        disputes=channels[2],
        env=discord_env,
    )
    fake.assert_clean()


@pytest.fixture
def fake(discord_env: DiscordEnv) -> FakeDiscord:
    return discord_env.fake
