from __future__ import annotations

import pytest

from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput, PermissionDenied
from engine.services import Services


async def test_setup_stores_settings_and_audits(services: Services, new_id) -> None:
    guild_id, owner, role = new_id(), new_id(), new_id()
    actor = Actor(user_id=owner, guild_id=guild_id, can_manage_guild=True)
    view = await services.guilds.configure(
        actor,
        guild_id,
        GuildSetup(organizer_role_id=role, timezone="Asia/Dhaka", coin_name=" Crowns "),
    )
    assert view.timezone == "Asia/Dhaka" and view.coin_name == "Crowns"
    assert (await services.guilds.get_settings(guild_id)) == view
    [entry] = await services.audit.recent(guild_id)
    assert entry.action == "guild.setup" and entry.actor_id == owner
    assert entry.before is None and entry.after["organizer_role_id"] == role

    # A member with the organizer role (but not Manage Server) may change settings now.
    organizer = Actor(user_id=new_id(), guild_id=guild_id, role_ids=frozenset({role}))
    await services.guilds.configure(organizer, guild_id, GuildSetup(coin_name="Gems"))
    latest = (await services.audit.recent(guild_id))[0]
    assert latest.before["coin_name"] == "Crowns" and latest.after["coin_name"] == "Gems"
    assert latest.after["timezone"] == "Asia/Dhaka"  # untouched values stay


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        (GuildSetup(timezone="Mars/Olympus"), InvalidInput),
        (GuildSetup(coin_name="!!!"), InvalidInput),
        (GuildSetup(coin_name="x" * 40), InvalidInput),
    ],
)
async def test_bad_values_change_nothing(services: Services, new_id, setup, error) -> None:
    guild_id = new_id()
    actor = Actor(user_id=new_id(), guild_id=guild_id, can_manage_guild=True)
    with pytest.raises(error) as caught:
        await services.guilds.configure(actor, guild_id, setup)
    assert caught.value.message.endswith(".")
    assert await services.guilds.get_settings(guild_id) is None
    assert await services.audit.recent(guild_id) == []


async def test_non_organizer_is_refused_and_nothing_changes(services: Services, new_id) -> None:
    guild_id = new_id()
    owner = Actor(user_id=new_id(), guild_id=guild_id, can_manage_guild=True)
    await services.guilds.configure(owner, guild_id, GuildSetup(coin_name="Crowns"))
    stranger = Actor(user_id=new_id(), guild_id=guild_id)
    with pytest.raises(PermissionDenied):
        await services.guilds.configure(stranger, guild_id, GuildSetup(coin_name="Stolen"))
    assert (await services.guilds.get_settings(guild_id)).coin_name == "Crowns"
    assert len(await services.audit.recent(guild_id)) == 1
