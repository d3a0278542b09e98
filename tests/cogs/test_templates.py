"""/tournament clone and /template through the real client and the fake Discord."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from engine.guilds import GameSpec, GuildSetup
from engine.kernel.actors import Actor
from engine.services import Services
from engine.tournaments import FieldSpec, TournamentDraft
from storage.models import Tournament
from tests.cogs.conftest import Arena


async def _cup(arena: Arena, guild_id: int | None = None, role_id: int | None = None) -> int:
    """A configured server (this arena's unless told) with one tournament; its id."""
    services = arena.env.services
    guild_id = guild_id or arena.guild.id
    owner = Actor(user_id=arena.owner.id, guild_id=guild_id, can_manage_guild=True)
    await services.guilds.configure(
        owner,
        guild_id,
        GuildSetup(organizer_role_id=role_id or arena.organizer_role_id, timezone="Asia/Dhaka"),
    )
    game = await services.games.add(owner, guild_id, GameSpec("Valorant", 5, 5, "map_score"))
    view = await services.tournaments.create(
        owner,
        guild_id,
        TournamentDraft(
            name="Winter *Cup*",
            game_id=game.id,
            format="single_elim",
            participant_type="team",
            max_participants=16,
            starts_at="2031-12-05 18:00",
            registration_opens_at="2031-11-20 10:00",
        ),
    )
    await services.tournaments.add_field(
        owner, view.id, FieldSpec(label="Riot ID", kind="text", max_length=40)
    )
    return view.id


async def _count(services: Services, guild_id: int) -> int:
    async with services.db.read() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Tournament).where(Tournament.guild_id == guild_id)
            )
        )


async def test_an_organizer_clones_a_tournament_onto_new_dates(arena: Arena) -> None:
    services = arena.env.services
    source = await _cup(arena)

    answer = await arena.ask(
        arena.organizer,
        "tournament clone",
        {"tournament": str(source), "starts_at": "2032-01-09 18:00", "name": "Spring Cup"},
    )
    assert answer.ephemeral, answer
    assert answer.content.startswith("Created the draft **Spring Cup**, a copy of “Winter"), (
        answer.content
    )
    assert "“Winter \\*Cup\\*”" in answer.content  # the source's name is shown as typed
    assert "1 registration question came with it." in answer.content
    assert "<t:" in answer.content  # the new start, in each reader's own time zone
    made = await services.tournaments.search(arena.guild.id, "Spring Cup")
    assert [(t.name, t.status, t.created_by) for t in made] == [
        ("Spring Cup", "draft", arena.organizer.id)
    ]
    copy, original = made[0], await services.tournaments.get(source)
    assert (copy.starts_at - copy.registration_opens_at) == (
        original.starts_at - original.registration_opens_at  # type: ignore[operator]
    )
    assert [f.label for f in await services.tournaments.fields(copy.id)] == ["Riot ID"]


async def test_a_clone_soon_leaves_the_past_opening_to_the_organizer(arena: Arena) -> None:
    source = await _cup(arena)  # registration opens 15 days before the start
    soon = (datetime.now(UTC) + timedelta(days=4)).strftime("%Y-%m-%d 18:00")
    answer = await arena.ask(
        arena.organizer, "tournament clone", {"tournament": str(source), "starts_at": soon}
    )
    assert answer.ephemeral and "would have opened in the past" in answer.content, answer.content
    assert "Registration opens" not in answer.content


async def test_clone_refusals_are_private_and_create_nothing(arena: Arena) -> None:
    services, fake = arena.env.services, arena.env.fake
    source = await _cup(arena)
    elsewhere = await fake.create_guild(channels=("general",))
    foreign_role = await fake.add_role(elsewhere, "Organizers")
    foreign = await _cup(arena, elsewhere.id, foreign_role.id)
    before = await _count(services, arena.guild.id)

    not_organizer = await arena.ask(
        arena.players[0], "tournament clone", {"tournament": str(source), "starts_at": "2032-01-09"}
    )
    assert not_organizer.ephemeral and "Only organizers can do that" in not_organizer.content, (
        not_organizer.content
    )
    bad_date = await arena.ask(
        arena.organizer, "tournament clone", {"tournament": str(source), "starts_at": "next friday"}
    )
    assert bad_date.ephemeral and "is not a date and time I can read" in bad_date.content
    past = await arena.ask(
        arena.organizer, "tournament clone", {"tournament": str(source), "starts_at": "2020-01-01"}
    )
    assert past.ephemeral and "in the past" in past.content, past.content
    other_server = await arena.ask(
        arena.organizer, "tournament clone", {"tournament": str(foreign), "starts_at": "2032-01-09"}
    )
    assert other_server.ephemeral and "no tournament" in other_server.content.lower(), (
        other_server.content
    )
    assert await _count(services, arena.guild.id) == before
    assert await _count(services, elsewhere.id) == 1


async def test_templates_are_saved_used_and_deleted_with_commands(arena: Arena) -> None:
    services = arena.env.services
    source = await _cup(arena)

    saved = await arena.ask(
        arena.organizer, "template save", {"tournament": str(source), "name": "Weekly 5v5"}
    )
    assert saved.ephemeral and "Saved the template **Weekly 5v5**" in saved.content, saved.content
    again = await arena.ask(
        arena.organizer, "template save", {"tournament": str(source), "name": "weekly 5v5"}
    )
    assert again.ephemeral and "already has a template called" in again.content
    listed = await arena.ask(arena.organizer, "template list")
    assert "Weekly 5v5" in listed.content and "Single elimination" in listed.content, listed.content

    before = await _count(services, arena.guild.id)
    refused = await arena.ask(
        arena.players[0], "template use", {"template": "Weekly 5v5", "starts_at": "2032-02-01"}
    )
    assert refused.ephemeral and "Only organizers can do that" in refused.content
    assert await _count(services, arena.guild.id) == before

    used = await arena.ask(
        arena.organizer,
        "template use",
        {"template": "Weekly 5v5", "starts_at": "2032-02-06 20:00", "name": "Weekly #2"},
    )
    assert used.ephemeral and "from the template “Weekly 5v5”" in used.content, used.content
    assert await _count(services, arena.guild.id) == before + 1

    deleted = await arena.ask(arena.organizer, "template delete", {"template": "weekly 5v5"})
    assert deleted.ephemeral and "Deleted the template **Weekly 5v5**" in deleted.content
    assert await services.templates.templates(arena.guild.id) == []
