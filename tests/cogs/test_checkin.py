"""/checkin and the Check in buttons through the real discord.py client and the fake."""

from __future__ import annotations

from datetime import timedelta

from engine.brackets import MatchState
from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.services import Services
from storage.models import Registration, RegistrationMember
from storage.models.enums import RegistrationStatus
from testkit.fakediscord import Member
from testkit.registration_helpers import make_game, make_tournament
from tests.cogs.conftest import Arena
from tests.engine.services.test_checkin import checkin_of, configure


async def configured(arena: Arena) -> None:
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await arena.env.services.guilds.configure(
        owner,
        arena.guild.id,
        GuildSetup(
            organizer_role_id=arena.organizer_role_id,
            announcement_channel_id=arena.announcements.id,
            match_channel_id=arena.matches.id,
        ),
    )
    await arena.env.settle()


async def enter(services: Services, tournament_id: int, guild_id: int, member: Member) -> int:
    now = services.clock.now()
    async with services.db.transaction() as session:
        entry = Registration(
            tournament_id=tournament_id,
            guild_id=guild_id,
            user_id=member.id,
            display_name=member.user.username,
            status=RegistrationStatus.CONFIRMED,
            field_values={},
            created_at=now,
            updated_at=now,
        )
        session.add(entry)
        await session.flush()
        session.add(
            RegistrationMember(
                registration_id=entry.id, tournament_id=tournament_id, user_id=member.id
            )
        )
        return entry.id


async def tournament_in_checkin(arena: Arena, name: str, **values) -> int:
    """A closed-registration tournament with players[0] entered (and ``values`` set)."""
    services = arena.env.services
    await configured(arena)
    game = await make_game(services.db, services.clock, arena.guild.id, sizes=(1, 1))
    tid = await make_tournament(
        services.db, services.clock, arena.guild.id, game, status="registration_closed", name=name
    )
    await enter(services, tid, arena.guild.id, arena.players[0])
    await configure(services, tid, **values)
    return tid


async def test_slash_checkin_in_the_window(arena: Arena) -> None:
    services = arena.env.services
    starts = services.clock.now() + timedelta(minutes=20)
    tid = await tournament_in_checkin(
        arena, "Dawn Cup", checkin_enabled=True, checkin_window_minutes=30, starts_at=starts
    )
    player = arena.players[0]

    done = await arena.ask(player, "checkin", {"tournament": str(tid)})
    assert done.ephemeral and "is checked in for **Dawn Cup**" in done.content
    entry = await services.registration.registration_for(tid, player.id)
    assert entry is not None and entry.checked_in_at is not None

    again = await arena.ask(player, "checkin", {"tournament": str(tid)})
    assert again.ephemeral and "already checked in" in again.content
    stranger = await arena.ask(arena.players[1], "checkin", {"tournament": str(tid)})
    assert stranger.ephemeral and "You are not registered for Dawn Cup" in stranger.content
    await arena.env.settle()


async def test_announcement_button_checks_in_and_refuses_a_stranger(arena: Arena) -> None:
    services, fake = arena.env.services, arena.env.fake
    checkin_of(services)  # the timer handlers, on the running bot's services
    starts = services.clock.now() + timedelta(minutes=20)
    tid = await tournament_in_checkin(
        arena, "Noon Cup", checkin_enabled=True, checkin_window_minutes=30, starts_at=starts
    )
    await services.timers.fire_due()  # check-in opened 10 minutes ago
    announcement = await fake.wait_for_message(
        lambda m: (
            m.channel_id == arena.announcements.id and "Check-in for **Noon Cup**" in m.content
        )
    )
    button = f"dc:tcheckin:{tid}"
    [row] = announcement.components
    assert row["components"][0]["custom_id"] == button

    stranger = await (await fake.click(arena.players[1], announcement, button)).answer()
    assert stranger.ephemeral and "You are not registered for Noon Cup" in stranger.content

    player = arena.players[0]
    clicked = await (await fake.click(player, announcement, button)).answer()
    assert clicked.ephemeral and "is checked in for **Noon Cup**" in clicked.content
    twice = await (await fake.click(player, announcement, button)).answer()
    assert twice.ephemeral and "already checked in" in twice.content
    entry = await services.registration.registration_for(tid, player.id)
    assert entry is not None and entry.checked_in_at is not None
    await arena.env.settle()


async def test_match_checkin_by_button_and_slash(arena: Arena) -> None:
    services, fake = arena.env.services, arena.env.fake
    tid = await tournament_in_checkin(arena, "Match Cup", match_checkin_minutes=15)
    await enter(services, tid, arena.guild.id, arena.players[1])
    organizer = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await services.brackets.start(organizer, tid, seed=1)
    [match] = await services.brackets.matches(tid, statuses=[MatchState.CHECKIN])
    await arena.env.settle()

    # The match thread the notifier opened carries the Check in button.
    button = f"dc:match:{match.id}:checkin"
    thread = await fake.wait_for_thread(lambda t: t.parent_id == arena.matches.id)
    message = await fake.wait_for_message(
        lambda m: m.channel_id == thread.id and button in m.custom_ids()
    )

    stranger = await (await fake.click(arena.organizer, message, button)).answer()
    assert stranger.ephemeral and f"not playing in match {match.code}" in stranger.content
    first = await (await fake.click(arena.players[0], message, button)).answer()
    assert first.ephemeral and "Waiting for the other side" in first.content
    await fake.wait_for_message(
        lambda m: m.channel_id == thread.id and "checked in for match" in m.content
    )

    second = await arena.ask(arena.players[1], "checkin")
    assert second.ephemeral and "Both sides are here" in second.content
    await fake.wait_for_message(
        lambda m: m.channel_id == thread.id and m.content.startswith("🎮 Both sides")
    )
    assert (await services.brackets.get_match(match.id)).status == MatchState.LIVE
    await arena.env.settle()
