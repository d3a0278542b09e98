"""Discord notices across processes: no cache assumptions, no duplicate posts on retry.

A real discord.py client runs shard 0 of 2 against the fake Discord; the guild sits on
shard 1, so it is not in the client's cache, as for a process that does not own it.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest_asyncio
from sqlalchemy import select

from bot.notifier import Notifier
from bot.notify.matches import rendered_buttons
from engine.brackets import MatchReset
from engine.kernel.clock import FrozenClock
from engine.kernel.events import DomainEvent
from engine.services import Services
from storage.db import Database
from storage.models import OutboxDelivery
from testkit.fakediscord import Channel, FakeDiscord, Guild
from tests.conftest import migrate

_ids = itertools.count(1)


@pytest_asyncio.fixture
async def fresh_db(tmp_path: Path) -> AsyncIterator[Database]:
    """Its own database: the real notifier must see only this test's events."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'owner.db'}"
    await migrate(url)
    db = Database(url)
    yield db
    await db.dispose()


def shard_zero_client() -> discord.AutoShardedClient:
    return discord.AutoShardedClient(
        intents=discord.Intents.default(),
        shard_ids=[0],
        shard_count=2,
        guild_ready_timeout=0.05,
    )


async def emit(services: Services, event: DomainEvent) -> None:
    async with services.ctx.unit_of_work() as uow:
        uow.emit(event)


def reset_event(guild: Guild, thread_id: int) -> MatchReset:
    n = next(_ids)
    return MatchReset(
        guild_id=guild.id, tournament_id=n, match_id=n, code="1-1", thread_id=thread_id
    )


def posts(fake: FakeDiscord, channel_id: int, text: str) -> int:
    return sum(
        1
        for m in fake.state.messages.values()
        if m.channel_id == channel_id and text in m.content and not m.deleted
    )


async def test_a_notice_for_a_guild_not_in_the_cache_neither_crashes_nor_repeats(
    fresh_db: Database, clock: FrozenClock
) -> None:
    async with FakeDiscord.start(shard_count=2) as fake:
        guild = await fake.create_guild(channels=("matches",), shard=1)
        client = shard_zero_client()
        async with fake.run_bot(client):
            assert client.get_guild(guild.id) is None
            parent = await client.fetch_channel(guild.channel_ids[0])
            assert isinstance(parent, discord.TextChannel)
            thread = await parent.create_thread(
                name="Match 1-1", type=discord.ChannelType.private_thread
            )
            buttons = rendered_buttons(("Report", "dc:match:1:report", discord.ButtonStyle.primary))
            lobby = await thread.send("lobby", view=buttons)

            services = Services(fresh_db, clock)
            Notifier(client, services).subscribe(services.outbox)
            await emit(services, reset_event(guild, thread.id))

            # The owner of shard 1 is another process: this one leaves the event alone.
            services.outbox.serve_shards(2, [0])
            await services.outbox.deliver_pending()
            assert posts(fake, thread.id, "was reset") == 0

            # Delivered here anyway (say, after resharding): REST instead of the cache.
            services.outbox.serve_shards(None, None)
            for _ in range(3):  # the bracket subscriber fails (no such tournament), retried
                await services.outbox.deliver_pending()
                clock.advance(seconds=10)
            async with fresh_db.read() as session:
                done = set(await session.scalars(select(OutboxDelivery.subscriber)))

    assert "discord:matches.match_reset" in done  # finished, not crashed
    assert posts(fake, thread.id, "was reset") == 1
    stored: Channel = fake.state.channel(thread.id)
    assert stored.locked and stored.archived
    assert fake.state.messages[lobby.id].components == []  # the Report button is gone


async def test_a_handler_that_crashes_after_posting_posts_once(
    fresh_db: Database, clock: FrozenClock
) -> None:
    async with FakeDiscord.start(shard_count=2) as fake:
        guild = await fake.create_guild(channels=("results",), shard=0)
        channel_id = guild.channel_ids[0]
        client = shard_zero_client()
        async with fake.run_bot(client):
            services = Services(fresh_db, clock)
            notifier = Notifier(client, services)
            calls = 0

            async def post_then_crash(event: DomainEvent) -> None:
                nonlocal calls
                calls += 1
                await notifier.send(await notifier.channel(channel_id), "🏁 Final: A 2–1 B")
                if calls == 1:
                    raise RuntimeError("crashed after posting")

            services.outbox.subscribe("discord:test.post_then_crash", post_then_crash)
            services.outbox.serve_shards(2, [0])
            await emit(services, reset_event(guild, 0))
            for _ in range(3):
                await services.outbox.deliver_pending()
                clock.advance(seconds=10)

    assert calls == 2  # retried once
    assert posts(fake, channel_id, "🏁 Final") == 1


async def test_a_crash_between_posting_and_recording_is_caught_by_the_nonce(
    fresh_db: Database, clock: FrozenClock, monkeypatch
) -> None:
    async with FakeDiscord.start() as fake:
        guild = await fake.create_guild(channels=("results",))
        channel_id = guild.channel_ids[0]
        client = discord.Client(intents=discord.Intents.default())
        async with fake.run_bot(client):
            services = Services(fresh_db, clock)
            notifier = Notifier(client, services)
            effects = services.outbox.effects
            record = effects.record
            failures = iter([True])

            async def record_or_die(*args: object) -> object:
                if next(failures, False):
                    raise ConnectionError("database gone before the message id was recorded")
                return await record(*args)  # type: ignore[arg-type]

            monkeypatch.setattr(effects, "record", record_or_die)

            async def post(event: DomainEvent) -> None:
                await notifier.send(await notifier.channel(channel_id), "📝 registered")

            services.outbox.subscribe("discord:test.post", post)
            await emit(services, reset_event(guild, 0))
            for _ in range(3):
                await services.outbox.deliver_pending()
                clock.advance(seconds=10)

    assert posts(fake, channel_id, "📝 registered") == 1
    assert fake.messages.nonce_hits == 1  # the retry's post was answered with the first
