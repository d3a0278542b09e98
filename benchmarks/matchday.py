"""Match day at scale: double eliminations played to the end through the services on a
temporary SQLite file (no Discord).

``organizer_apply`` applies every result as an organizer (``services.brackets.apply``);
``report_confirm`` goes through the players' flow (one side reports, the other confirms),
at 256 and at 1024 players to show the cost of a result does not grow with the number of
results; ``report_confirm_replay`` is the same flow with the bracket cache turned off
(every result replays the action log, as before the cache). Each result is timed on its
own, in wall time (``report_*_ms``) and in CPU time of the process (``cpu_*_ms``, which a
busy shared machine does not inflate); the players' flow also counts the SQL statements
of each report and each confirmation (``statements_per_*``). The bracket pictures of the
first event are drawn cold and then cached, the way /bracket would. As in ``deltacrown
run``, the objects alive once everything is set up are frozen out of the garbage
collector's sight before the first result (``bot.runtime.freeze_startup_objects``).
"""

from __future__ import annotations

import importlib.util
import itertools
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.runtime import freeze_startup_objects
from engine.brackets import MatchState, MatchView, PictureService, cache_of
from engine.formats import Result
from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock
from engine.services import Services
from storage.db import Database
from storage.migrate import upgrade_connection
from testkit.factories import Event, make_event

PLAYERS = 256
BIG = 1024
OPEN = [MatchState.READY.value, MatchState.CHECKIN.value]
_ids = itertools.count(int(time.time() * 1000) % 10**9 * 1000)


def _new_id() -> int:
    return 10**17 + next(_ids)


async def _migrated(path: Path) -> Database:
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(upgrade_connection)
            await conn.commit()
    finally:
        await engine.dispose()
    return Database(url)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _chalk(event: Event, match: MatchView) -> tuple[int, int]:
    seed = {r: i for i, r in enumerate(event.registrations)}
    wins = match.best_of // 2 + 1
    a_better = seed[match.registration_a_id] < seed[match.registration_b_id]  # type: ignore[index]
    return (wins, 0) if a_better else (0, wins)


Play = Callable[[Services, Event, MatchView], Awaitable[None]]


