"""The live bracket message, /bracket and /standings through the real discord.py client
and the fake Discord."""

from __future__ import annotations

import pytest
from discord import app_commands

from bot.notifier import Notifier
from bot.notify.bracket import post_live_bracket
from cogs.brackets import attach_tournament_commands, pick_entries
from engine.brackets import SeedEntry, TournamentStarted
from engine.formats import Result
from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput
from testkit.factories import Event, make_event
from tests.cogs.conftest import Arena
from tests.conftest import next_snowflake

PNG = b"\x89PNG"


async def _event(arena: Arena, *, players: int = 4, **kwargs) -> Event:  # type: ignore[no-untyped-def]
    """Match-day rows in the arena's guild: its organizer runs it, its players play first."""
    fixed = iter([arena.guild.id, arena.organizer.id, *(p.id for p in arena.players)])
    event = await make_event(
        arena.env.services,
        lambda: next(fixed, None) or next_snowflake(),
        players=players,
        **kwargs,
    )
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await arena.env.services.guilds.configure(
        owner,
        arena.guild.id,
        GuildSetup(
            organizer_role_id=arena.organizer_role_id,
            announcement_channel_id=arena.announcements.id,
        ),
    )
    await arena.env.settle()
    return event


async def _live_message(arena: Arena):  # type: ignore[no-untyped-def]
    await arena.env.settle()  # posted and recorded
    return await arena.env.fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and "has started" in m.content
    )


async def test_live_bracket_is_posted_then_edited(arena: Arena) -> None:
    services = arena.env.services
    event = await _event(arena, format="double_elim", players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    message = await _live_message(arena)
    [image] = message.attachments
    assert image.filename.endswith(".png") and image.data.startswith(PNG)
    assert "4 entries" in message.content
    live = await services.pictures.live_message(event.tournament_id)
    assert live is not None and (live.channel_id, live.message_id) == (
        arena.announcements.id,
        message.id,
    )

    [ready, *_] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    await services.brackets.apply(event.organizer, event.tournament_id, Result(ready.code, (1, 0)))
    await arena.env.settle()
    await arena.env.fake.wait_until(lambda: message.edits)
    assert f"after match {ready.code}" in message.content
    [edited] = message.attachments
    assert edited.data.startswith(PNG) and edited.data != image.data
    started = [
        m
        for m in arena.env.fake.messages_in(arena.announcements)
        if "has started" in m.content or "live bracket" in m.content
    ]
    assert started == [message]  # edited in place, never posted twice


async def test_redelivered_start_edits_instead_of_posting(arena: Arena) -> None:
    services = arena.env.services
    event = await _event(arena)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    message = await _live_message(arena)
    notifier = Notifier(arena.env.bot, services)
    again = TournamentStarted(
        guild_id=arena.guild.id,
        tournament_id=event.tournament_id,
        name="Again",
        format="single_elim",
        participant_count=4,
        actor_id=None,
    )
    await post_live_bracket(notifier, again)
    assert message.edits and "Again" in message.content
    posts = [m for m in arena.env.fake.messages_in(arena.announcements) if "started" in m.content]
    assert posts == [message]


async def test_champion_podium_is_announced_once(arena: Arena) -> None:
    services = arena.env.services
    event = await _event(arena, players=2, prize_pool_coins=100, prize_distribution=[70, 30])
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    await _live_message(arena)
    [final] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    winner_first = final.registration_a_id == event.registrations[0]
    await services.brackets.apply(
        event.organizer, event.tournament_id, Result(final.code, (1, 0) if winner_first else (0, 1))
    )
    await arena.env.settle()
    podium = await arena.env.fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and m.content.startswith("🏆")
    )
    assert f"🥇 <@{arena.players[0].id}> (Player 1) · 70 Crowns" in podium.content
    assert "🥈" in podium.content and "30 Crowns" in podium.content
    assert podium.attachments[0].data.startswith(PNG)
    live = await services.pictures.live_message(event.tournament_id)
    assert live is not None and live.message_id == podium.id


async def test_bracket_command_replies_with_images(arena: Arena) -> None:
    services = arena.env.services
    event = await _event(arena, format="double_elim", players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    reply = await arena.slash(arena.players[0], "bracket", {"tournament": str(event.tournament_id)})
    assert reply.deferred and not reply.ephemeral
    message = await reply.wait_for_followup()
    assert message.attachments and all(f.data.startswith(PNG) for f in message.attachments)
    assert "bracket" in message.content

    one = await arena.slash(
        arena.players[0], "bracket", {"tournament": str(event.tournament_id), "section": "losers"}
    )
    [losers] = (await one.wait_for_followup()).attachments
    assert losers.filename == "losers.png"

    wrong = await arena.slash(
        arena.players[0], "bracket", {"tournament": str(event.tournament_id), "section": "swiss"}
    )
    assert wrong.ephemeral and not wrong.deferred
    assert "winners, losers, grand-final" in wrong.content


async def test_standings_command_and_not_started(arena: Arena) -> None:
    services = arena.env.services
    event = await _event(arena, format="round_robin", players=4)
    early = await arena.slash(
        arena.players[1], "standings", {"tournament": str(event.tournament_id)}
    )
    assert early.ephemeral and "has not started yet" in early.content
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    reply = await arena.slash(
        arena.players[1], "standings", {"tournament": str(event.tournament_id)}
    )
    assert reply.deferred
    [table] = (await reply.wait_for_followup()).attachments
    assert table.filename == "standings.png" and table.data.startswith(PNG)


def test_tournament_subcommands_attach_to_an_instance_group() -> None:
    group = app_commands.Group(name="tournament", description="Tournaments.")
    attach_tournament_commands(group)
    commands = {c.name: c for c in group.commands}
    assert set(commands) == {"seed", "swap", "start"}
    for command in commands.values():
        assert command.extras == {"organizer": True} and command.binding is None
        assert command.description and all(p.description for p in command.parameters)
    assert [p.name for p in commands["swap"].parameters] == ["tournament", "first", "second"]


def test_entries_are_picked_by_name_or_id() -> None:
    entries = [SeedEntry(7, "Alpha", 1), SeedEntry(9, "Beta Team", 2)]
    assert pick_entries(" beta team , 7", entries) == [9, 7]
    with pytest.raises(InvalidInput, match="Gamma"):
        pick_entries("Gamma", entries)
