"""Match day at scale: a 256-player double elimination played to the end through the
services on a temporary SQLite file (no Discord).

Case 1 applies every result as an organizer (``services.brackets.apply``); case 2 goes
through the players' flow (one side reports, the other confirms) when
engine/matchday/reports.py is present. Each result is timed on its own: p50/p99 per
report, and the total. The bracket pictures of the finished event are drawn cold and
then cached, the way /bracket would.
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

from sqlalchemy.ext.asyncio import create_async_engine

from engine.brackets import MatchState, MatchView, PictureService
from engine.formats import Result
from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock
from engine.services import Services
from storage.db import Database
from storage.migrate import upgrade_connection
from testkit.factories import Event, make_event

PLAYERS = 256
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


async def _by_organizer(services: Services, event: Event, match: MatchView) -> None:
    await services.brackets.apply(
        event.organizer, event.tournament_id, Result(match.code, _chalk(event, match))
    )


async def _by_players(services: Services, event: Event, match: MatchView) -> None:
    user_of = dict(zip(event.registrations, event.users, strict=True))
    a, b = _chalk(event, match)
    first = Actor(user_id=user_of[match.registration_a_id], guild_id=event.guild_id)  # type: ignore[index]
    second = Actor(user_id=user_of[match.registration_b_id], guild_id=event.guild_id)  # type: ignore[index]
    scores = _scores(services)
    outcome = await scores.report_score(first, mine=a, theirs=b, match_id=match.id)
    await scores.confirm_report(second, outcome.report.id)


def _scores(services: Services) -> Any:
    wired = getattr(services, "scores", None)
    if wired is not None:
        return wired
    from engine.matchday import ScoreService

    if not hasattr(services, "_bench_scores"):
        services._bench_scores = ScoreService(services.ctx)  # type: ignore[attr-defined]
    return services._bench_scores  # type: ignore[attr-defined]


async def _play(services: Services, case: str, play: Play) -> dict[str, Any]:
    event = await make_event(services, _new_id, format="double_elim", players=PLAYERS)
    started = time.perf_counter()
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    start_s = time.perf_counter() - started
    latencies: list[float] = []
    begun = time.perf_counter()
    while ready := await services.brackets.matches(event.tournament_id, statuses=OPEN):
        for match in ready:
            t0 = time.perf_counter()
            await play(services, event, match)
            latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - begun
    _, version = await services.brackets.bracket(event.tournament_id)
    row: dict[str, Any] = {
        "case": case,
        "players": PLAYERS,
        "format": "double_elim",
        "start_s": round(start_s, 3),
        "reports": len(latencies),
        "report_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "report_p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "report_max_ms": round(max(latencies) * 1000, 2),
        "total_s": round(total, 2),
        "bracket_version": version,
        "completed": (await services.tournaments.get(event.tournament_id)).status == "completed",
    }
    row.update(await _pictures(services, event.tournament_id))
    return row


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
        try:
            yield await _play(services, "organizer_apply", _by_organizer)
            if importlib.util.find_spec("engine.matchday.reports") is not None:
                yield await _play(services, "report_confirm", _by_players)
            else:
                yield {"case": "report_confirm", "skipped": "engine/matchday/reports.py is missing"}
        finally:
            await db.dispose()
