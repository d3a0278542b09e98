"""Many small tournaments at once, through the real bot against the fake Discord.

K eight-player single eliminations run in one process on a temporary SQLite database,
with the runtime ``deltacrown run`` builds (outbox dispatcher, scheduler, notifier); only
the Discord endpoints point at the fake. Setup goes through slash commands and is not
measured. Then every open match of every tournament is played at about the same time:
the loser sends ``/report`` in the match thread, the winner presses Confirm. Each of those
interactions is timed from the moment the fake sends it: the acknowledgement (Discord's
3 s window) and the final answer (the reply itself, or the followup after a defer).

With a PostgreSQL server named (``DELTACROWN_BENCH_POSTGRES_URL``, else
``DELTACROWN_TEST_POSTGRES_URL``) the same match day also runs against two real
``deltacrown run`` processes (shards 0 and 1 of 2) on a scratch database of that server,
K/2 cups on each shard; their CPU is read from /proc and their logs are searched for
ERROR lines.

One JSON line per K and setup: acknowledgement and final-answer p50/p95/p99/max, missed windows,
results per second, the outbox drain time after the last answer, CPU seconds per result
(the fake's CPU included: it runs in the same process) and ERROR log lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings
from bot.endpoints import configure_discord_endpoints
from bot.runtime import (
    Runtime,
    freeze_startup_objects,
    open_runtime,
    render_pool,
    sync_commands,
)
from engine.brackets import MatchState, MatchView
from engine.services import Services
from storage.db import Database
from storage.migrate import upgrade_connection
from storage.models import OutboxEvent
from testkit.cluster import SHARDS, bot_process, dump, scratch_database, until, wait_healthy
from testkit.fakediscord import (
    Channel,
    FakeDiscord,
    Guild,
    InteractionExpired,
    InteractionRecord,
    Member,
    Message,
)

SIZES = tuple(int(k) for k in os.environ.get("DELTACROWN_LOAD_K", "10,30").split(","))
PLAYERS = 8
OPEN = [MatchState.READY.value, MatchState.CHECKIN.value]
SETUP_CONCURRENCY = 1  # setup is not measured: one server at a time
WAIT = 120.0  # generous: a slow bot must show up in the figures, not as a timeout


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> dict[str, float]:
    return {
        f"{name}_p50_ms": round(percentile(values, 0.50) * 1000, 1),
        f"{name}_p95_ms": round(percentile(values, 0.95) * 1000, 1),
        f"{name}_p99_ms": round(percentile(values, 0.99) * 1000, 1),
        f"{name}_max_ms": round(max(values, default=0.0) * 1000, 1),
    }


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1

    def lines(self) -> int:
        return self.count


class Inbox:
    """Messages the bot posts, indexed by custom id and by (channel, button kind).

    The fake's own ``wait_for_message`` rescans every message for every waiter on every
    change; with hundreds of waiters that would measure the fake, not the bot. One
    watcher reads only the messages that are new since its last look."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.seen: set[int] = set()
        self.found: dict[Hashable, Message] = {}
        self.waiters: dict[Hashable, list[asyncio.Future[Message]]] = defaultdict(list)
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._watch(), name="bench-inbox")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def wait(self, key: Hashable, within: float = WAIT) -> Message:
        self._scan()
        if key in self.found:
            return self.found[key]
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self.waiters[key].append(future)
        return await asyncio.wait_for(future, within)

    async def _watch(self) -> None:
        changed = self.fake.state.changed
        while True:
            async with changed:
                await changed.wait()
            self._scan()

    def _scan(self) -> None:
        for message in reversed(self.fake.state.messages.values()):
            if message.id in self.seen:
                if message.custom_ids():
                    continue  # buttons may be added by an edit: keep looking a little
                break
            if not message.custom_ids():
                continue
            self.seen.add(message.id)
            for custom_id in message.custom_ids():
                self._found(custom_id, message)
                self._found((message.channel_id, custom_id.rsplit(":", 1)[-1]), message)

    def _found(self, key: Hashable, message: Message) -> None:
        self.found.setdefault(key, message)
        for future in self.waiters.pop(key, []):
            if not future.done():
                future.set_result(message)


