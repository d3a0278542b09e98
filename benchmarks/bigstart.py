"""A big start under Discord's rate limits: one single elimination of 256 players starts
and its 128 match threads open through the fake Discord with its 429s on.

Why: a start is the burst that meets Discord's limits (thread creation is about ten per
ten seconds per channel), and the notifier must then open every thread exactly once,
lose nothing to 429s, and leave the bot answering interactions meanwhile. Setup (the
players' ``/profile set`` and ``/register``) runs with the limits off and is not
measured. The start is ``/tournament start``; while the threads open, a player runs
``/match info`` every half second and each acknowledgement is timed.

One JSON line per size (``DELTACROWN_BIGSTART_PLAYERS``, default 256): the time until the
last thread shows its lobby (``last_thread_ready_s``), threads opened and lobbies posted
(each exactly once), 429s answered, and the acknowledgement figures of the probes.
The test suite runs the same driver at 32 players with shorter windows.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.load import Cup, Inbox, bot_against_fake, new_cup, summary
from bot.runtime import Runtime
from engine.brackets import MatchState
from testkit.fakediscord import FakeDiscord, InteractionExpired, RateLimitConfig

SIZES = tuple(int(n) for n in os.environ.get("DELTACROWN_BIGSTART_PLAYERS", "256").split(","))
PROBE_EVERY = 0.5  # seconds between two /match info probes during the start
WAIT = 600.0  # thread creation at ten per ten seconds: 128 threads need about two minutes


@dataclass
class Probes:
    """``/match info`` sent while the start's threads open, and how fast each was acked."""

    ack: list[float] = field(default_factory=list)
    missed: int = 0


async def probe(cup: Cup, probes: Probes, stop: asyncio.Event, every: float) -> None:
    player, channel = cup.players[0], cup.channels[0]
    while not stop.is_set():
        sent = time.perf_counter()
        record = await cup.fake.slash(player, "match info", {}, guild=cup.guild, channel=channel)
        try:
            await record.response()
            probes.ack.append(time.perf_counter() - sent)
        except InteractionExpired:
            probes.missed += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


def lobbies_posted(fake: FakeDiscord, match_ids: list[int]) -> Counter[int]:
    """How many lobby messages (the Report button) each match got: exactly one each."""
    wanted = {f"dc:match:{i}:report": i for i in match_ids}
    posted: Counter[int] = Counter()
    for message in list(fake.state.messages.values()):
        for custom_id in message.custom_ids():
            if custom_id in wanted:
                posted[wanted[custom_id]] += 1
    return posted


async def start_big(
    fake: FakeDiscord,
    runtime: Runtime,
    players: int,
    limits: RateLimitConfig | None = None,
    probe_every: float = PROBE_EVERY,
) -> dict[str, Any]:
    """Set up a cup of ``players`` (limits off), start it with ``limits`` on (Discord's
    defaults when None), and wait until every first-round thread shows its lobby."""
    inbox = Inbox(fake)
    inbox.start()
    try:
        cup = await new_cup(fake, runtime.services, inbox, players)
        fake.ratelimits.disable()
        await cup.set_up(0, start=False)
        await runtime.services.outbox.wait_idle()
        fake.ratelimits.reset_counters()
        fake.ratelimits.enable(limits)
        probes, stop = Probes(), asyncio.Event()
        prober = asyncio.create_task(probe(cup, probes, stop, probe_every))
        started = time.perf_counter()
        await cup.run(cup.organizer, "tournament start", {"tournament": str(cup.tournament_id)})
        ready = await runtime.services.brackets.matches(
            cup.tournament_id, statuses=[MatchState.READY.value, MatchState.CHECKIN.value]
        )
        lobbies = await asyncio.gather(
            *(inbox.wait(f"dc:match:{m.id}:report", WAIT) for m in ready), return_exceptions=True
        )
        last_ready = time.perf_counter() - started
        await runtime.services.outbox.wait_idle()
        stop.set()
        await prober
    finally:
        await inbox.stop()
    match_ids = [m.id for m in ready]
    threads = [
        c for c in fake.state.channels.values() if c.is_thread and c.parent_id == cup.channels[1].id
    ]
    posted = lobbies_posted(fake, match_ids)
    return {
        "players": players,
        "matches": len(ready),
        "last_thread_ready_s": round(last_ready, 2),
        "lobbies_seen": sum(1 for lobby in lobbies if not isinstance(lobby, BaseException)),
        "threads_opened": len(threads),
        "thread_names_unique": len({t.name for t in threads}) == len(threads),
        "lobbies_posted_once": all(posted[i] == 1 for i in match_ids),
        "lobbies_posted_twice": sum(1 for i in match_ids if posted[i] > 1),
        "rate_limited_429s": fake.ratelimits.total_rejected,
        "probes": len(probes.ack) + probes.missed,
        **summary("probe_ack", probes.ack),
        "probe_missed_windows": probes.missed,
        "setup_missed_windows": cup.setup_missed,
    }


async def measure(players: int) -> dict[str, Any]:
    cpu = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        async with (
            FakeDiscord.start(rate_limits=True) as fake,
            bot_against_fake(fake, Path(tmp)) as runtime,
        ):
            row = await start_big(fake, runtime, players)
    return {
        "case": f"{players}-player single elimination start, Discord rate limits on",
        **row,
        "cpu_s_total": round(time.process_time() - cpu, 1),
    }


async def run() -> AsyncIterator[dict[str, Any]]:
    for players in SIZES:
        yield await measure(players)
