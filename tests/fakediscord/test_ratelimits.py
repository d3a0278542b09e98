"""Discord's rate limits in the fake, met by the real discord.py HTTP client.

The property later load tests rely on: under 429s nothing the bot sends is lost or
duplicated, because discord.py waits and retries and a refused request had no effect.
Windows are shortened (tenths of a second) so each test runs in about a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord.ext import commands

from bot.endpoints import configure_discord_endpoints
from testkit.fakediscord import Channel, FakeDiscord
from testkit.fakediscord.ratelimits import (
    CREATE_MESSAGE,
    DEFAULT_GLOBAL_LIMIT,
    DEFAULT_ROUTE_LIMITS,
    Limit,
    RateLimitConfig,
    bucket_hash,
)

WINDOW = 0.1
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
PER_CHANNEL = RateLimitConfig(routes={CREATE_MESSAGE: Limit(5, WINDOW)}, global_limit=None)


@contextlib.asynccontextmanager
async def http_clients(fake: FakeDiscord, count: int) -> AsyncIterator[list[discord.Client]]:
    """``count`` logged-in clients sharing the bot token, like processes of one bot.

    Only their REST side is used, so no gateway connection is needed.
    """
    previous = (discord.http.Route.BASE, str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY))
    fake.configure_client()
    clients = [discord.Client(intents=discord.Intents.none()) for _ in range(count)]
    try:
        for client in clients:
            await client.login(fake.token)
        yield clients
    finally:
        for client in clients:
            await client.close()
        configure_discord_endpoints(*previous)


async def post_all(clients: list[discord.Client], channel: Channel, count: int) -> None:
    """Send ``count`` numbered messages at once, spread over the clients."""
    await asyncio.gather(
        *(
            clients[i % len(clients)].get_partial_messageable(channel.id).send(f"message {i}")
            for i in range(count)
        )
    )


def assert_each_once(fake: FakeDiscord, channel: Channel, count: int) -> None:
    contents = sorted(m.content for m in fake.messages_in(channel))
    assert contents == sorted(f"message {i}" for i in range(count))


async def test_one_client_paces_itself_from_the_headers() -> None:
    """discord.py reads the bucket headers and waits before the window runs out: no 429."""
    async with FakeDiscord.start(rate_limits=PER_CHANNEL) as fake:
        channel = fake.state.channels[(await fake.create_guild()).channel_ids[0]]
        async with http_clients(fake, 1) as clients:
            started = time.monotonic()
            await post_all(clients, channel, 30)
            elapsed = time.monotonic() - started
        assert_each_once(fake, channel, 30)
        assert fake.ratelimits.total_rejected == 0
        assert fake.ratelimits.requests[CREATE_MESSAGE] == 30
        # 30 messages at 5 per window need at least 6 windows: the client waited.
        assert elapsed >= 5 * WINDOW
        fake.assert_clean()


async def test_concurrent_posts_under_429s_arrive_exactly_once() -> None:
    """Two clients of one bot token share the channel's bucket, as two processes do.

    Neither knows what the other spent, so they meet real 429s; discord.py sleeps for
    ``retry_after`` and retries, and every message is recorded exactly once.
    """
    async with FakeDiscord.start(rate_limits=PER_CHANNEL) as fake:
        channel = fake.state.channels[(await fake.create_guild()).channel_ids[0]]
        async with http_clients(fake, 2) as clients:
            started = time.monotonic()
            await post_all(clients, channel, 30)
            elapsed = time.monotonic() - started
        assert_each_once(fake, channel, 30)
        limits = fake.ratelimits
        assert limits.rejected[CREATE_MESSAGE] > 0
        assert limits.global_rejected.total() == 0
        # Every refused request was retried and counted again: 30 created, the rest 429s.
        assert limits.requests[CREATE_MESSAGE] == 30 + limits.rejected[CREATE_MESSAGE]
        assert all(hit.major == str(channel.id) and not hit.is_global for hit in limits.hits)
        assert elapsed >= 5 * WINDOW
        fake.assert_clean()


async def test_global_limit_spans_routes_and_discord_py_waits_it_out() -> None:
    """One message in each of 30 channels: no route bucket is full, the global one is."""
    config = RateLimitConfig(global_limit=Limit(10, WINDOW))
    async with FakeDiscord.start(rate_limits=config) as fake:
        guild = await fake.create_guild(channels=[f"c{i}" for i in range(30)])
        channels = [fake.state.channels[c] for c in guild.channel_ids]
        async with http_clients(fake, 1) as (client,):
            await asyncio.gather(
                *(client.get_partial_messageable(c.id).send(f"hello {c.name}") for c in channels)
            )
        for channel in channels:
            assert [m.content for m in fake.messages_in(channel)] == [f"hello {channel.name}"]
        limits = fake.ratelimits
        assert limits.global_rejected[CREATE_MESSAGE] > 0
        assert limits.rejected.total() == 0
        assert all(hit.is_global for hit in limits.hits)
        fake.assert_clean()


async def test_429_answer_is_discords_and_has_no_side_effect() -> None:
    """Headers and body as Discord sends them; the refused message is never created."""
    config = RateLimitConfig(routes={CREATE_MESSAGE: Limit(2, 30.0)}, global_limit=None)
    async with FakeDiscord.start(rate_limits=config) as fake:
        channel = fake.state.channels[(await fake.create_guild()).channel_ids[0]]
        url = f"{fake.api_base_url}/channels/{channel.id}/messages"
        headers = {"Authorization": f"Bot {fake.token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            answers = []
            for i in range(3):
                async with session.post(url, json={"content": f"try {i}"}) as response:
                    answers.append((response.status, dict(response.headers), await response.json()))
        (ok1, h1, _), (ok2, h2, _), (status, h3, body) = answers
        assert (ok1, ok2, status) == (200, 200, 429)
        assert (h1["X-RateLimit-Limit"], h1["X-RateLimit-Remaining"]) == ("2", "1")
        assert h2["X-RateLimit-Remaining"] == "0"
        assert h1["X-RateLimit-Bucket"] == h2["X-RateLimit-Bucket"] == bucket_hash(CREATE_MESSAGE)
        assert 0 < float(h1["X-RateLimit-Reset-After"]) <= 30
        assert abs(float(h1["X-RateLimit-Reset"]) - time.time() - 30) < 2
        assert body["global"] is False and 29 < body["retry_after"] <= 30
        assert isinstance(body["retry_after"], float) and body["message"]
        assert h3["Retry-After"] == "30" and h3["X-RateLimit-Scope"] == "user"
        assert h3["Via"] and "X-RateLimit-Global" not in h3
        assert [m.content for m in fake.messages_in(channel)] == ["try 0", "try 1"]
        assert fake.ratelimits.rejected[CREATE_MESSAGE] == 1


class AnsweringBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(
            command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05
        )

        @self.tree.command(description="Answers at once")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            await interaction.followup.send("pong")

    async def setup_hook(self) -> None:
        await self.tree.sync()


async def test_interaction_callbacks_are_not_bound_to_the_global_limit() -> None:
    """With the bot's global window spent for seconds, an interaction is still answered."""
    config = RateLimitConfig(global_limit=Limit(1, 30.0))
    async with FakeDiscord.start() as fake:
        guild = await fake.create_guild()
        player = await fake.add_member(guild, "player")
        async with fake.run_bot(AnsweringBot()):
            with fake.ratelimits.enabled_for(config) as limits:
                headers = {"Authorization": f"Bot {fake.token}"}
                async with aiohttp.ClientSession(headers=headers) as session:
                    for _ in range(2):  # the first spends the window, the second is refused
                        async with session.get(f"{fake.api_base_url}/users/@me") as response:
                            last = response
                assert last.status == 429 and last.headers["X-RateLimit-Global"] == "true"
                assert last.headers["X-RateLimit-Scope"] == "global"

                record = await fake.slash(player, "ping", guild=guild)
                await record.response()
                await fake.wait_for_message(lambda m: m.content == "pong", timeout=2)
                assert limits.requests[CALLBACK] == 1
                assert list(limits.global_rejected) == ["GET /users/@me"]
            assert not fake.ratelimits.enabled
        fake.assert_clean()


def test_defaults_are_the_documented_ones() -> None:
    assert DEFAULT_ROUTE_LIMITS[CREATE_MESSAGE] == Limit(5, 5.0)
    assert Limit(50, 1.0) == DEFAULT_GLOBAL_LIMIT
    assert RateLimitConfig().routes == DEFAULT_ROUTE_LIMITS


@pytest.mark.parametrize("flag", [True, RateLimitConfig()])
async def test_constructor_flag_turns_the_defaults_on(flag: bool | RateLimitConfig) -> None:
    async with FakeDiscord.start(rate_limits=flag) as fake:
        assert fake.ratelimits.enabled
        assert fake.ratelimits.config.routes[CREATE_MESSAGE] == Limit(5, 5.0)
    async with FakeDiscord.start() as fake:
        assert not fake.ratelimits.enabled
