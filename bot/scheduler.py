"""APScheduler is the clock of the process: it wakes us at due times
(docs/architecture.md, "Durable time").

What is due lives in the database (``timers``); the scheduler only holds one "next
wake-up" job, re-armed after every commit that changed timers and after every firing,
plus a slow safety sweep for timers scheduled by other processes.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from engine.services import Services

log = logging.getLogger(__name__)

NEXT_TIMER_JOB = "timers-next"


class TimerWakeups:
    def __init__(self, scheduler: AsyncIOScheduler, services: Services) -> None:
        self._scheduler = scheduler
        self._services = services
        self._tasks: set[asyncio.Task[None]] = set()

    def request_rearm(self) -> None:
        """Called synchronously after a commit; the re-arm itself reads the database."""
        task = asyncio.get_running_loop().create_task(self.rearm())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def rearm(self) -> None:
        due = await self._services.timers.next_due_at()
        if due is None:
            if self._scheduler.get_job(NEXT_TIMER_JOB):
                self._scheduler.remove_job(NEXT_TIMER_JOB)
            return
        run_at = max(due, datetime.now(UTC))
        self._scheduler.add_job(
            self.fire, "date", run_date=run_at, id=NEXT_TIMER_JOB, replace_existing=True
        )

    async def fire(self) -> None:
        try:
            fired = await self._services.timers.fire_due()
            if fired:
                log.info("fired %d timer(s)", fired)
        finally:
            await self.rearm()


def build_scheduler(services: Services) -> tuple[AsyncIOScheduler, TimerWakeups]:
    scheduler = AsyncIOScheduler(timezone="UTC")
    wakeups = TimerWakeups(scheduler, services)
    services.ctx.on_commit_with_timers(wakeups.request_rearm)
    # Retries after subscriber failures and events committed by other processes.
    scheduler.add_job(
        services.outbox.wake,
        "interval",
        seconds=15,
        id="outbox-sweep",
        coalesce=True,
        max_instances=1,
    )
    # Timers scheduled by another process, and a catch-up right after start.
    scheduler.add_job(
        wakeups.fire,
        "interval",
        seconds=60,
        id="timers-sweep",
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(UTC),
    )
    return scheduler, wakeups
