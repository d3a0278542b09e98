"""Sharding in the fake: two real discord.py clients, one shard each, on one fake Discord.

This is how several ``deltacrown run`` processes split a bot's guilds in production: each
IDENTIFYs with ``[shard_id, shard_count]`` and Discord sends a guild's events only to the
connection owning ``(guild_id >> 22) % shard_count``. Multi-process tests rely on the fake
routing exactly like that, so a process never sees (or answers) another shard's guilds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.ext import commands

from testkit.fakediscord import FakeDiscord, Guild, shard_of

SHARDS = 2
REPO_ROOT = Path(__file__).resolve().parents[2]


class ShardBot(commands.AutoShardedBot):
    """A one-shard client that records which guilds and interactions reached it."""

    def __init__(self, shard_id: int) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = True
        super().__init__(
            command_prefix="!",
            intents=intents,
            shard_count=SHARDS,
            shard_ids=[shard_id],
            guild_ready_timeout=0.05,
        )
        self.my_shard = shard_id
        self.interactions: list[discord.Interaction] = []
        self.messages: list[discord.Message] = []
        self.received = asyncio.Condition()

        @self.tree.command(description="Which shard answers")
        async def where(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"shard {interaction.guild.shard_id}")  # type: ignore[union-attr]

    async def setup_hook(self) -> None:
        # Global commands are per application, not per shard; syncing twice is harmless.
        await self.tree.sync()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.interactions.append(interaction)

    async def on_message(self, message: discord.Message) -> None:
        self.messages.append(message)
        async with self.received:
            self.received.notify_all()

    async def wait_for_message(self, message_id: int, timeout: float = 5) -> None:  # noqa: ASYNC109
        async with self.received:
            await asyncio.wait_for(
                self.received.wait_for(lambda: any(m.id == message_id for m in self.messages)),
                timeout,
            )


@contextlib.asynccontextmanager
async def two_shards(fake: FakeDiscord) -> AsyncIterator[tuple[ShardBot, ShardBot]]:
    async with contextlib.AsyncExitStack() as stack:
        bots = (ShardBot(0), ShardBot(1))
        for bot in bots:
            await stack.enter_async_context(fake.run_bot(bot))
        yield bots


async def test_guild_ids_can_be_placed_on_a_shard() -> None:
    async with FakeDiscord.start(shard_count=4) as fake:
        ids = [fake.guild_id_on_shard(k % 4) for k in range(12)]
        assert [shard_of(i, 4) for i in ids] == [k % 4 for k in range(12)]
        assert ids == sorted(set(ids)), "ids stay unique and increasing"
        guild = await fake.create_guild(shard=3)
        assert shard_of(guild.id, 4) == 3
        assert shard_of(fake.guild_id_on_shard(1, 7), 7) == 1
        with pytest.raises(ValueError):
            fake.guild_id_on_shard(4)


async def test_each_shard_client_sees_only_its_guilds() -> None:
    async with FakeDiscord.start(shard_count=SHARDS) as fake:
        guilds: dict[int, Guild] = {k: await fake.create_guild(shard=k) for k in range(SHARDS)}
        members = {k: await fake.add_member(guilds[k], f"player{k}") for k in range(SHARDS)}
        async with two_shards(fake) as (bot0, bot1):
            # GET /gateway/bot recommends the configured count, as discord.py reads it.
            shards, url, _ = await bot0.http.get_bot_gateway()
            assert (shards, url) == (SHARDS, fake.gateway_url)

            assert [g.id for g in bot0.guilds] == [guilds[0].id]
            assert [g.id for g in bot1.guilds] == [guilds[1].id]
            sessions = {k: fake.gateway.sessions_for_shard(k) for k in range(SHARDS)}
            assert [len(sessions[k]) for k in range(SHARDS)] == [1, 1]
            for k in range(SHARDS):
                (ready,) = sessions[k][0].events("READY")
                assert ready["d"]["shard"] == [k, SHARDS]
                assert [e["d"]["id"] for e in sessions[k][0].events("GUILD_CREATE")] == [
                    str(guilds[k].id)
                ]

            # An interaction in shard 1's guild reaches only the shard-1 client.
            record = await fake.slash(members[1], "where", guild=guilds[1])
            reply = await record.response()
            assert reply.content == "shard 1"
            assert [i.id for i in bot1.interactions] == [record.id]
            assert bot0.interactions == []
            assert sessions[0][0].events("INTERACTION_CREATE") == []

            # A message in shard 0's guild reaches only the shard-0 client.
            general0 = fake.state.channels[guilds[0].channel_ids[0]]
            posted = await fake.post_message(members[0], general0, "hello shard zero")
            await bot0.wait_for_message(posted.id)
            assert all(m.id != posted.id for m in bot1.messages)
            shard1_messages = [e["d"]["id"] for e in sessions[1][0].events("MESSAGE_CREATE")]
            assert str(posted.id) not in shard1_messages

            # DMs go to shard 0, as on Discord.
            dm = fake.dm_channel(members[1])
            dm_message = await fake.post_message(members[1], dm, "a direct message")
            await bot0.wait_for_message(dm_message.id)
            assert all(m.id != dm_message.id for m in bot1.messages)

            # A guild that invites the bot later is announced on its own shard only.
            joined = asyncio.ensure_future(bot1.wait_for("guild_join", timeout=5))
            late = await fake.create_guild("late arrival", shard=1)
            assert (await joined).id == late.id
            assert bot0.get_guild(late.id) is None
            assert all(e["d"]["id"] != str(late.id) for e in sessions[0][0].events("GUILD_CREATE"))
        fake.assert_clean()


async def test_identify_with_an_invalid_shard_is_closed_like_discord() -> None:
    async with FakeDiscord.start() as fake:
        bot = commands.AutoShardedBot(
            command_prefix="!",
            intents=discord.Intents.default(),
            shard_count=2,
            shard_ids=[2],
            guild_ready_timeout=0.05,
        )
        with pytest.raises(discord.ConnectionClosed) as closed:
            async with fake.run_bot(bot):
                pass
        assert closed.value.code == 4010


async def test_shard_clients_in_separate_processes_each_get_their_guilds() -> None:
    """Two processes, one shard each, as ``deltacrown run`` processes split a bot."""
    async with FakeDiscord.start(shard_count=SHARDS) as fake:
        guilds = {k: await fake.create_guild(shard=k) for k in range(SHARDS)}
        members = {k: await fake.add_member(guilds[k], f"player{k}") for k in range(SHARDS)}
        processes = [await spawn_shard_client(fake, k) for k in range(SHARDS)]
        try:
            for k, process in enumerate(processes):
                ready = await next_event(process)
                assert ready == {"event": "ready", "guild_ids": [guilds[k].id], "pid": process.pid}
            for k, process in enumerate(processes):
                record = await fake.slash(members[k], "where", guild=guilds[k])
                reply = await record.response()
                assert reply.content == f"shard {k} pid {process.pid}"
                answered = await next_event(process)
                assert (answered["event"], answered["id"]) == ("interaction", record.id)
        finally:
            leftovers = [await stop(process) for process in processes]
        # Neither process saw the other's interaction.
        assert leftovers == [[], []]
        fake.assert_clean()


async def spawn_shard_client(fake: FakeDiscord, shard_id: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "testkit.fakediscord.shard_client",
        fake.api_base_url,
        fake.gateway_url,
        fake.token,
        str(shard_id),
        str(SHARDS),
        cwd=REPO_ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


async def next_event(process: asyncio.subprocess.Process, timeout: float = 15) -> dict[str, Any]:  # noqa: ASYNC109
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout)
    assert line, f"shard client exited with {await process.wait()}"
    return json.loads(line)


async def stop(process: asyncio.subprocess.Process) -> list[dict[str, Any]]:
    """Close stdin (the client's cue to exit) and return the events it still printed."""
    assert process.stdin is not None and process.stdout is not None
    process.stdin.close()
    rest = await asyncio.wait_for(process.stdout.read(), 15)
    assert await asyncio.wait_for(process.wait(), 15) == 0
    return [json.loads(line) for line in rest.decode().splitlines() if line.strip()]
