"""The /challenge list embed stays inside Discord's limits however long the texts are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord

from cogs.challenges import challenges_embed
from engine.challenges import ChallengePool, ChallengeView, Judge


def _view(number: int) -> ChallengeView:
    now = datetime(2026, 12, 6, tzinfo=UTC)
    return ChallengeView(
        id=number,
        guild_id=1,
        tournament_id=7,
        tournament_name="T" * 100,
        title="[Free](https://x.example) " + "W" * 70,
        rules="*" * 1000,
        prize=50,
        max_winners=3,
        winners=1,
        judge=Judge.FIRST_TO,
        target=3,
        deadline=now + timedelta(days=number),
        status="open",
        created_by=2,
        created_at=now,
        coin_name="Crowns",
    )


def test_a_long_list_fits_one_embed() -> None:
    embed = challenges_embed(
        [_view(n) for n in range(1, 13)],
        ChallengePool(500, 300, "Crowns"),
        None,
        "en",  # type: ignore[arg-type]
    )

    assert len(embed) <= 6000 and len(embed.fields) == 8
    assert embed.description == "The 8 ending soonest of 12 open challenges."
    assert all(len(f.name or "") <= 256 and len(f.value or "") <= 1024 for f in embed.fields)
    assert "\\[Free](" in (embed.fields[0].name or "")  # the masked link is broken
    assert "first to win 3 matches" in (embed.fields[0].value or "")
    assert embed.footer.text == "Challenge pool: 500 Crowns (200 not promised yet)."
    assert isinstance(embed, discord.Embed)


def test_bangla_list() -> None:
    embed = challenges_embed([], ChallengePool(0, 0, "Crowns"), None, "bn")  # type: ignore[arg-type]
    assert embed.description == "এই মুহূর্তে কোনো খোলা চ্যালেঞ্জ নেই।"