@dataclass
class Timings:
    ack: list[float] = field(default_factory=list)
    final: list[float] = field(default_factory=list)
    missed: int = 0
    results: int = 0
    last_answer: float = 0.0


async def answer(record: InteractionRecord) -> str:
    """The bot's answer text, after the acknowledgement and any followup."""
    await record.response()
    if record.deferred and record.callback_type == 5:
        return (await record.wait_for_followup(timeout=WAIT)).content
    return record.content


async def timed(timings: Timings, record: InteractionRecord, sent: float) -> str:
    """Time one interaction; a missed window is counted, never fatal."""
    try:
        await record.response()
    except InteractionExpired:
        timings.missed += 1
        return ""
    timings.ack.append(time.perf_counter() - sent)
    text = await answer(record)
    done = time.perf_counter()
    timings.final.append(done - sent)
    timings.last_answer = max(timings.last_answer, done)
    return text


@dataclass
class Cup:
    fake: FakeDiscord
    services: Services
    inbox: Inbox
    guild: Guild
    channels: list[Channel]
    organizer: Member
    role_id: int
    players: list[Member]
    tournament_id: int = 0
    setup_missed: int = 0
    size: int = PLAYERS
    member_of: dict[int, Member] = field(default_factory=dict)

    async def run(self, user: Member, command: str, options: dict[str, Any]) -> str:
        record = await self.fake.slash(
            user, command, options, guild=self.guild, channel=self.channels[0]
        )
        try:
            return await answer(record)
        except InteractionExpired:
            # The handler still ran to its end; only the answer was lost.
            self.setup_missed += 1
            return ""

    async def set_up(self, number: int, *, start: bool = True) -> None:
        owner = self.guild.members[self.guild.owner_id]
        announcements, matches, disputes = self.channels
        await self.run(
            owner,
            "setup",
            {
                "organizer_role": self.role_id,
                "announcement_channel": announcements.id,
                "match_channel": matches.id,
                "dispute_channel": disputes.id,
                "timezone": "UTC",
            },
        )
        game = {"name": "Valorant", "team_size": "1", "result_type": "best_of"}
        await self.run(self.organizer, "game add", {**game, "ingame_id_label": "Riot ID"})
        services = self.services
        [game_view] = await services.games.list_games(self.guild.id)
        starts = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
        name = f"Load Cup {number}"
        await self.run(
            self.organizer,
            "tournament create",
            {
                "name": name,
                "game": str(game_view.id),
                "starts_at": starts,
                "format": "single_elim",
                "type": "solo",
                "max_participants": self.size,
                # Reports straight from READY: the load is the report and the confirmation,
                # not a check-in round before them (the default is 15 minutes).
                "match_checkin": 0,
            },
        )
        [view] = await services.tournaments.search(self.guild.id, name)
        self.tournament_id = tid = view.id
        for step in ("publish", "open"):
            await self.run(self.organizer, f"tournament {step}", {"tournament": str(tid)})
        for member in self.players:
            ingame = {"game": str(game_view.id), "ingame_id": f"{member.user.username}#EU"}
            await self.run(member, "profile set", ingame)
            await self.run(member, "register", {"tournament": str(tid)})
            entry = await services.registration.registration_for(tid, member.id)
            assert entry is not None, f"{member.user.username} is not registered"
            self.member_of[entry.id] = member
        for step in ("close", "start") if start else ("close",):
            await self.run(self.organizer, f"tournament {step}", {"tournament": str(tid)})

    async def play(self, timings: Timings) -> None:
        """Round after round, every open match at once, until the bracket is over."""
        brackets = self.services.brackets
        while waiting := await brackets.matches(self.tournament_id, statuses=OPEN):
            await asyncio.gather(*(self.play_match(m, timings) for m in waiting))

    async def play_match(self, match: MatchView, timings: Timings) -> None:
        assert match.registration_a_id is not None and match.registration_b_id is not None
        winner = self.member_of[match.registration_a_id]
        loser = self.member_of[match.registration_b_id]
        lobby = await self.inbox.wait(f"dc:match:{match.id}:report")
        thread = self.fake.state.channel(lobby.channel_id)
        assert thread is not None
        wins = match.best_of // 2 + 1
        sent = time.perf_counter()
        record = await self.fake.slash(
            loser,
            "report",
            {"my_score": wins - 1, "their_score": wins},
            guild=self.guild,
            channel=thread,
        )
        await timed(timings, record, sent)
        ask = await self.inbox.wait((thread.id, "confirm"))
        confirm = next(c for c in ask.custom_ids() if c.endswith(":confirm"))
        sent = time.perf_counter()
        await timed(timings, await self.fake.click(winner, ask, confirm), sent)
        await self.fake.wait_until(lambda: thread.locked, timeout=WAIT)
        timings.results += 1


