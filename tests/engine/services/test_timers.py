"""Durable timers: written with their state, fired once, surviving restarts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.scheduler import TimerWakeups
from engine.kernel.clock import FrozenClock
from engine.kernel.errors import Conflict
from engine.kernel.timers import cancel_timers, schedule_timer
from engine.kernel.uow import UnitOfWork
from engine.services import Services
from storage.db import Database
from tests.conftest import migrate


def services_with_handler(db: Database, clock: Any, fired: list[dict] | None = None) -> Services:
    """A "process": its own Services with the test handler registered."""
    services = Services(db, clock)

    async def ping(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        if payload.get("refuse"):
            raise Conflict("The tournament was already closed by hand.")
        if payload.get("explode"):
            raise RuntimeError("Discord is down")
        uow.audit(
            guild_id=payload["guild"],
            actor_id=None,
            action="timer.ping",
            target_type="timer",
            target_id=payload["n"],
        )
        if fired is not None:
            fired.append(payload)

    services.timers.register("test.ping", ping)
    return services


async def schedule(services: Services, guild: int, n: int, due_at: datetime, **extra: Any) -> None:
    async with services.ctx.unit_of_work() as uow:
        await schedule_timer(
            uow,
            kind="test.ping",
            key=f"ping:{guild}:{n}",
            due_at=due_at,
            payload={"guild": guild, "n": n, **extra},
            guild_id=guild,
        )


async def pings(services: Services, guild: int) -> list[str]:
    return sorted(
        e.target_id
        for e in await services.audit.recent(guild, limit=100)
        if e.action == "timer.ping"
    )


async def test_timer_is_written_only_with_its_transaction(
    db: Database, clock: FrozenClock, new_id
) -> None:
    services, guild = services_with_handler(db, clock), new_id()
    with pytest.raises(RuntimeError):
        async with services.ctx.unit_of_work() as uow:
            await schedule_timer(
                uow,
                kind="test.ping",
                key=f"ping:{guild}:1",
                due_at=clock.now(),
                payload={"guild": guild, "n": 1},
            )
            raise RuntimeError("the command failed after scheduling")
    assert await services.timers.pending(f"ping:{guild}:") == []


async def test_restart_loses_none_and_two_processes_fire_none_twice(
    db: Database, clock: FrozenClock, new_id
) -> None:
    guild = new_id()
    first = services_with_handler(db, clock)
    for n in range(6):
        await schedule(first, guild, n, clock.now() + timedelta(minutes=n))
    # The first process stops here with every timer still pending ("crash").
    clock.advance(minutes=3, seconds=30)  # timers 0..3 are now due

    second, third = services_with_handler(db, clock), services_with_handler(db, clock)
    fired = await asyncio.gather(second.timers.fire_due(), third.timers.fire_due())
    assert sum(fired) == 4
    assert await pings(second, guild) == ["0", "1", "2", "3"]
    assert [t.key for t in await second.timers.pending(f"ping:{guild}:")] == [
        f"ping:{guild}:4",
        f"ping:{guild}:5",
    ]

    clock.advance(hours=1)
    await asyncio.gather(second.timers.fire_due(), third.timers.fire_due())
    assert await pings(second, guild) == ["0", "1", "2", "3", "4", "5"]
    assert await second.timers.fire_due() == 0  # nothing fires twice


async def test_moved_and_cancelled_timers(db: Database, clock: FrozenClock, new_id) -> None:
    services, guild = services_with_handler(db, clock), new_id()
    await schedule(services, guild, 1, clock.now() + timedelta(minutes=5))
    await schedule(services, guild, 1, clock.now() + timedelta(minutes=30))  # moved, not doubled
    await schedule(services, guild, 2, clock.now() + timedelta(minutes=5))
    async with services.ctx.unit_of_work() as uow:
        assert await cancel_timers(uow, key=f"ping:{guild}:2") == 1
    [pending] = await services.timers.pending(f"ping:{guild}:")
    assert pending.due_at == clock.now() + timedelta(minutes=30)
    clock.advance(minutes=10)
    await services.timers.fire_due()
    assert await pings(services, guild) == []
    clock.advance(minutes=30)
    await services.timers.fire_due()
    assert await pings(services, guild) == ["1"]


async def test_refused_handler_settles_and_failing_handler_retries(
    db: Database, clock: FrozenClock, new_id
) -> None:
    services, guild = services_with_handler(db, clock), new_id()
    await schedule(services, guild, 1, clock.now(), refuse=True)
    await schedule(services, guild, 2, clock.now(), explode=True)
    assert await services.timers.fire_due() == 1
    history = {t.key: t for t in await services.timers.history(f"ping:{guild}:")}
    refused, failing = history[f"ping:{guild}:1"], history[f"ping:{guild}:2"]
    assert refused.fired_at is not None and refused.outcome.startswith("skipped: ")
    assert failing.fired_at is None and "Discord is down" in failing.outcome
    assert failing.due_at > clock.now()  # backed off, not hammered
    assert await services.timers.fire_due() == 0


@pytest.fixture
async def private_db(tmp_path) -> Database:
    """Its own database: a real-clock sweep must not fire other tests' frozen-clock timers."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'timers.db'}"
    await migrate(url)
    db = Database(url)
    yield db
    await db.dispose()


async def test_scheduler_wakes_at_the_due_time_and_after_a_restart(
    private_db: Database, new_id
) -> None:
    """The real APScheduler as the clock; a "process" stopped with timers pending."""
    sqlite_db, guild = private_db, new_id()
    first = services_with_handler(sqlite_db, None)
    await schedule(first, guild, 1, datetime.now(UTC) + timedelta(hours=1))  # not yet due
    await schedule(first, guild, 2, datetime.now(UTC) - timedelta(seconds=1))  # overdue

    both_fired = asyncio.Event()
    fired: list[dict] = []
    second = services_with_handler(sqlite_db, None, fired)
    original = second.timers._handlers["test.ping"]

    async def observe(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await original(uow, payload)
        if len(fired) == 2:
            both_fired.set()

    second.timers._handlers["test.ping"] = observe
    scheduler = AsyncIOScheduler(timezone="UTC")
    wakeups = TimerWakeups(scheduler, second)
    second.ctx.on_commit_with_timers(wakeups.request_rearm)
    scheduler.start()
    try:
        await wakeups.fire()  # what the start-up sweep does: the overdue one fires now
        assert [p["n"] for p in fired] == [2]
        # Move timer 1 to "now + a moment"; the commit re-arms the wake-up job.
        await schedule(second, guild, 1, datetime.now(UTC) + timedelta(milliseconds=200))
        await asyncio.wait_for(both_fired.wait(), timeout=10)
        assert [p["n"] for p in fired] == [2, 1]
    finally:
        scheduler.shutdown(wait=False)
