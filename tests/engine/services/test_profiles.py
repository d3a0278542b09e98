"""Profiles: in-game ids per game, shown with the player's standing."""

from __future__ import annotations

import pytest

from engine.kernel.errors import InvalidInput, NotFound
from engine.services import Services
from storage.models import PlayerProfile, Ranking
from testkit.registration_helpers import (
    count_rows,
    make_game,
    outbox_types,
    player,
)


@pytest.fixture
def guild(new_id) -> int:
    return new_id()


async def test_set_and_show_profile(services: Services, db, clock, guild, new_id) -> None:
    valorant = await make_game(db, clock, guild)
    chess = await make_game(db, clock, guild, name="Chess", sizes=(1, 1))
    alice = new_id()
    entry = await services.profiles.set_ingame_id(player(guild, alice), "valorant", " Alice#EUW ")
    assert (entry.game_name, entry.ingame_id, entry.rating) == ("Valorant", "Alice#EUW", None)
    await services.profiles.set_ingame_id(player(guild, alice), valorant, "Alice#NEW")
    async with db.transaction() as session:
        session.add(
            Ranking(
                guild_id=guild,
                game_id=chess,
                subject_type="player",
                subject_id=alice,
                rating=1620,
                manual_rank=4,
                matches_played=7,
                updated_at=clock.now(),
            )
        )

    shown = await services.profiles.show(guild, alice)
    assert [(e.game_name, e.ingame_id, e.rating, e.manual_rank) for e in shown.entries] == [
        ("Chess", None, 1620, 4),
        ("Valorant", "Alice#NEW", None, None),
    ]
    assert shown.ingame_id(valorant) == "Alice#NEW"
    assert await count_rows(db, PlayerProfile, PlayerProfile.user_id == alice) == 1
    [latest, first] = await services.audit.recent(guild, action_prefix="profile.")
    assert latest.before == {"ingame_id": "Alice#EUW"} and first.before is None
    assert (await outbox_types(db, guild)).count("profile.updated") == 2
    assert (await services.profiles.show(guild, new_id())).entries == ()
    assert [g.name for g in await services.profiles.games(guild, "val")] == ["Valorant"]


@pytest.mark.parametrize(
    ("game", "value", "error"),
    [
        ("Valorant", "   ", InvalidInput),
        ("Valorant", "x" * 65, InvalidInput),
        ("Valorant", "two\nlines", InvalidInput),
        ("Tetris", "Alice", NotFound),
    ],
)
async def test_bad_profile_values_change_nothing(
    services: Services, db, clock, guild, new_id, game, value, error
) -> None:
    await make_game(db, clock, guild)
    alice = new_id()
    with pytest.raises(error) as caught:
        await services.profiles.set_ingame_id(player(guild, alice), game, value)
    assert caught.value.message.endswith(".")
    assert await count_rows(db, PlayerProfile, PlayerProfile.user_id == alice) == 0
    assert await services.audit.recent(guild) == []


async def test_games_of_another_server_are_invisible(services: Services, db, clock, guild, new_id):
    game = await make_game(db, clock, guild)
    with pytest.raises(NotFound):
        await services.profiles.set_ingame_id(player(new_id(), new_id()), game, "Alice")
