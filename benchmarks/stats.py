"""Stats at size: /leaderboard and /stats player on a server with 10,000 players and
1,000 finished tournaments, and the paged audit search on 1,000,000 audit entries, on
SQLite and (with ``DELTACROWN_BENCH_POSTGRES_URL``) PostgreSQL.

The database is seeded with bulk inserts (rows computed in Python, then executemany;
the audit log with one INSERT … SELECT over a generated series), not through the
services: the point is the read path at size, not how fast rows can be written one
command at a time. Every tournament is a 16-player single elimination played to the end
with Elo applied match by match, so ratings, deltas, placings and the rankings table
agree the way the services keep them.

Each query is timed on its own (``*_ms``: p50, p99, max over the samples). Commands are
timed as the bot runs them: the read through the service, then the picture drawn
(``…_read_ms`` and ``…_total_ms``).

    python -m benchmarks stats
    DELTACROWN_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/dc_stats_bench \\
        python -m benchmarks stats

Knobs: ``DELTACROWN_STATS_PLAYERS`` (10000), ``…_TOURNAMENTS`` (1000), ``…_AUDIT`` (1000000),
``…_SAMPLES`` (200).
"""

from __future__ import annotations

import os
import random
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from engine.audit import AuditFilter
from engine.entries import START_RATING
from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock
from engine.services import Services
from storage.db import Database
from storage.migrate import upgrade_connection
from storage.models import (
    BracketState,
    Game,
    GuildSettings,
    MatchRow,
    Placing,
    Ranking,
    Registration,
    RegistrationMember,
    Tournament,
)

PLAYERS = int(os.environ.get("DELTACROWN_STATS_PLAYERS", "10000"))
TOURNAMENTS = int(os.environ.get("DELTACROWN_STATS_TOURNAMENTS", "1000"))
AUDIT_ROWS = int(os.environ.get("DELTACROWN_STATS_AUDIT", "1000000"))
SAMPLES = int(os.environ.get("DELTACROWN_STATS_SAMPLES", "200"))
POSTGRES_ENV = "DELTACROWN_BENCH_POSTGRES_URL"
FIELD = 16
GUILD_ID = 900_000_000_000_000_001
ORGANIZER_ID = 900_000_000_000_000_002
FIRST_USER = 800_000_000_000_000_000
CHUNK = 5_000
START = datetime(2025, 1, 1, tzinfo=UTC)
ROUND_TITLES = {1: "Round of 16", 2: "Quarter-final", 3: "Semi-final", 4: "Final"}
K = 32


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def q(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))], 2)

    return {"p50": q(0.5), "p99": q(0.99), "max": round(ordered[-1], 2), "n": len(values)}


