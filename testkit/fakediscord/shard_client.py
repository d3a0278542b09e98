"""A one-shard discord.py client in its own process, for cross-process sharding tests.

    python -m testkit.fakediscord.shard_client API_BASE GATEWAY TOKEN SHARD_ID SHARD_COUNT

It prints one JSON line per event on stdout (``ready`` with its guild ids, then every
``interaction`` it answers) and exits when stdin closes, so the parent test controls its
lifetime without signals or sleeps. Why a process: real deployments run one
``deltacrown run`` per shard range, and the fake must route by shard across processes,
not only between clients that share an event loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

import discord
from discord.ext import commands

from bot.endpoints import configure_discord_endpoints


def emit(**event: object) -> None:
    print(json.dumps(event), flush=True)


class ShardClient(commands.AutoShardedBot):
    def __init__(self, shard_id: int, shard_count: int) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            shard_count=shard_count,
            shard_ids=[shard_id],
            guild_ready_timeout=0.05,
        )

        @self.tree.command(description="Which shard and process answers")
        async def where(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(
                f"shard {interaction.guild.shard_id if interaction.guild else 0} pid {os.getpid()}"
            )
            emit(event="interaction", id=interaction.id, guild_id=interaction.guild_id)

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_ready(self) -> None:
        emit(event="ready", guild_ids=sorted(g.id for g in self.guilds), pid=os.getpid())


async def main(api: str, gateway: str, token: str, shard_id: int, shard_count: int) -> None:
    configure_discord_endpoints(api, gateway)
    client = ShardClient(shard_id, shard_count)
    stdin_closed = asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    async with client:
        runner = asyncio.ensure_future(client.start(token))
        await asyncio.wait({runner, stdin_closed}, return_when=asyncio.FIRST_COMPLETED)
        if runner.done():
            runner.result()  # surface a connection error
    runner.cancel()


if __name__ == "__main__":
    api_base, gateway_url, bot_token, shard, count = sys.argv[1:6]
    asyncio.run(main(api_base, gateway_url, bot_token, int(shard), int(count)))
