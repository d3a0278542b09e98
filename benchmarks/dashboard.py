"""Dashboard throughput on localhost: the cached bracket PNG and the tournament page.

A fresh SQLite database (migrated), one public tournament with 32 confirmed entrants and
a 32-player bracket from the render fixtures; the app runs on a real TCP port and an
aiohttp client with bounded concurrency sends a bounded number of requests (and stops
early at a time limit). One JSON line per scenario.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
from sqlalchemy.ext.asyncio import create_async_engine

from dashboard.app import create_app, start_dashboard
from dashboard.config import DashboardConfig
from dashboard.hooks import DashboardHooks
from engine.services import Services
from storage.db import Database
from storage.migrate import upgrade_connection
from storage.models.enums import RegistrationStatus, TournamentStatus
from testkit.dashboard_fakes import StaticBrackets
from testkit.payment_helpers import make_guild, make_registration, make_tournament
from testkit.render_fixtures import single_elim_view

REQUESTS = 2000
CONCURRENCY = 32
TIME_LIMIT_SECONDS = 20.0
ENTRANTS = 32


async def _migrate(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_connection)
    await engine.dispose()


async def _seed(services: Services, brackets: StaticBrackets) -> str:
    ids = iter(range(10**17, 10**18))
    guild = await make_guild(services, lambda: next(ids))
    tid = await make_tournament(services, guild, name="Benchmark Cup", status=TournamentStatus.LIVE)
    for _ in range(ENTRANTS):
        await make_registration(services, guild, tid, next(ids), RegistrationStatus.CONFIRMED)
    brackets.show(tid, single_elim_view(ENTRANTS, completed_rounds=2), version=1)
    return (await services.tournaments.get(tid)).slug


async def _load(base: str, path: str, headers: dict[str, str]) -> dict[str, object]:
    latencies: list[float] = []
    errors = 0
    remaining = iter(range(REQUESTS))
    deadline = time.perf_counter() + TIME_LIMIT_SECONDS
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(base, connector=connector) as session:

        async def worker() -> None:
            nonlocal errors
            for _ in remaining:
                if time.perf_counter() > deadline:
                    return
                started = time.perf_counter()
                async with session.get(path, headers=headers) as response:
                    await response.read()
                    if response.status >= 400:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "concurrency": CONCURRENCY,
        "errors": errors,
        "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
    }


async def run() -> AsyncIterator[dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await _migrate(url)
        db = Database(url)
        services = Services(db, data_dir=Path(tmp))
        brackets = StaticBrackets()
        slug = await _seed(services, brackets)
        config = DashboardConfig("http://127.0.0.1", b"benchmark-key-of-32-bytes-long!!")
        app = create_app(services, config, DashboardHooks(brackets=brackets), live_updates=False)
        runner = await start_dashboard(app, "127.0.0.1", 0)
        host, port = runner.addresses[0][:2]
        base = f"http://{host}:{port}"
        try:
            async with aiohttp.ClientSession(base) as warm:  # render and cache once
                etag = (await warm.get(f"/t/{slug}/bracket.png")).headers["ETag"]
            scenarios = {
                "bracket_png_cached": (f"/t/{slug}/bracket.png", {}),
                "bracket_png_304": (f"/t/{slug}/bracket.png", {"If-None-Match": etag}),
                "tournament_page": (f"/t/{slug}", {}),
            }
            for name, (path, headers) in scenarios.items():
                yield {
                    "name": name,
                    "path": path.replace(slug, "{slug}"),
                    **await _load(base, path, headers),
                }
        finally:
            await runner.cleanup()
            await db.dispose()