async def new_cup(
    fake: FakeDiscord,
    services: Services,
    inbox: Inbox,
    size: int = PLAYERS,
    shard: int | None = None,
) -> Cup:
    guild = await fake.create_guild(channels=("announcements", "matches", "disputes"), shard=shard)
    role = await fake.add_role(guild, "Organizers")
    organizer = await fake.add_member(guild, "organizer", roles=[role])
    players = [await fake.add_member(guild, f"player{i}") for i in range(1, size + 1)]
    channels = [c for c in (fake.state.channel(i) for i in guild.channel_ids) if c]
    return Cup(fake, services, inbox, guild, channels, organizer, role.id, players, size=size)


async def migrated(path: Path) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(upgrade_connection)
            await conn.commit()
    finally:
        await engine.dispose()
    return url


@contextlib.contextmanager
def _restored_endpoints(previous: tuple[str, str]) -> Iterator[None]:
    try:
        yield
    finally:
        configure_discord_endpoints(*previous)


@contextlib.asynccontextmanager
async def bot_against_fake(fake: FakeDiscord, data_dir: Path) -> AsyncIterator[Runtime]:
    """The product's runtime, logged in and connected to the fake, as the tests build it."""
    settings = Settings(
        discord={
            "token": fake.token,
            "application_id": fake.application_id,
            "api_base_url": fake.api_base_url,
            "gateway_url": fake.gateway_url,
        },
        database={"url": await migrated(data_dir / "bot.db")},
        storage={"data_dir": data_dir},
        dashboard={"enabled": False},
    )
    # Discord's endpoints are process-wide (``bot/endpoints.py``): another bot of this
    # process (the test suite's) gets its own back when this one is done.
    previous = (discord.http.Route.BASE, str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY))
    # The process pool ``deltacrown run`` draws pictures and certificates in.
    with render_pool() as pool, _restored_endpoints(previous):
        async with open_runtime(
            settings, bot_options={"guild_ready_timeout": 0.05}, render_executor=pool
        ) as runtime:
            bot = runtime.bot
            await bot.login(fake.token)
            connection = asyncio.create_task(bot.connect(reconnect=False), name="bench-bot")
            await asyncio.wait_for(bot.wait_until_ready(), timeout=30)
            await bot.tree.sync()
            freeze_startup_objects()  # as ``deltacrown run`` does once it is up
            try:
                yield runtime
            finally:
                await bot.close()
                with contextlib.suppress(asyncio.CancelledError):
                    await connection


async def measure(k: int) -> dict[str, Any]:
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with (
                FakeDiscord.start() as fake,
                bot_against_fake(fake, Path(tmp)) as runtime,
            ):
                services = runtime.services
                row = await play_all(
                    k, fake, services, [None] * k, services.outbox.wait_idle, errors.lines
                )
                return {
                    "case": f"K={k} x {PLAYERS} players, single elimination, SQLite, one process",
                    **row,
                }
    finally:
        logging.getLogger().removeHandler(errors)


