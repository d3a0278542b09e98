"""No string escapes the catalogue: the player flows driven through the fake Discord in a
pseudo-locale (``qps``: every catalogue text wrapped in ⟦…⟧ and lengthened by ~40%).

The server's default and every member's own language are the pseudo-locale, so public
posts (match and dispute threads, announcements, the live bracket and roster messages)
and private answers (replies, forms, DMs) all come out wrapped; whatever the fake
recorded outside a wrapping must be people's data (names, ids, match codes), numbers,
mentions, timestamps, links or punctuation. The flows are in ``language_flows.py``;
what counts as catalogue text is decided by ``discord_text_checks.catalogue_leaks``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from cogs._text import discord_text
from engine.kernel.i18n import PSEUDO_LANGUAGE, enable_pseudo_locale, known_language
from engine.kernel.text import msg
from tests.cogs.conftest import Arena
from tests.cogs.discord_text_checks import Shown, catalogue_leaks, over_limits
from tests.cogs.language_flows import paying_flows, player_flows


@pytest_asyncio.fixture(loop_scope="session")
async def pseudo() -> AsyncIterator[None]:
    enable_pseudo_locale()
    try:
        yield
    finally:
        enable_pseudo_locale(False)


def test_the_pseudo_locale_exists_only_when_turned_on() -> None:
    assert not known_language(PSEUDO_LANGUAGE)
    assert discord_text(msg("Check in"), language=PSEUDO_LANGUAGE) == "Check in"
    enable_pseudo_locale()
    try:
        wrapped = discord_text(msg("Opponent"), language=PSEUDO_LANGUAGE)
        assert wrapped == "⟦Opponent ····⟧"  # 8 letters, lengthened by 40%
        placeholders = discord_text(msg("Report {code}", code="W1-2"), language=PSEUDO_LANGUAGE)
        assert placeholders.startswith("⟦Report W1-2 ") and placeholders.endswith("⟧")
    finally:
        enable_pseudo_locale(False)


def test_the_checker_names_a_string_that_escaped() -> None:
    shown = [
        Shown("button label", "⟦Check in ···⟧"),
        Shown("content", "⟦✅ ⟦player1⟧ is in ··⟧ <@12> <t:1797135360:R> 2–1 #4"),
        Shown("embed title", "Semifinals · W1-1"),
    ]
    leaks = catalogue_leaks(shown, ["W1-1"])
    assert leaks == ["embed title: 'Semifinals · W1-1' — not from the catalogue: Semifinals"]


async def test_player_flows_show_only_catalogue_text(arena: Arena, pseudo: None) -> None:
    """Register solo and as a team, check in, report and confirm, reject a report, open
    a dispute with the form, the organizer's settlement, certificates."""
    shown, data = await player_flows(arena, PSEUDO_LANGUAGE)
    assert len(shown) > 100, "the flows showed (almost) nothing"
    # Posts later edited are checked as first posted too (the live bracket's start).
    assert any("has started" in item.text for item in shown)
    leaks = catalogue_leaks(shown, data)
    assert not leaks, "\n".join(leaks)
    # Every text lengthened by ~40% still fits Discord's limits, none cut short.
    too_long = over_limits(shown)
    assert not too_long, "\n".join(too_long)


async def test_paying_shows_only_catalogue_text(arena: Arena, pseudo: None) -> None:
    """/coins grant, /wallet, /pay with coins and with a proof, the review menus, the
    Approve button, the Reject form, and the DMs that follow."""
    shown, data = await paying_flows(arena, PSEUDO_LANGUAGE)
    assert len(shown) > 20, "the flows showed (almost) nothing"
    leaks = catalogue_leaks(shown, data)
    assert not leaks, "\n".join(leaks)
    # Every text lengthened by ~40% still fits Discord's limits, none cut short.
    too_long = over_limits(shown)
    assert not too_long, "\n".join(too_long)
