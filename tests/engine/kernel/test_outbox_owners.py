"""Delivery by owner, fast recovery and keyed effects, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from engine.kernel.clock import FrozenClock
from engine.kernel.events import DomainEvent, domain_event
from engine.kernel.outbox import OutboxDispatcher, current_delivery, effect_key
from engine.kernel.uow import ServiceContext
from storage.db import Database

SHARDS = 4


@domain_event("test.owned")
@dataclass(frozen=True, kw_only=True)
class Owned(DomainEvent):
    tag: str = ""


def on_shard(shard: int, seed: int) -> int:
    """A snowflake-sized guild id on ``shard`` of SHARDS (as Discord routes it)."""
    guild_id = (seed << 22) | (1 << 62)
    while (guild_id >> 22) % SHARDS != shard:
        guild_id += 1 << 22
    return guild_id


async def emit(db: Database, clock: FrozenClock, *events: DomainEvent) -> None:
    async with ServiceContext(db, clock).unit_of_work() as uow:
        for event in events:
            uow.emit(event)


class Seen:
    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.events: list[Owned] = []

    async def __call__(self, event: DomainEvent) -> None:
        if isinstance(event, Owned) and event.tag == self.tag:
            self.events.append(event)


def dispatcher(db: Database, clock: FrozenClock, seen: Seen, shards: list[int] | None):
    outbox = OutboxDispatcher(db, clock)
    outbox.subscribe("seen", seen, ["test.owned"])
    outbox.serve_shards(SHARDS if shards is not None else None, shards)
    return outbox


async def test_each_process_claims_its_shards_guilds_and_guildless_events_once(
    db: Database, clock: FrozenClock, new_id
) -> None:
    tag = str(new_id())
    guilds = {shard: on_shard(shard, new_id() & 0xFFFFFFFF) for shard in range(SHARDS)}
    await emit(
        db,
        clock,
        *(Owned(guild_id=g, tag=tag) for g in guilds.values()),
        Owned(guild_id=None, tag=tag),
    )
    low, high = Seen(tag), Seen(tag)
    await dispatcher(db, clock, high, [2, 3]).deliver_pending()
    await dispatcher(db, clock, low, [0, 1]).deliver_pending()

    assert {e.guild_id for e in high.events} <= {guilds[2], guilds[3], None}
    assert {e.guild_id for e in low.events} <= {guilds[0], guilds[1], None}
    every = [e.guild_id for e in high.events + low.events]
    assert sorted(every, key=str) == sorted([*guilds.values(), None], key=str)  # each once


async def test_a_process_without_subscribers_claims_nothing(
    db: Database, clock: FrozenClock, new_id
) -> None:
    tag = str(new_id())
    await emit(db, clock, Owned(guild_id=None, tag=tag))
    assert await OutboxDispatcher(db, clock).deliver_pending() == 0
    seen = Seen(tag)
    await dispatcher(db, clock, seen, None).deliver_pending()
    assert len(seen.events) == 1  # still there for a process that handles it


async def test_a_dead_process_loses_its_claims_within_one_short_lease(
    db: Database, clock: FrozenClock, new_id
) -> None:
    tag = str(new_id())
    await emit(db, clock, Owned(guild_id=None, tag=tag))
    dead = dispatcher(db, clock, Seen(tag), None)
    assert await dead._claim_batch()  # claims, then is killed before delivering
    seen = Seen(tag)
    survivor = dispatcher(db, clock, seen, None)
    await survivor.deliver_pending()
    assert seen.events == []
    clock.advance(seconds=16)  # the default lease is 15 s, not a minute
    await survivor.deliver_pending()
    assert len(seen.events) == 1


async def test_the_heartbeat_keeps_a_long_handlers_claim(
    db: Database, clock: FrozenClock, new_id
) -> None:
    tag = str(new_id())
    await emit(db, clock, Owned(guild_id=None, tag=tag))
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(event: DomainEvent) -> None:
        if isinstance(event, Owned) and event.tag == tag:
            entered.set()
            await release.wait()

    busy = OutboxDispatcher(db, clock)
    busy.subscribe("slow", slow, ["test.owned"])
    delivering = asyncio.create_task(busy.deliver_pending())
    await entered.wait()
    seen = Seen(tag)
    other = dispatcher(db, clock, seen, None)
    for _ in range(4):  # a minute of work, beating every 10 s
        clock.advance(seconds=10)
        assert await busy.renew_claims() >= 1
        await other.deliver_pending()
    assert seen.events == []  # the claim held all along
    release.set()
    await delivering
    assert await busy.renew_claims() == 0  # delivered: nothing left to renew


async def test_a_lease_taken_over_is_not_renewed_by_its_old_holder(
    db: Database, clock: FrozenClock, new_id
) -> None:
    tag = str(new_id())
    await emit(db, clock, Owned(guild_id=None, tag=tag))
    stalled = dispatcher(db, clock, Seen(tag), None)
    assert await stalled._claim_batch()
    clock.advance(seconds=16)
    successor = dispatcher(db, clock, Seen(tag), None)
    assert await successor._claim_batch()
    assert await stalled.renew_claims() == 0


async def test_effect_keys_are_stable_across_retries_and_distinct_per_use(
    db: Database, clock: FrozenClock, new_id
) -> None:
    tag = str(new_id())
    await emit(db, clock, Owned(guild_id=None, tag=tag))
    keys: list[list[str | None]] = []

    async def flaky(event: DomainEvent) -> None:
        if not (isinstance(event, Owned) and event.tag == tag):
            return
        keys.append([effect_key("post"), effect_key("post"), effect_key("dm:1")])
        delivery = current_delivery()
        assert delivery is not None and delivery.attempt == len(keys) - 1
        if len(keys) == 1:
            raise RuntimeError("crashed after posting")

    outbox = OutboxDispatcher(db, clock)
    outbox.subscribe("flaky", flaky, ["test.owned"])
    await outbox.deliver_pending()
    clock.advance(seconds=2)
    await outbox.deliver_pending()
    first, retry = keys
    assert first == retry
    assert first[0] is not None and first[0].startswith("flaky:") and first[0].endswith(":post")
    assert first[1] == first[0] + "#2"
    assert effect_key("post") is None  # outside a delivery


async def test_the_first_recorded_effect_wins(db: Database, clock: FrozenClock, new_id) -> None:
    outbox = OutboxDispatcher(db, clock)
    key = f"test:{new_id()}:post"
    assert await outbox.effects.find(key) is None
    first = await outbox.effects.record(key, 10, 111)
    second = await outbox.effects.record(key, 10, 222)
    assert first.object_id == second.object_id == 111
    assert (await outbox.effects.find(key)) == first
