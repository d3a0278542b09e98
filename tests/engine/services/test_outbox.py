"""Events are committed with the change and delivered after it — even across a crash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.guilds import GuildConfigured, GuildSetup
from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock, SystemClock
from engine.kernel.events import DomainEvent
from engine.kernel.outbox import OutboxDispatcher
from engine.services import Services
from storage.db import Database
from storage.models import OutboxEvent


class Recorder:
    def __init__(self, fail_times: int = 0) -> None:
        self.seen: list[DomainEvent] = []
        self.fail_times = fail_times

    async def __call__(self, event: DomainEvent) -> None:
        if self.fail_times > 0:
            self.fail_times -= 1
            raise RuntimeError("Discord is down")
        self.seen.append(event)


def mine(recorder: Recorder, guild_id: int) -> list[DomainEvent]:
    return [e for e in recorder.seen if e.guild_id == guild_id]


async def _configure(services: Services, guild_id: int, owner: int) -> None:
    actor = Actor(user_id=owner, guild_id=guild_id, can_manage_guild=True)
    await services.guilds.configure(actor, guild_id, GuildSetup(coin_name="Crowns"))


async def test_crash_between_commit_and_delivery_delivers_on_restart(
    db: Database, clock: FrozenClock, new_id
) -> None:
    guild_id = new_id()
    # First "process": the command commits, then the process dies before delivering.
    before_crash = Services(db, clock)
    await _configure(before_crash, guild_id, new_id())
    async with db.read() as session:
        rows = (await session.scalars(select(OutboxEvent))).all()
    [row] = [r for r in rows if r.payload.get("guild_id") == guild_id]
    assert row.delivered_at is None

    # Second "process" starts: its dispatcher delivers what the first one left behind.
    after_restart = OutboxDispatcher(db, clock)
    recorder = Recorder()
    after_restart.subscribe("notifier", recorder)
    await after_restart.deliver_pending()
    assert [type(e) for e in mine(recorder, guild_id)] == [GuildConfigured]
    assert mine(recorder, guild_id)[0].changed  # type: ignore[attr-defined]

    # Delivered exactly once: another pass (or another process) finds nothing to do.
    await after_restart.deliver_pending()
    again = OutboxDispatcher(db, clock)
    late = Recorder()
    again.subscribe("notifier", late)
    await again.deliver_pending()
    assert len(mine(recorder, guild_id)) == 1
    assert mine(late, guild_id) == []


async def test_failing_subscriber_is_retried_without_repeating_the_others(
    db: Database, clock: FrozenClock, new_id
) -> None:
    guild_id = new_id()
    services = Services(db, clock)
    flaky, steady = Recorder(fail_times=2), Recorder()
    dispatcher = OutboxDispatcher(db, clock)
    dispatcher.subscribe("flaky", flaky)
    dispatcher.subscribe("steady", steady)
    await _configure(services, guild_id, new_id())

    await dispatcher.deliver_pending()
    assert mine(flaky, guild_id) == [] and len(mine(steady, guild_id)) == 1
    # Backoff: nothing is retried before its time.
    await dispatcher.deliver_pending()
    assert mine(flaky, guild_id) == []
    clock.advance(seconds=1)
    await dispatcher.deliver_pending()  # second failure
    clock.advance(seconds=2)
    await dispatcher.deliver_pending()
    assert len(mine(flaky, guild_id)) == 1
    assert len(mine(steady, guild_id)) == 1  # never delivered twice to a finished subscriber


async def test_a_claimed_event_is_left_alone_until_its_lease_expires(
    db: Database, clock: FrozenClock, new_id
) -> None:
    guild_id = new_id()
    await _configure(Services(db, clock), guild_id, new_id())
    crashed = OutboxDispatcher(db, clock, lease=timedelta(seconds=60))
    claimed = await crashed._claim_batch()  # claims, then "dies" before delivering
    assert any(payload.get("guild_id") == guild_id for _, _, payload in claimed)

    other = OutboxDispatcher(db, clock)
    recorder = Recorder()
    other.subscribe("notifier", recorder)
    await other.deliver_pending()
    assert mine(recorder, guild_id) == []
    clock.advance(seconds=61)
    await other.deliver_pending()
    assert len(mine(recorder, guild_id)) == 1


async def test_background_loop_delivers_after_commit(db: Database, new_id) -> None:
    services = Services(db)  # real clock: the loop runs as in production
    recorder = Recorder()
    services.outbox.subscribe("notifier", recorder, event_types=["guild.configured"])
    services.outbox.start()
    try:
        guild_id = new_id()
        await _configure(services, guild_id, new_id())
        await services.outbox.wait_idle()
        assert len(mine(recorder, guild_id)) == 1
    finally:
        await services.outbox.stop()


async def test_an_event_that_always_fails_is_set_aside(
    db: Database, clock: FrozenClock, new_id
) -> None:
    from engine.kernel.outbox import MAX_ATTEMPTS

    guild_id = new_id()
    await _configure(Services(db, clock), guild_id, new_id())
    broken = OutboxDispatcher(db, clock)
    broken.subscribe("broken", Recorder(fail_times=10**6))
    for _ in range(MAX_ATTEMPTS):
        await broken.deliver_pending()
        clock.advance(seconds=301)
    async with db.read() as session:
        rows = (await session.scalars(select(OutboxEvent))).all()
    [row] = [r for r in rows if r.payload.get("guild_id") == guild_id]
    assert row.delivered_at is not None and row.attempts == MAX_ATTEMPTS
    assert row.last_error.startswith(f"gave up after {MAX_ATTEMPTS} attempts")
    assert await broken.deliver_pending() == 0  # not retried again


async def test_another_process_is_woken_by_postgres_at_once(postgres_db, new_id) -> None:
    """LISTEN/NOTIFY: a commit in one process wakes the dispatcher of another at once,
    although that one would not poll for an hour."""
    import asyncio

    from storage.notify import OUTBOX_CHANNEL, Listener
    from tests.conftest import postgres_url

    if postgres_db is None:
        pytest.skip("PostgreSQL not configured: set DELTACROWN_TEST_POSTGRES_URL (.ci/run does)")
    guild_id = new_id()
    arrived = asyncio.Event()

    async def subscriber(event: DomainEvent) -> None:
        if event.guild_id == guild_id:
            arrived.set()

    other = OutboxDispatcher(postgres_db, SystemClock(), poll_interval=3600)
    other.subscribe("other-process", subscriber)
    listener = Listener(postgres_url(), {OUTBOX_CHANNEL: other.wake})
    listener.start()
    other.start()
    try:
        await asyncio.wait_for(listener.connected.wait(), timeout=10)
        await other.wait_idle()  # its start-up pass is done; only a NOTIFY can wake it
        await _configure(Services(postgres_db), guild_id, new_id())
        await asyncio.wait_for(arrived.wait(), timeout=10)
    finally:
        await other.stop()
        await listener.stop()