class StatementCounter:
    """SQL statements sent to the database (a ``before_cursor_execute`` listener), per
    report and per confirmation: with SQLAlchemy's work around each, still a large part
    of what a result costs."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.total = 0
        self.per_step: dict[str, list[int]] = {"report": [], "confirm": []}
        sa_event.listen(engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        self.total += 1

    async def measure(self, step: str, work: Awaitable[Any]) -> Any:
        before = self.total
        result = await work
        self.per_step[step].append(self.total - before)
        return result

    def summary(self) -> dict[str, float]:
        return {
            f"statements_per_{step}_p50": statistics.median(counts)
            for step, counts in self.per_step.items()
            if counts
        } | {
            f"statements_per_{step}_max": max(counts)
            for step, counts in self.per_step.items()
            if counts
        }

    def reset(self) -> None:
        for counts in self.per_step.values():
            counts.clear()


_counters: WeakKeyDictionary[Any, StatementCounter] = WeakKeyDictionary()


def counter_of(services: Services) -> StatementCounter:
    engine = services.ctx.db.engine
    if engine.sync_engine not in _counters:
        _counters[engine.sync_engine] = StatementCounter(engine)
    return _counters[engine.sync_engine]


async def _by_organizer(services: Services, event: Event, match: MatchView) -> None:
    await services.brackets.apply(
        event.organizer, event.tournament_id, Result(match.code, _chalk(event, match))
    )


async def _by_players(services: Services, event: Event, match: MatchView) -> None:
    user_of = dict(zip(event.registrations, event.users, strict=True))
    a, b = _chalk(event, match)
    first = Actor(user_id=user_of[match.registration_a_id], guild_id=event.guild_id)  # type: ignore[index]
    second = Actor(user_id=user_of[match.registration_b_id], guild_id=event.guild_id)  # type: ignore[index]
    scores, counter = _scores(services), counter_of(services)
    outcome = await counter.measure(
        "report", scores.report_score(first, mine=a, theirs=b, match_id=match.id)
    )
    await counter.measure("confirm", scores.confirm_report(second, outcome.report.id))


def _scores(services: Services) -> Any:
    wired = getattr(services, "scores", None)
    if wired is not None:
        return wired
    from engine.matchday import ScoreService

    if not hasattr(services, "_bench_scores"):
        services._bench_scores = ScoreService(services.ctx)  # type: ignore[attr-defined]
    return services._bench_scores  # type: ignore[attr-defined]


def _ms(values: list[float], prefix: str) -> dict[str, float]:
    return {
        f"{prefix}_p50_ms": round(statistics.median(values) * 1000, 2),
        f"{prefix}_p99_ms": round(_percentile(values, 0.99) * 1000, 2),
        f"{prefix}_max_ms": round(max(values) * 1000, 2),
    }


async def _play(
    services: Services, case: str, play: Play, players: int = PLAYERS
) -> tuple[dict[str, Any], int]:
    event = await make_event(services, _new_id, format="double_elim", players=players)
    counter = counter_of(services)
    started = time.perf_counter()
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    start_s = time.perf_counter() - started
    latencies: list[float] = []
    cpu: list[float] = []
    counter.reset()
    begun = time.perf_counter()
    while ready := await services.brackets.matches(event.tournament_id, statuses=OPEN):
        for match in ready:
            t0, c0 = time.perf_counter(), time.process_time()
            await play(services, event, match)
            latencies.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    total = time.perf_counter() - begun
    _, version = await services.brackets.bracket(event.tournament_id)
    half = len(latencies) // 2  # no growth: the second half costs what the first did
    row: dict[str, Any] = {
        "case": case,
        "players": players,
        "format": "double_elim",
        "start_s": round(start_s, 3),
        "reports": len(latencies),
        **_ms(latencies, "report"),
        **_ms(cpu, "cpu"),
        "cpu_first_half_p50_ms": round(statistics.median(cpu[:half]) * 1000, 2),
        "cpu_second_half_p50_ms": round(statistics.median(cpu[half:]) * 1000, 2),
        "total_s": round(total, 2),
        **counter.summary(),
        "bracket_version": version,
        "completed": (await services.tournaments.get(event.tournament_id)).status == "completed",
    }
    return row, event.tournament_id


async def _pictures(services: Services, tournament_id: int) -> dict[str, Any]:
    pictures = PictureService(services.ctx)
    t0 = time.perf_counter()
    images = await pictures.bracket_images(tournament_id)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    await pictures.bracket_images(tournament_id)
    cached = time.perf_counter() - t0
    return {
        "images": len(images),
        "images_cold_s": round(cold, 2),
        "images_cached_ms": round(cached * 1000, 2),
    }


async def run() -> AsyncIterator[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="deltacrown-matchday-") as tmp:
        db = await _migrated(Path(tmp) / "matchday.db")
        services = Services(db, FrozenClock(), data_dir=Path(tmp))
        freeze_startup_objects()  # as ``deltacrown run`` does once it is up
        try:
            row, tournament_id = await _play(services, "organizer_apply", _by_organizer)
            yield {**row, **await _pictures(services, tournament_id)}
            if importlib.util.find_spec("engine.matchday.reports") is None:
                yield {"case": "report_confirm", "skipped": "engine/matchday/reports.py is missing"}
                return
            for players in (PLAYERS, BIG):
                yield (await _play(services, "report_confirm", _by_players, players))[0]
            cache = cache_of(db.engine)
            cache.max_tournaments = 0  # every result replays, as before the cache
            yield (await _play(services, "report_confirm_replay", _by_players))[0]
        finally:
            await db.dispose()
