"""Per-user cooldowns on the commands a player can spam, answered privately with when to
retry; configurable in ``[bot] cooldowns``."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from cogs._cooldowns import Cooldowns, Rate, limiter_for
from tests.cogs.conftest import Arena


def test_limits_parse_and_read_like_a_sentence() -> None:
    assert Rate.parse("10/1h") == Rate(10, 3600)
    assert Rate.parse("5/600") == Rate(5, 600)
    assert Rate.parse("3/10m").describe() == "3 per 10 minutes"
    assert Rate.parse("10/1h").describe() == "10 per hour"
    assert Rate.parse("off") is None and Rate.parse("0/1h") is None
    for bad in ("ten/1h", "5/", "5/0m", "5/xh"):
        with pytest.raises(ValueError):
            Rate.parse(bad)


def test_a_sliding_window_per_member_and_command() -> None:
    now = [1000.0]
    limits = Cooldowns({"register": Rate(2, 60), "pay": None}, clock=lambda: now[0])
    assert limits.hit("register", 1) is None
    assert limits.hit("register", 1) is None
    assert limits.hit("register", 1) == 1060.0  # the oldest use leaves the window then
    assert limits.hit("register", 2) is None  # another member has their own window
    assert all(limits.hit("pay", 1) is None for _ in range(50))  # "off"
    now[0] = 1060.5
    assert limits.hit("register", 1) is None


def test_cooldowns_are_configurable_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELTACROWN_BOT_COOLDOWNS", '{"register": "3/1h", "pay": "off"}')
    settings = load_settings()
    assert settings.bot.cooldowns["register"] == "3/1h"
    assert settings.bot.cooldowns["report"] == "10/10m"  # the others keep their default
    monkeypatch.setenv("DELTACROWN_BOT_COOLDOWNS", '{"register": "lots"}')
    with pytest.raises(ConfigError, match="cooldowns"):
        load_settings()
    monkeypatch.setenv("DELTACROWN_BOT_COOLDOWNS", '{"wave": "1/1h"}')
    with pytest.raises(ConfigError, match="no cooldown for wave"):
        load_settings()


async def test_register_over_the_limit_is_refused_privately(arena: Arena) -> None:
    limiter = limiter_for(arena.env.bot)
    saved = dict(limiter.rates)
    limiter.rates["register"] = Rate(2, 3600)
    player = arena.players[0]
    try:
        for _ in range(2):
            first = await arena.slash(player, "register", {"tournament": "No Such Cup"})
            assert first.ephemeral and "limited to" not in first.content
        refused = await arena.slash(player, "register", {"tournament": "No Such Cup"})
        assert refused.ephemeral
        assert "You are using /register a lot: it is limited to 2 per hour" in refused.content
        assert "Try again <t:" in refused.content
        other = await arena.slash(arena.players[1], "register", {"tournament": "No Such Cup"})
        assert "limited to" not in other.content
    finally:
        limiter.rates.clear()
        limiter.rates.update(saved)
        limiter.forget()
