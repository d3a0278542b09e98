from __future__ import annotations

import pytest

from engine.guilds import GameSpec, GuildSetup, parse_team_size
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.services import Services


async def _guild(services: Services, new_id) -> tuple[int, Actor, int]:
    guild_id, role = new_id(), new_id()
    owner = Actor(user_id=new_id(), guild_id=guild_id, can_manage_guild=True)
    await services.guilds.configure(owner, guild_id, GuildSetup(organizer_role_id=role))
    return guild_id, owner, role


async def test_add_and_list_games(services: Services, new_id) -> None:
    guild_id, _, role = await _guild(services, new_id)
    organizer = Actor(user_id=new_id(), guild_id=guild_id, role_ids=frozenset({role}))
    valorant = await services.games.add(
        organizer,
        guild_id,
        GameSpec("  Valorant ", 5, 5, "map_score", "Riot ID", allows_draws=False),
    )
    await services.games.add(
        organizer, guild_id, GameSpec("Chess", result_type="points", allows_draws=True)
    )
    assert valorant.name == "Valorant" and valorant.ingame_id_label == "Riot ID"
    assert valorant.team_size_text == "5 per team"
    assert [g.name for g in await services.games.list_games(guild_id)] == ["Chess", "Valorant"]
    assert await services.games.get(valorant.id, guild_id) == valorant
    assert await services.games.resolve(guild_id, "valorant") == valorant.id
    assert await services.games.resolve(guild_id, str(valorant.id)) == valorant.id
    assert [g.name for g in await services.games.search(guild_id, "ches")] == ["Chess"]
    entries = await services.audit.recent(guild_id, action_prefix="game.")
    assert [e.action for e in entries] == ["game.add", "game.add"]
    assert entries[1].after["team_size_min"] == 5 and entries[1].actor_id == organizer.user_id


async def test_duplicate_name_is_refused_in_any_case(services: Services, new_id) -> None:
    guild_id, owner, _ = await _guild(services, new_id)
    await services.games.add(owner, guild_id, GameSpec("Valorant", 5, 5))
    with pytest.raises(Conflict) as caught:
        await services.games.add(owner, guild_id, GameSpec("VALORANT", 5, 5))
    assert "already has a game called “Valorant”" in caught.value.message
    assert len(await services.games.list_games(guild_id)) == 1
    # Another server may use the same name.
    other, other_owner, _ = await _guild(services, new_id)
    await services.games.add(other_owner, other, GameSpec("Valorant", 5, 5))


@pytest.mark.parametrize(
    "spec",
    [
        GameSpec("", 1, 1),
        GameSpec("x" * 65, 1, 1),
        GameSpec("Valorant", 0, 5),
        GameSpec("Valorant", 5, 3),
        GameSpec("Valorant", 1, 6),
        GameSpec("Valorant", 1, 1, result_type="goals"),
        GameSpec("Valorant", 1, 1, ingame_id_label="y" * 33),
    ],
)
async def test_bad_games_change_nothing(services: Services, new_id, spec: GameSpec) -> None:
    guild_id, owner, _ = await _guild(services, new_id)
    with pytest.raises(InvalidInput) as caught:
        await services.games.add(owner, guild_id, spec)
    assert caught.value.message.endswith(".")
    assert await services.games.list_games(guild_id) == []
    assert await services.audit.recent(guild_id, action_prefix="game.") == []


async def test_non_organizer_cannot_add_a_game(services: Services, new_id) -> None:
    guild_id, _, _ = await _guild(services, new_id)
    player = Actor(user_id=new_id(), guild_id=guild_id)
    with pytest.raises(PermissionDenied):
        await services.games.add(player, guild_id, GameSpec("Valorant", 5, 5))
    assert await services.games.list_games(guild_id) == []


async def test_unknown_game_is_not_found(services: Services, new_id) -> None:
    guild_id, owner, _ = await _guild(services, new_id)
    game = await services.games.add(owner, guild_id, GameSpec("Valorant", 5, 5))
    with pytest.raises(NotFound):
        await services.games.resolve(guild_id, "Dota")
    with pytest.raises(NotFound):
        await services.games.get(game.id, new_id())  # another server's game


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5", (5, 5)), ("1..5", (1, 5)), ("3-5", (3, 5)), (" 2 to 4 ", (2, 4))],
)
def test_parse_team_size(text: str, expected: tuple[int, int]) -> None:
    assert parse_team_size(text) == expected


def test_parse_team_size_refuses_words() -> None:
    with pytest.raises(InvalidInput):
        parse_team_size("five")