async def measure_two_processes(k: int, base_url: str) -> dict[str, Any]:
    """The same match day against two ``deltacrown run`` processes (shard 0 and 1 of 2)
    on one PostgreSQL database, as an operator runs them: the fake Discord routes each
    guild to its shard; this process only plays the users and reads the database."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        async with (
            scratch_database(base_url) as url,
            FakeDiscord.start(shard_count=SHARDS) as fake,
        ):
            db = Database(url)
            processes = [bot_process(fake, url, shard, root) for shard in range(SHARDS)]
            try:
                services = Services(db, data_dir=root / "driver")
                await sync_commands(
                    Settings(
                        discord={
                            "token": fake.token,
                            "application_id": fake.application_id,
                            "api_base_url": fake.api_base_url,
                            "gateway_url": fake.gateway_url,
                        },
                        database={"url": url},
                        storage={"data_dir": root / "sync"},
                    )
                )
                for process in processes:
                    await process.start()
                for process in processes:
                    await wait_healthy(process)
                for shard, process in enumerate(processes):
                    await until(lambda p=process: "connected as" in p.output(), f"bot{shard}")

                def error_lines() -> int:
                    return sum(p.output().count(" ERROR ") for p in processes)

                cpu = ProcessesCpu([p.proc.pid for p in processes if p.proc is not None])
                row = await play_all(
                    k,
                    fake,
                    services,
                    [n % SHARDS for n in range(k)],
                    lambda: delivered(db),
                    error_lines,
                    cpu,
                )
            except BaseException:
                print(dump(processes), file=sys.stderr)
                raise
            finally:
                for process in processes:
                    await process.stop()
                await db.dispose()
    return {
        "case": f"K={k} x {PLAYERS} players, single elimination, PostgreSQL, two processes",
        **row,
    }


async def delivered(db: Database) -> None:
    """Wait until every outbox event committed so far was delivered by its process."""
    query = select(func.count()).where(OutboxEvent.delivered_at.is_(None))
    deadline = time.monotonic() + WAIT
    while True:
        async with db.read() as session:
            if not await session.scalar(query):
                return
        if time.monotonic() > deadline:
            raise TimeoutError("the outbox never drained")
        await asyncio.sleep(0.05)


class ProcessesCpu:
    """CPU seconds (user + system) used by other processes, read from /proc."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.tick = os.sysconf("SC_CLK_TCK")

    def __call__(self) -> float:
        total = 0
        for pid in self.pids:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / self.tick


async def play_all(
    k: int,
    fake: FakeDiscord,
    services: Services,
    shards: list[int | None],
    settle: Callable[[], Awaitable[None]],
    error_lines: Callable[[], int],
    bot_cpu: Callable[[], float] = time.process_time,
) -> dict[str, Any]:
    """Set up ``k`` cups (one per guild, on ``shards``), then play them all at once."""
    inbox = Inbox(fake)
    inbox.start()
    try:
        cups = [await new_cup(fake, services, inbox, shard=shard) for shard in shards]
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)

        async def set_up(number: int, cup: Cup) -> None:
            async with gate:
                await cup.set_up(number)

        await asyncio.gather(*(set_up(n, c) for n, c in enumerate(cups)))
        await settle()
        setup_errors = error_lines()
        timings = Timings()
        cpu, wall = bot_cpu(), time.perf_counter()
        await asyncio.gather(*(cup.play(timings) for cup in cups))
        await settle()
        drained = time.perf_counter()
        cpu, wall = bot_cpu() - cpu, drained - wall
    finally:
        await inbox.stop()
    return {
        "k": k,
        "interactions": len(timings.ack) + timings.missed,
        **summary("ack", timings.ack),
        **summary("final", timings.final),
        "missed_windows": timings.missed,
        "results": timings.results,
        "results_per_s": round(timings.results / wall, 2),
        "outbox_drain_s": round(drained - (timings.last_answer or drained), 3),
        "cpu_s_per_result": round(cpu / max(1, timings.results), 4),
        "error_lines": error_lines() - setup_errors,
        "setup_error_lines": setup_errors,
        "setup_missed_windows": sum(cup.setup_missed for cup in cups),
    }


async def run() -> AsyncIterator[dict[str, Any]]:
    for k in SIZES:
        yield await measure(k)
    # The PostgreSQL variant runs where a server is named (CI exports the test URL).
    base_url = os.environ.get("DELTACROWN_BENCH_POSTGRES_URL") or os.environ.get(
        "DELTACROWN_TEST_POSTGRES_URL"
    )
    if base_url:
        for k in SIZES:
            yield await measure_two_processes(k, base_url)
