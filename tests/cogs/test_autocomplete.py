"""The autocompletes users touch most, answered by the real bot through the fake Discord.

Each test checks the choices are right and scoped: only this server's rows (a second
server holds look-alikes), and for personal pickers only the typing user's own.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.kernel.actors import Actor
from engine.services import Services
from storage.models import Registration, RegistrationMember
from storage.models.enums import RegistrationStatus
from testkit.fakediscord import Guild, Member
from testkit.registration_helpers import make_game, make_tournament
from tests.cogs.conftest import Arena
from tests.cogs.test_registration import configured


async def choices(
    arena: Arena, user: Member, command: str, options: dict[str, Any], focused: str
) -> list[dict[str, Any]]:
    return await arena.env.fake.autocomplete(
        user, command, options, focused, guild=arena.guild, channel=arena.announcements
    )


async def other_server(arena: Arena, *members: Member) -> Guild:
    """A second server the same users are in, holding look-alike data."""
    fake = arena.env.fake
    guild = await fake.create_guild(channels=("general",))
    for member in members:
        await fake.add_member(guild, user=member.user)
    return guild


async def enter(
    services: Services,
    guild_id: int,
    tournament_id: int,
    user_id: int,
    name: str,
    status: RegistrationStatus = RegistrationStatus.CONFIRMED,
) -> None:
    """An entry written directly, so any status can be set up without its flow."""
    now = services.clock.now()
    async with services.db.transaction() as session:
        entry = Registration(
            tournament_id=tournament_id,
            guild_id=guild_id,
            user_id=user_id,
            display_name=name,
            status=status,
            field_values={},
            created_at=now,
            updated_at=now,
        )
        session.add(entry)
        await session.flush()
        session.add(
            RegistrationMember(
                registration_id=entry.id, tournament_id=tournament_id, user_id=user_id
            )
        )


def player(guild_id: int, member: Member) -> Actor:
    return Actor(user_id=member.user.id, guild_id=guild_id, display_name=member.user.username)


async def test_tournament_info_lists_this_servers_tournaments_matching_the_text(
    arena: Arena,
) -> None:
    services = arena.env.services
    await configured(arena)
    game = await make_game(services.db, services.clock, arena.guild.id)
    db, clock, gid = services.db, services.clock, arena.guild.id
    winter = await make_tournament(db, clock, gid, game, name="Winter Cup")
    showdown = await make_tournament(
        db, clock, gid, game, name="Winter Showdown", status="completed"
    )
    old = await make_tournament(db, clock, gid, game, name="Winter Classic", status="archived")
    await make_tournament(db, clock, gid, game, name="Summer Cup", status="draft")
    other = await other_server(arena, arena.players[0])
    other_game = await make_game(db, clock, other.id)
    elsewhere = await make_tournament(db, clock, other.id, other_game, name="Winter Cup")

    found = await choices(
        arena, arena.players[0], "tournament info", {"tournament": "WINTER"}, "tournament"
    )

    # /tournament info reaches every tournament, archived ones too; soonest start first
    # (none has a start here, so creation order).
    assert found == [
        {"name": "Winter Cup · registration open", "value": str(winter)},
        {"name": "Winter Showdown · completed", "value": str(showdown)},
        {"name": "Winter Classic · archived", "value": str(old)},
    ]
    # The other server sees only its own Winter Cup, under the same name.
    theirs = await arena.env.fake.autocomplete(
        arena.players[0], "tournament info", {"tournament": "winter"}, "tournament", guild=other
    )
    assert theirs == [{"name": "Winter Cup · registration open", "value": str(elsewhere)}]
    # Nothing typed yet: the whole server, still only this one.
    everything = await choices(arena, arena.players[0], "tournament info", {}, "tournament")
    assert len(everything) == 4 and str(elsewhere) not in {c["value"] for c in everything}


async def test_tournament_search_takes_the_typed_text_literally(arena: Arena) -> None:
    services = arena.env.services
    await configured(arena)
    game = await make_game(services.db, services.clock, arena.guild.id)
    await make_tournament(services.db, services.clock, arena.guild.id, game, name="Winter Cup")

    found = await choices(
        arena, arena.players[0], "tournament info", {"tournament": "_"}, "tournament"
    )
    assert found == []


async def test_register_offers_open_tournaments_and_the_users_captained_teams(
    arena: Arena,
) -> None:
    services = arena.env.services
    await configured(arena)
    db, clock, gid = services.db, services.clock, arena.guild.id
    alice, bob = arena.players
    game = await make_game(db, clock, gid, sizes=(1, 5))
    cup = await make_tournament(db, clock, gid, game, name="Winter Cup")
    await make_tournament(db, clock, gid, game, name="Winter Draft", status="draft")
    await make_tournament(db, clock, gid, game, name="Winter Closed", status="registration_closed")
    await make_tournament(db, clock, gid, game, name="Winter Live", status="live")

    found = await choices(arena, alice, "register", {"tournament": "win"}, "tournament")
    assert found == [{"name": "Winter Cup · registration open", "value": str(cup)}]

    owls = await services.teams.create(player(gid, alice), "Night Owls", "OWL")
    hawks = await services.teams.create(player(gid, bob), "Night Hawks", "HWK")
    # Alice plays for Bob's team too, but only a captain registers a team.
    invite = await services.teams.invite(player(gid, bob), hawks.id, alice.user.id)
    await services.teams.answer_invite(player(gid, alice), invite.id, accept=True)
    other = await other_server(arena, alice)
    await services.teams.create(player(other.id, alice), "Night Riders", "NRD")

    teams = await choices(
        arena, alice, "register", {"tournament": str(cup), "team": "night"}, "team"
    )
    assert teams == [{"name": "[OWL] Night Owls · 1 player", "value": str(owls.id)}]
    assert await choices(arena, bob, "register", {"team": ""}, "team") == [
        {"name": "[HWK] Night Hawks · 2 players", "value": str(hawks.id)}
    ]
    assert await choices(arena, alice, "register", {"team": "hawk"}, "team") == []


@pytest.mark.parametrize("command", ["unregister", "checkin"])
async def test_entries_pickers_list_only_the_users_active_entries(
    arena: Arena, command: str
) -> None:
    services = arena.env.services
    await configured(arena)
    db, clock, gid = services.db, services.clock, arena.guild.id
    alice, bob = arena.players
    game = await make_game(db, clock, gid)
    winter = await make_tournament(db, clock, gid, game, name="Winter Cup")
    waiting = await make_tournament(db, clock, gid, game, name="Winter Rush")
    spring = await make_tournament(db, clock, gid, game, name="Spring Cup")
    autumn = await make_tournament(db, clock, gid, game, name="Autumn Cup")
    await enter(services, gid, winter, alice.user.id, "Alice")
    await enter(services, gid, waiting, alice.user.id, "Alice", RegistrationStatus.WAITLISTED)
    await enter(services, gid, spring, alice.user.id, "Alice", RegistrationStatus.WITHDRAWN)
    await enter(services, gid, autumn, bob.user.id, "Bob")
    other = await other_server(arena, alice)
    other_game = await make_game(db, clock, other.id)
    elsewhere = await make_tournament(db, clock, other.id, other_game, name="Winter Cup")
    await enter(services, other.id, elsewhere, alice.user.id, "Alice")

    # Newest entry first; withdrawn, other users' and other servers' entries are left out.
    assert await choices(arena, alice, command, {}, "tournament") == [
        {"name": "Winter Rush · Alice", "value": str(waiting)},
        {"name": "Winter Cup · Alice", "value": str(winter)},
    ]
    assert await choices(arena, alice, command, {"tournament": "CUP"}, "tournament") == [
        {"name": "Winter Cup · Alice", "value": str(winter)}
    ]
    assert await choices(arena, bob, command, {"tournament": ""}, "tournament") == [
        {"name": "Autumn Cup · Bob", "value": str(autumn)}
    ]


async def test_entries_pickers_leave_out_finished_tournaments(arena: Arena) -> None:
    services = arena.env.services
    await configured(arena)
    db, clock, gid = services.db, services.clock, arena.guild.id
    alice = arena.players[0]
    game = await make_game(db, clock, gid)
    current = await make_tournament(db, clock, gid, game, name="Winter Cup")
    past = await make_tournament(db, clock, gid, game, name="Autumn Cup", status="completed")
    await enter(services, gid, current, alice.user.id, "Alice")
    await enter(services, gid, past, alice.user.id, "Alice")

    found = await choices(arena, alice, "unregister", {}, "tournament")
    assert found == [{"name": "Winter Cup · Alice", "value": str(current)}]


async def test_entries_picker_finds_an_older_entry_by_name(arena: Arena) -> None:
    services = arena.env.services
    await configured(arena)
    db, clock, gid = services.db, services.clock, arena.guild.id
    alice = arena.players[0]
    game = await make_game(db, clock, gid)
    oldest = await make_tournament(db, clock, gid, game, name="Grand Final Qualifier")
    await enter(services, gid, oldest, alice.user.id, "Alice")
    for week in range(25):
        weekly = await make_tournament(db, clock, gid, game, name=f"Weekly {week}")
        await enter(services, gid, weekly, alice.user.id, "Alice")

    found = await choices(arena, alice, "unregister", {"tournament": "grand"}, "tournament")
    assert found == [{"name": "Grand Final Qualifier · Alice", "value": str(oldest)}]


async def test_tournament_create_offers_this_servers_games(arena: Arena) -> None:
    services = arena.env.services
    await configured(arena)
    db, clock, gid = services.db, services.clock, arena.guild.id
    valorant = await make_game(db, clock, gid, name="Valorant")
    valheim = await make_game(db, clock, gid, name="Valheim")
    await make_game(db, clock, gid, name="Chess")
    other = await other_server(arena, arena.organizer)
    await make_game(db, clock, other.id, name="Valorant")

    found = await choices(
        arena, arena.organizer, "tournament create", {"name": "Winter Cup", "game": "VAL"}, "game"
    )
    # Sorted by name, case-insensitively.
    assert found == [
        {"name": "Valheim", "value": str(valheim)},
        {"name": "Valorant", "value": str(valorant)},
    ]
    assert len(await choices(arena, arena.organizer, "tournament create", {}, "game")) == 3


async def test_setup_timezone_matches_part_of_the_zone_name(arena: Arena) -> None:
    assert await choices(arena, arena.owner, "setup", {"timezone": "Dhaka"}, "timezone") == [
        {"name": "Asia/Dhaka", "value": "Asia/Dhaka"}
    ]
    kolkata = await choices(arena, arena.owner, "setup", {"timezone": "  kolk"}, "timezone")
    assert kolkata == [{"name": "Asia/Kolkata", "value": "Asia/Kolkata"}]
    # Discord shows at most 25; the bot must not offer more even when nothing is typed.
    assert len(await choices(arena, arena.owner, "setup", {}, "timezone")) == 25
    assert await choices(arena, arena.owner, "setup", {"timezone": "Mars/"}, "timezone") == []


async def test_tournament_edit_field_matches_names_and_descriptions(arena: Arena) -> None:
    services = arena.env.services
    await configured(arena)
    game = await make_game(services.db, services.clock, arena.guild.id)
    cup = await make_tournament(services.db, services.clock, arena.guild.id, game)

    found = await choices(
        arena,
        arena.organizer,
        "tournament edit",
        {"tournament": str(cup), "field": "Coins"},
        "field",
    )
    assert [c["value"] for c in found] == [
        "entry_fee_coins",
        "payment_methods",
        "prize_pool_coins",
        "prediction_rewards",  # by its description: "Coins for the top predictors"
    ]
    assert found[0]["name"] == "entry_fee_coins — Entry fee in coins"
    everything = await choices(arena, arena.organizer, "tournament edit", {}, "field")
    assert len(everything) == 25
