"""Match scheduling at scale: a 1024-player double elimination on a round schedule, on a
temporary SQLite file.

``start_s``: starting it (every match row gets its time; the 512 first-round matches get
their reminders, start and overdue timers). ``retime_s``: one ``/tournament edit
round_times`` moving every unfinished match and its timers. ``fire_reminders_s``: firing
the 60-minute reminders of all first-round matches (one timer each), and
``fire_reminders_again``: how many fired on a second pass (always 0: each fires once).
Compare ``start_s`` with the ``matchday`` suite's (same size, no schedule).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from benchmarks.matchday import _migrated, _new_id
from engine.kernel.clock import FrozenClock
from engine.services import Services
from storage.models import Tournament
from testkit.factories import make_event

PLAYERS = 1024


async def run() -> AsyncIterator[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="deltacrown-schedule-") as tmp:
        db = await _migrated(Path(tmp) / "schedule.db")
        clock = FrozenClock()
        services = Services(db, clock, data_dir=Path(tmp))
        try:
            event = await make_event(services, _new_id, format="double_elim", players=PLAYERS)
            first = clock.now() + timedelta(hours=3)
            async with services.db.transaction() as session:
                await session.execute(
                    update(Tournament)
                    .where(Tournament.id == event.tournament_id)
                    .values(round_times=[first.isoformat()], round_interval_minutes=45)
                )
            t0 = time.perf_counter()
            await services.brackets.start(event.organizer, event.tournament_id, seed=1)
            start_s = time.perf_counter() - t0
            later = (first + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
            t0 = time.perf_counter()
            await services.tournaments.edit(
                event.organizer, event.tournament_id, "round_times", later
            )
            retime_s = time.perf_counter() - t0
            clock.set(first + timedelta(minutes=30) - timedelta(minutes=60))
            t0 = time.perf_counter()
            fired = await services.timers.fire_due()
            fire_s = time.perf_counter() - t0
            again = await services.timers.fire_due()
            matches = len(await services.brackets.matches(event.tournament_id))
            yield {
                "case": "scheduled_double_elim",
                "players": PLAYERS,
                "matches": matches,
                "start_s": round(start_s, 3),
                "retime_s": round(retime_s, 3),
                "reminders_fired": fired,
                "fire_reminders_s": round(fire_s, 3),
                "fire_reminders_again": again,
            }
        finally:
            await db.dispose()
