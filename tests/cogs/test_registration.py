"""/profile and /register (with the custom-field modal) through the real discord.py client."""

from __future__ import annotations

from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from storage.models.enums import RegistrationStatus
from testkit.fakediscord import Message
from testkit.registration_helpers import add_fields, make_game, make_tournament
from tests.cogs.conftest import Arena
from tests.cogs.match_day_helpers import (
    add_game,
    close_and_start,
    create_event,
    enter_players,
    more_players,
    run,
    set_ingame_id,
    set_up_server,
)


async def configured(arena: Arena) -> None:
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


def rosters(arena: Arena, tournament: str) -> list[Message]:
    """The live roster messages of ``tournament`` in the announcement channel."""
    return [
        m
        for m in arena.env.fake.messages_in(arena.announcements)
        if not m.deleted and m.embeds and m.embeds[0].get("title") == f"📋 Entries · {tournament}"
    ]


def roster_text(message: Message) -> str:
    embed = message.embeds[0]
    fields = " ".join(f"{f['name']}: {f['value']}" for f in embed.get("fields", []))
    return f"{embed.get('description', '')} {fields} {embed.get('footer', {}).get('text', '')}"


async def roster_showing(arena: Arena, tournament: str, *phrases: str) -> Message:
    """Wait until the tournament's one roster message shows every phrase."""
    return await arena.env.fake.wait_for_message(
        lambda m: (
            m.channel_id == arena.announcements.id
            and not m.deleted
            and bool(m.embeds)
            and m.embeds[0].get("title") == f"📋 Entries · {tournament}"
            and all(p in roster_text(m) for p in phrases)
        )
    )


def text_inputs(modal: dict) -> dict[str, dict]:
    found: dict[str, dict] = {}

    def walk(component: dict) -> None:
        if component.get("type") == 4:
            found[component["custom_id"]] = component
        for child in component.get("components", []):
            walk(child)
        if "component" in component:
            walk(component["component"])

    for component in modal["components"]:
        walk(component)
    return found


async def announcement(arena: Arena, phrase: str):
    return await arena.env.fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and phrase in m.content
    )


async def test_solo_register_through_the_custom_field_modal(arena: Arena) -> None:
    services = arena.env.services
    await configured(arena)
    game = await make_game(services.db, services.clock, arena.guild.id, sizes=(1, 1))
    tid = await make_tournament(services.db, services.clock, arena.guild.id, game)
    await add_fields(services.db, tid)
    alice = arena.players[0]

    saved = await arena.ask(alice, "profile set", {"game": str(game), "ingame_id": "Alice#EUW"})
    assert saved.ephemeral and "Alice#EUW" in saved.content

    opened = await arena.slash(alice, "register", {"tournament": str(tid)})
    assert opened.modal is not None and "Winter Cup" in opened.modal["title"]
    inputs = text_inputs(opened.modal)
    assert list(inputs) == ["ingame_id", "region"]
    assert inputs["ingame_id"]["value"] == "Alice#EUW"  # prefilled from the profile
    assert "EU" in inputs["region"]["placeholder"]
    assert await services.registration.registration_for(tid, alice.id) is None

    # A wrong answer is refused with the field's name and registers nothing.
    wrong = await (
        await arena.env.fake.submit_modal(
            alice, opened, {"ingame_id": "Alice#EUW", "region": "Mars"}
        )
    ).answer()
    assert wrong.ephemeral and "Region" in wrong.content
    assert await services.registration.registration_for(tid, alice.id) is None

    submitted = await (
        await arena.env.fake.submit_modal(alice, opened, {"ingame_id": "Alice#EUW", "region": "eu"})
    ).answer()
    assert submitted.ephemeral
    [embed] = submitted.embeds
    assert embed["title"] == "Registered: Winter Cup"
    view = await services.registration.registration_for(tid, alice.id)
    assert view.status == RegistrationStatus.CONFIRMED
    assert view.field_values == {"ingame_id": "Alice#EUW", "region": "EU"}
    await roster_showing(arena, "Winter Cup", "player1", "1/")

    again = await arena.ask(alice, "register", {"tournament": str(tid)})
    assert again.ephemeral and "already registered" in again.content

    shown = await arena.slash(alice, "profile show")
    assert shown.ephemeral and "Alice#EUW" in str(shown.embeds)

    left = await arena.slash(alice, "unregister", {"tournament": str(tid)})
    assert left.ephemeral and "withdrawn from **Winter Cup**" in left.content
    assert await services.registration.registration_for(tid, alice.id) is None
    await arena.env.settle()


