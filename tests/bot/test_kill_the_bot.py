"""SIGKILL the real ``deltacrown run`` in the middle of a match day and restart it (issue
13, "Kill the real bot").

One process on a SQLite file against the fake Discord. At the kill: one match has a score
report awaiting its confirmation; the other match is in check-in, with its deadline timer
pending. While the process is down, one side of the second match checks in (outbox events
nobody delivered) and the check-in deadline passes (a due timer nobody fired). After the
restart: the timer fires (a forfeit), the confirmation still works, the cup is played to
the end, every notice is in Discord once, and the coin ledger adds up to the balances.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest_asyncio
from sqlalchemy import func, select, update

from bot.config import Settings
from bot.runtime import sync_commands
from engine.brackets import MatchView
from engine.kernel.actors import Actor
from engine.services import Services
from storage.db import Database
from storage.models import LedgerEntry, Timer, Wallet
from testkit.cluster import Process, free_port, until, wait_healthy
from testkit.fakediscord import FakeDiscord, Message
from tests.cogs.conftest import Arena
from tests.cogs.match_day_helpers import (
    OPEN,
    add_game,
    create_event,
    enter_players,
    more_players,
    run,
    set_up_server,
)
from tests.conftest import migrate
from tests.multiprocess.test_two_shard_processes import (
    CrossProcessMatchDay,
    ProcessEnv,
    duplicates,
    new_arena,
)

PRIZE_COINS = 100


def bot(fake: FakeDiscord, url: str, root: Path) -> Process:
    port = free_port()
    env = {
        **os.environ,
        "DELTACROWN_DATABASE_URL": url,
        "DELTACROWN_DISCORD_TOKEN": fake.token,
        "DELTACROWN_DISCORD_APPLICATION_ID": str(fake.application_id),
        "DELTACROWN_DISCORD_API_BASE_URL": fake.api_base_url,
        "DELTACROWN_DISCORD_GATEWAY_URL": fake.gateway_url,
        "DELTACROWN_STORAGE_DATA_DIR": str(root / "data"),
        "DELTACROWN_DASHBOARD_HOST": "127.0.0.1",
        "DELTACROWN_DASHBOARD_PORT": str(port),
        "DELTACROWN_DASHBOARD_SECRET_KEY": "kill-the-bot-test-secret-key-32by",
    }
    argv = [sys.executable, "-m", "bot.cli", "run"]
    return Process("bot", argv, env, root / "bot.log", port)


@dataclass
class Scene:
    fake: FakeDiscord
    arena: Arena
    services: Services
    process: Process
    tournament_id: int
    day: CrossProcessMatchDay


async def connected(process: Process, times: int) -> None:
    """Healthy (database reachable) and connected to the gateway for the ``times``-th time."""
    await wait_healthy(process)
    await until(lambda: process.output().count("connected as") >= times, "the bot to connect")


@pytest_asyncio.fixture
async def scene(tmp_path: Path) -> AsyncIterator[Scene]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite'}"
    await migrate(url)
    async with FakeDiscord.start() as fake:
        db = Database(url)
        process = bot(fake, url, tmp_path)
        try:
            services = Services(db, data_dir=tmp_path / "test")
            settings = Settings(
                discord={
                    "token": fake.token,
                    "application_id": fake.application_id,
                    "api_base_url": fake.api_base_url,
                    "gateway_url": fake.gateway_url,
                },
                database={"url": url},
                storage={"data_dir": tmp_path / "sync"},
            )
            await sync_commands(settings)
            env = ProcessEnv(fake, services)
            arena = await new_arena(fake, env, 0)
            await process.start()
            await connected(process, 1)
            await set_up_server(arena)
            game_id = await add_game(arena, "Valorant", 1)
            tid = await create_event(
                arena,
                game_id,
                "Crash Cup",
                format="single_elim",
                type="solo",
                max_participants=4,
                edits={
                    "match_checkin_minutes": "30",
                    "prize_pool_coins": str(PRIZE_COINS),
                    "prize_distribution": "70/30",
                },
            )
            players = await more_players(arena, 4)
            registrations = await enter_players(arena, tid, game_id, players)
            closed = await run(arena, arena.organizer, "tournament close", {"tournament": str(tid)})
            assert "is closed" in closed, closed
            started = await run(
                arena, arena.organizer, "tournament start", {"tournament": str(tid)}
            )
            assert "Started with" in started, started
            await env.settle()
            ranks = {reg: rank for rank, reg in enumerate(registrations)}
            members = {reg: [m] for reg, m in zip(registrations, players, strict=True)}
            day = CrossProcessMatchDay(arena, tid, ranks, members)
            yield Scene(fake, arena, services, process, tid, day)
        except BaseException:
            print(f"--- bot log\n{process.output()[-6000:]}")
            raise
        finally:
            await process.stop()
            await db.dispose()


async def _open_matches(scene: Scene) -> list[MatchView]:
    return list(await scene.services.brackets.matches(scene.tournament_id, statuses=OPEN))


def _actor(scene: Scene, member: Any) -> Actor:
    return Actor(user_id=member.id, guild_id=scene.arena.guild.id, display_name="player")


async def _due_now(scene: Scene, key: str) -> None:
    """The deadline passes while the bot is down: the timer row is due at restart."""
    async with scene.services.db.transaction() as session:
        await session.execute(
            update(Timer)
            .where(Timer.key == key, Timer.fired_at.is_(None))
            .values(due_at=scene.services.clock.now() - timedelta(seconds=1))
        )


async def _timer_fired(scene: Scene, key: str) -> bool:
    async with scene.services.db.read() as session:
        fired = await session.scalar(select(Timer.fired_at).where(Timer.key == key))
    return fired is not None


async def _ledger_matches_balances(services: Services) -> tuple[dict, dict]:
    async with services.db.read() as session:
        sums = dict(
            (
                await session.execute(
                    select(LedgerEntry.user_id, func.sum(LedgerEntry.amount)).group_by(
                        LedgerEntry.user_id
                    )
                )
            ).all()
        )
        balances = dict((await session.execute(select(Wallet.user_id, Wallet.balance))).all())
    return {u: int(s) for u, s in sums.items()}, {u: b for u, b in balances.items() if b}


async def test_sigkill_mid_match_day_loses_nothing_and_doubles_nothing(scene: Scene) -> None:
    fake, arena, day = scene.fake, scene.arena, scene.day
    first, second = await _open_matches(scene)
    # Match one: the weaker side reports; the confirmation request is in the thread.
    thread, _lobby = await day.thread_of(first)
    await day.check_in(first, thread, _lobby, no_show=False)
    stronger, weaker = day.sides(first)
    wins, lost, _, _ = day.scores(first)
    claim = {"my_score": lost, "their_score": wins}
    reported = await run(arena, day.members[weaker][0], "report", claim, channel=thread)
    assert "Reported" in reported, reported
    await fake.wait_for_message(
        lambda m: m.channel_id == thread.id and any(":confirm" in c for c in m.custom_ids())
    )
    # Match two is in check-in, its deadline pending.
    thread2, _ = await day.thread_of(second)
    here, absent = day.sides(second)
    deadline = f"match:{second.id}:checkin"
    assert not await _timer_fired(scene, deadline)

    await scene.process.kill()
    # Down: one side checks in (events nobody delivers) and the deadline passes.
    await scene.services.checkin.check_in_match(_actor(scene, day.members[here][0]), second.id)
    await _due_now(scene, deadline)
    await scene.process.start()
    await connected(scene.process, 2)

    # The timer fires after the restart: the absent side forfeits.
    absent_name = (await scene.services.registration.get(absent)).display_name
    await fake.wait_for_message(
        lambda m: m.channel_id == thread2.id and m.content.startswith(f"🏳️ **{absent_name}**"),
        timeout=20,
    )
    assert await _timer_fired(scene, deadline)
    # The report made before the kill is still confirmed with its button.
    await day.confirm(thread, day.members[stronger][0])
    await day.play_to_the_end()

    messages = [m for m in fake.state.messages.values() if not m.deleted]
    notices = [m for m in messages if m.channel_id in (thread.id, thread2.id)]
    _print_figures(messages, notices)
    here_name = (await scene.services.registration.get(here)).display_name
    in_thread2 = [m.content for m in notices if m.channel_id == thread2.id]
    # The notices of what happened while the bot was down, and of the timer, once each.
    for start in (f"✅ {here_name} checked in", f"🚫 {absent_name} did not check in"):
        assert sum(c.startswith(start) for c in in_thread2) == 1, (start, in_thread2)
    assert sum(c.startswith(f"🏳️ **{absent_name}** forfeits") for c in in_thread2) == 1
    sums, balances = await _ledger_matches_balances(scene.services)
    assert sums == balances and sum(balances.values()) == PRIZE_COINS
    assert duplicates(messages) == []


def _print_figures(messages: list[Message], notices: list[Message]) -> None:
    print(f"\n[kill] {len(messages)} messages, {len(notices)} in the two match threads")
