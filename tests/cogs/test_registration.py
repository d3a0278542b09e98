"""/profile and /register (with the custom-field modal) through the real discord.py client."""

from __future__ import annotations

from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from storage.models.enums import RegistrationStatus
from testkit.registration_helpers import add_fields, make_game, make_tournament
from tests.cogs.conftest import Arena


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

    saved = await arena.slash(alice, "profile set", {"game": str(game), "ingame_id": "Alice#EUW"})
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
    ).response()
    assert wrong.ephemeral and "Region" in wrong.content
    assert await services.registration.registration_for(tid, alice.id) is None

    submitted = await (
        await arena.env.fake.submit_modal(alice, opened, {"ingame_id": "Alice#EUW", "region": "eu"})
    ).response()
    assert submitted.ephemeral
    [embed] = submitted.embeds
    assert embed["title"] == "Registered: Winter Cup"
    view = await services.registration.registration_for(tid, alice.id)
    assert view.status == RegistrationStatus.CONFIRMED
    assert view.field_values == {"ingame_id": "Alice#EUW", "region": "EU"}
    await announcement(arena, "registered for **Winter Cup**")

    again = await arena.slash(alice, "register", {"tournament": str(tid)})
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
        await arena.slash(member, "profile set", {"game": str(game), "ingame_id": f"P{member.id}"})

    paid = await arena.slash(first, "register", {"tournament": str(tid)})
    assert "/pay" in paid.embeds[0]["description"]
    await announcement(arena, "is full (1 entries)")
    waiting = await arena.slash(second, "register", {"tournament": str(tid)})
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
    await arena.env.settle()
