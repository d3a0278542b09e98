"""APScheduler is the clock of the process (DESIGN.md §4): it wakes us at due times.

The state of what is due lives in the database; jobs here only wake services up.
"""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from engine.services import Services


def build_scheduler(services: Services) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    # Retries after subscriber failures and events committed by other processes.
    scheduler.add_job(
        services.outbox.wake,
        "interval",
        seconds=15,
        id="outbox-sweep",
        coalesce=True,
        max_instances=1,
    )
    return scheduler