class _Seeder:
    """Rows of a big server, computed in Python: tournaments, entries, matches, Elo."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.skill = {FIRST_USER + i: rng.gauss(0, 1) for i in range(PLAYERS)}
        self.rating = dict.fromkeys(self.skill, START_RATING)
        self.played = dict.fromkeys(self.skill, 0)
        self.tables: dict[Any, list[dict[str, Any]]] = {
            Tournament: [],
            BracketState: [],
            Registration: [],
            RegistrationMember: [],
            MatchRow: [],
            Placing: [],
        }
        self.registration_id = 0
        self.match_id = 0

    def tournament(self, index: int, game_id: int) -> None:
        tid = index + 1
        opened = START + timedelta(hours=8 * index)
        t = self.tables
        t[Tournament].append(_tournament_row(tid, game_id, opened))
        players = self.rng.sample(list(self.skill), FIELD)
        entries = []
        for seed, user in enumerate(players, start=1):
            self.registration_id += 1
            rid = self.registration_id
            entries.append((rid, user))
            t[Registration].append(_registration_row(rid, tid, user, seed, opened))
            t[RegistrationMember].append(
                {"registration_id": rid, "tournament_id": tid, "user_id": user}
            )
        alive, round_no, when = entries, 1, opened + timedelta(hours=1)
        out_in: dict[int, int] = {}
        while len(alive) > 1:
            winners = []
            for position in range(len(alive) // 2):
                a, b = alive[2 * position], alive[2 * position + 1]
                winner, loser = self._play(tid, round_no, position, a, b, when)
                winners.append(winner)
                out_in[loser[0]] = round_no
                when += timedelta(minutes=3)
            alive, round_no = winners, round_no + 1
        champion = alive[0][0]
        places = {champion: 1}
        last = round_no - 1
        for rid, lost_in in out_in.items():
            places[rid] = 2 ** (last - lost_in) + 1  # final loser 2, semi losers 3, …
        for rid, place in places.items():
            t[Placing].append(
                {
                    "tournament_id": tid,
                    "registration_id": rid,
                    "place": place,
                    "prize_coins": 0,
                    "prize_minor": 0,
                    "prize_paid_at": None,
                }
            )
        t[BracketState].append(
            {
                "tournament_id": tid,
                "format": "single_elim",
                "options": {},
                "participants": [],
                "seed": 0,
                "version": 1,
                "message_channel_id": None,
                "message_id": None,
                "created_at": opened,
                "updated_at": when,
                "completed_at": when,
            }
        )

    def _play(
        self,
        tid: int,
        round_no: int,
        position: int,
        a: tuple[int, int],
        b: tuple[int, int],
        when: datetime,
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        ua, ub = a[1], b[1]
        p_a = 1 / (1 + 10 ** ((self.skill[ub] - self.skill[ua]) * 0.8))
        a_wins = self.rng.random() < p_a
        expected = 1 / (1 + 10 ** ((self.rating[ub] - self.rating[ua]) / 400))
        delta = round(K * ((1.0 if a_wins else 0.0) - expected))
        self.rating[ua] += delta
        self.rating[ub] -= delta
        self.played[ua] += 1
        self.played[ub] += 1
        loser_maps = self.rng.randint(0, 1)
        self.match_id += 1
        self.tables[MatchRow].append(
            {
                "id": self.match_id,
                "tournament_id": tid,
                "guild_id": GUILD_ID,
                "code": f"W{round_no}-{position + 1}",
                "stage": "main",
                "side": "winners",
                "group_name": None,
                "round": round_no,
                "round_title": ROUND_TITLES[round_no],
                "position": position,
                "best_of": 3,
                "registration_a_id": a[0],
                "registration_b_id": b[0],
                "status": "completed",
                "score_a": 2 if a_wins else loser_maps,
                "score_b": loser_maps if a_wins else 2,
                "winner_registration_id": a[0] if a_wins else b[0],
                "outcome": "played",
                "checkin_deadline": None,
                "checked_in_a_at": None,
                "checked_in_b_at": None,
                "thread_id": None,
                "rating_delta": delta,
                "ready_at": when - timedelta(minutes=20),
                "completed_at": when,
                "updated_at": when,
            }
        )
        return (a, b) if a_wins else (b, a)


def _tournament_row(tid: int, game_id: int, opened: datetime) -> dict[str, Any]:
    return {
        "id": tid,
        "guild_id": GUILD_ID,
        "slug": f"bench-{tid}",
        "name": f"Bench Cup {tid}",
        "game_id": game_id,
        "format": "single_elim",
        "format_options": {},
        "participant_type": "solo",
        "team_size": 1,
        "max_participants": FIELD,
        "min_participants": 2,
        "registration_opens_at": None,
        "registration_closes_at": None,
        "starts_at": opened,
        "best_of": 3,
        "entry_fee_coins": 0,
        "entry_fee_minor": 0,
        "currency": "BDT",
        "payment_methods": [],
        "prize_pool_minor": 0,
        "prize_pool_coins": 0,
        "prize_distribution": [],
        "checkin_enabled": False,
        "checkin_window_minutes": 30,
        "match_checkin_minutes": 0,
        "seeding": "random",
        "fee_waiver_top_n": 0,
        "rules": None,
        "stream_links": [],
        "is_public": True,
        "status": "completed",
        "version": 1,
        "created_by": ORGANIZER_ID,
        "created_at": opened,
        "updated_at": opened,
    }


def _registration_row(rid: int, tid: int, user: int, seed: int, opened: datetime) -> dict[str, Any]:
    return {
        "id": rid,
        "tournament_id": tid,
        "guild_id": GUILD_ID,
        "user_id": user,
        "team_id": None,
        "display_name": _name(user),
        "status": "confirmed",
        "seed": seed,
        "field_values": {},
        "fee_waived_reason": None,
        "checked_in_at": None,
        "created_at": opened,
        "updated_at": opened,
    }


_SCRIPTS = ("Player", "খেলোয়াড়", "लाडी", "لاعب", "選手")


def _name(user: int) -> str:
    number = user - FIRST_USER
    return f"{_SCRIPTS[number % len(_SCRIPTS)]} {number}"


async def _migrate(url: str, connect_args: dict[str, Any]) -> None:
    engine = create_async_engine(url, connect_args=connect_args)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(upgrade_connection)
            await conn.commit()
    finally:
        await engine.dispose()


async def _bulk(db: Database, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        async with db.transaction() as session:
            await session.execute(insert(model), rows[start : start + CHUNK])


async def _seed(db: Database) -> dict[str, Any]:
    rng = random.Random(2026)
    now = START
    async with db.transaction() as session:
        session.add(
            GuildSettings(
                guild_id=GUILD_ID,
                timezone="Asia/Dhaka",
                coin_name="Crowns",
                created_at=now,
                updated_at=now,
            )
        )
        game = Game(
            guild_id=GUILD_ID,
            name="Valorant",
            team_size_min=1,
            team_size_max=1,
            result_type="best_of",
            allows_draws=False,
            ingame_id_label="Riot ID",
            created_by=ORGANIZER_ID,
            created_at=now,
        )
        session.add(game)
        await session.flush()
        game_id = game.id
    seeder = _Seeder(rng)
    for index in range(TOURNAMENTS):
        seeder.tournament(index, game_id)
    for model in (Tournament, BracketState, Registration, RegistrationMember, MatchRow, Placing):
        await _bulk(db, model, seeder.tables[model])
    rankings = [
        {
            "guild_id": GUILD_ID,
            "game_id": game_id,
            "subject_type": "player",
            "subject_id": user,
            "rating": seeder.rating[user],
            "manual_rank": None,
            "matches_played": played,
            "updated_at": now,
        }
        for user, played in seeder.played.items()
        if played
    ]
    await _bulk(db, Ranking, rankings)
    await _seed_audit(db)
    if not db.is_sqlite:
        async with db.transaction() as session:
            await session.execute(text("ANALYZE"))
    players = [u for u, n in seeder.played.items() if n]
    return {"game_id": game_id, "players": players, "matches": len(seeder.tables[MatchRow])}


async def _seed_audit(db: Database) -> None:
    """AUDIT_ROWS entries in one statement: 50 actions, 200 actors, every tournament."""
    columns = "guild_id, actor_id, action, target_type, target_id, tournament_id, created_at"
    if db.is_sqlite:
        series = (
            "WITH RECURSIVE n(x) AS "
            f"(SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {AUDIT_ROWS}) "
        )
        select = (
            f"SELECT {GUILD_ID}, {FIRST_USER} + (x % 200), 'bench.action' || (x % 50), "
            f"'tournament', CAST(1 + x % {TOURNAMENTS} AS TEXT), 1 + x % {TOURNAMENTS}, "
            "strftime('%Y-%m-%d %H:%M:%S.000000', '2025-01-01', '+' || (x / 10) || ' seconds') "
            "FROM n"
        )
        statement = f"{series}INSERT INTO audit_log ({columns}) {select}"
    else:
        statement = (
            f"INSERT INTO audit_log ({columns}) "
            f"SELECT {GUILD_ID}, {FIRST_USER} + (x % 200), 'bench.action' || (x % 50), "
            f"'tournament', (1 + x % {TOURNAMENTS})::text, 1 + x % {TOURNAMENTS}, "
            "timestamptz '2025-01-01 00:00:00+00' + (x / 10) * interval '1 second' "
            f"FROM generate_series(1, {AUDIT_ROWS}) AS x"
        )
    async with db.transaction() as session:
        await session.execute(text(statement))


async def _time(samples: int, call: Callable[[int], Awaitable[Any]]) -> list[float]:
    timings = []
    for i in range(samples):
        started = time.perf_counter()
        await call(i)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def _measure(backend: str, db: Database) -> AsyncIterator[dict[str, Any]]:
    started = time.perf_counter()
    seeded = await _seed(db)
    yield {
        "backend": backend,
        "step": "seed",
        "players": PLAYERS,
        "tournaments": TOURNAMENTS,
        "matches": seeded["matches"],
        "audit_rows": AUDIT_ROWS,
        "seconds": round(time.perf_counter() - started, 1),
    }
    services = Services(db, FrozenClock(START + timedelta(days=400)))
    boards, stats, pictures = services.leaderboards, services.stats, services.stats_pictures
    rng = random.Random(7)
    viewers = [rng.choice(seeded["players"]) for _ in range(SAMPLES)]
    game = seeded["game_id"]
    await boards.leaderboard(GUILD_ID, game, viewer_id=viewers[0])  # warm the pool and caches

    for board in ("rating", "titles"):
        read = await _time(
            SAMPLES,
            lambda i, b=board: boards.leaderboard(GUILD_ID, game, board=b, viewer_id=viewers[i]),
        )

        async def command(i: int, b: str = board) -> None:
            result = await boards.leaderboard(GUILD_ID, game, board=b, viewer_id=viewers[i])
            await pictures.leaderboard(result)

        total = await _time(SAMPLES, command)
        yield {
            "backend": backend,
            "command": f"/leaderboard board:{board}",
            "read_ms": _ms(read),
            "total_ms": _ms(total),
        }

    read = await _time(SAMPLES, lambda i: stats.player(GUILD_ID, viewers[i]))

    async def stats_command(i: int) -> None:
        await pictures.player(await stats.player(GUILD_ID, viewers[i]))

    total = await _time(SAMPLES, stats_command)
    yield {
        "backend": backend,
        "command": "/stats player",
        "read_ms": _ms(read),
        "total_ms": _ms(total),
    }

    organizer = Actor(user_id=ORGANIZER_ID, guild_id=GUILD_ID, can_manage_guild=True)
    audit = services.audit
    first = await audit.search(organizer, GUILD_ID)
    middle = first.entries[0].id - AUDIT_ROWS // 2
    cases: dict[str, Callable[[int], Awaitable[Any]]] = {
        "newest page": lambda i: audit.search(organizer, GUILD_ID),
        "deep page (before the middle)": lambda i: audit.search(
            organizer, GUILD_ID, before_id=middle - i
        ),
        "by actor": lambda i: audit.search(
            organizer, GUILD_ID, AuditFilter(actor_id=FIRST_USER + i % 200)
        ),
        "by tournament": lambda i: audit.search(
            organizer, GUILD_ID, AuditFilter(tournament_id=1 + i % TOURNAMENTS)
        ),
        "by action prefix": lambda i: audit.search(
            organizer, GUILD_ID, AuditFilter(action=f"bench.action{i % 50}")
        ),
        "by date range": lambda i: audit.search(
            organizer,
            GUILD_ID,
            AuditFilter(
                since=START + timedelta(hours=i % 24), until=START + timedelta(hours=1 + i % 24)
            ),
        ),
    }
    for name, call in cases.items():
        yield {
            "backend": backend,
            "query": f"audit search: {name}",
            "rows": AUDIT_ROWS,
            "page": 20,
            "ms": _ms(await _time(SAMPLES, call)),
        }


async def _postgres_schema(url: str) -> tuple[str, Callable[[], Awaitable[None]]]:
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    async def drop() -> None:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()

    return schema, drop


async def run() -> AsyncIterator[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'stats.db'}"
        await _migrate(url, {})
        db = Database(url)
        try:
            async for row in _measure("sqlite", db):
                yield row
        finally:
            await db.dispose()
    pg_url = os.environ.get(POSTGRES_ENV)
    if not pg_url:
        yield {"backend": "postgresql", "skipped": f"set {POSTGRES_ENV} to measure PostgreSQL"}
        return
    schema, drop = await _postgres_schema(pg_url)
    connect_args = {"server_settings": {"search_path": schema}}
    try:
        await _migrate(pg_url, connect_args)
        db = Database(pg_url, connect_args=connect_args)
        try:
            async for row in _measure("postgresql", db):
                yield row
        finally:
            await db.dispose()
    finally:
        await drop()
