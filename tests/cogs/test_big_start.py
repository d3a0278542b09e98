"""A start under Discord's rate limits: every match thread opens exactly once.

The same driver as ``python -m benchmarks bigstart`` (256 players, Discord's real limits,
about two minutes by nature), here at 32 players with every window ten times shorter and
a tight global limit, so discord.py meets real 429s and retries within a second or two.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.bigstart import start_big
from benchmarks.load import bot_against_fake
from testkit.fakediscord import FakeDiscord, Limit, RateLimitConfig
from testkit.fakediscord.ratelimits import DEFAULT_ROUTE_LIMITS

PLAYERS = 32
FAST = RateLimitConfig(
    routes={
        route: Limit(limit.limit, limit.per / 10) for route, limit in DEFAULT_ROUTE_LIMITS.items()
    },
    global_limit=Limit(10, 0.2),
)


async def test_a_32_player_start_under_rate_limits_opens_every_thread_once(
    tmp_path: Path,
) -> None:
    async with (
        FakeDiscord.start(rate_limits=FAST) as fake,
        bot_against_fake(fake, tmp_path) as runtime,
    ):
        row = await start_big(fake, runtime, PLAYERS, FAST, probe_every=0.05)
        fake.assert_clean()
    matches = PLAYERS // 2
    assert row["matches"] == matches
    assert row["lobbies_seen"] == matches
    assert row["threads_opened"] == matches
    assert row["thread_names_unique"]
    assert row["lobbies_posted_once"], row
    assert row["rate_limited_429s"] > 0, "the start never met a limit: the test proves nothing"
    # A slash command sent while the threads open is acknowledged within Discord's window.
    assert row["probes"] >= 1
    assert row["probe_missed_windows"] == 0