async def test_full_tournament_waitlists_and_promotion_is_dmed(arena: Arena) -> None:
    services = arena.env.services
    await configured(arena)
    game = await make_game(services.db, services.clock, arena.guild.id, sizes=(1, 1))
    tid = await make_tournament(
        services.db, services.clock, arena.guild.id, game, max_participants=1, fee_coins=5
    )
    first, second = arena.players
    for member in (first, second):
        await arena.ask(member, "profile set", {"game": str(game), "ingame_id": f"P{member.id}"})

    paid = await arena.ask(first, "register", {"tournament": str(tid)})
    assert "/pay" in paid.embeds[0]["description"]
    await announcement(arena, "is full (1 entries)")
    waiting = await arena.ask(second, "register", {"tournament": str(tid)})
    assert waiting.embeds[0]["title"] == "On the waitlist: Winter Cup"
    assert "#1 on the waitlist" in waiting.embeds[0]["description"]

    await arena.slash(first, "unregister", {"tournament": str(tid)})
    dm = await arena.env.fake.wait_for_message(
        lambda m: (
            "moved up from the waitlist" in m.content
            and m.channel_id == arena.env.fake.dm_channel(second).id
        )
    )
    assert "/pay" in dm.content
    promoted = await services.registration.registration_for(tid, second.id)
    assert promoted.status == RegistrationStatus.AWAITING_PAYMENT

    # One roster message told the whole story, edited in place; no line per registration.
    roster = await roster_showing(arena, "Winter Cup", "player2 · ⏳ awaiting payment", "1/1")
    assert "player1" not in roster_text(roster) and "Waitlist" not in roster_text(roster)
    assert len(rosters(arena, "Winter Cup")) == 1 and len(roster.edits) >= 2
    said = [m.content for m in arena.env.fake.messages_in(arena.announcements)]
    assert not [c for c in said if "registered for" in c or "joined the waitlist" in c], said

    # Someone deletes the roster: the next change posts it again, once.
    await arena.env.fake.messages.delete(roster)
    await arena.ask(first, "register", {"tournament": str(tid)})
    again = await roster_showing(arena, "Winter Cup", "Waitlist (1): player1")
    assert again.id != roster.id and len(rosters(arena, "Winter Cup")) == 1
    await arena.env.settle()


async def test_a_waitlisted_player_is_told_the_tournament_started_without_them(
    arena: Arena,
) -> None:
    """Issue 13, item 8: the waitlist used to wait on in silence after the start."""
    await set_up_server(arena)
    game = await add_game(arena, "Valorant", 1)
    tid = await create_event(
        arena, game, "Spring Cup", format="single_elim", type="solo", max_participants=2
    )
    first, second, third = await more_players(arena, 3)
    await enter_players(arena, tid, game, [first, second])
    await set_ingame_id(arena, game, third)
    waiting = await run(arena, third, "register", {"tournament": str(tid)})
    assert "waitlist" in waiting.lower(), waiting
    await close_and_start(arena, tid)
    fake = arena.env.fake
    told = await fake.wait_for_message(
        lambda m: m.channel_id == fake.dm_channel(third).id and "Spring Cup" in m.content
    )
    assert "no slot freed up" in told.content and "not in the bracket" in told.content
    for player in (first, second):  # the entrants get no such message
        assert not [m for m in fake.dms_to(player) if "no slot freed up" in m.content]
