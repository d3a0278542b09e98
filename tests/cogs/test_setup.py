"""/setup through the real discord.py client and the fake Discord."""

from __future__ import annotations

from tests.cogs.conftest import Arena


async def test_owner_sets_up_the_server(arena: Arena) -> None:
    services = arena.env.services
    reply = await arena.slash(
        arena.owner,
        "setup",
        {
            "organizer_role": arena.organizer_role_id,
            "announcement_channel": arena.announcements.id,
            "match_channel": arena.matches.id,
            "dispute_channel": arena.disputes.id,
            "timezone": "Asia/Dhaka",
            "coin_name": "Crowns",
        },
    )
    assert reply.ephemeral
    [embed] = reply.embeds
    assert embed["title"] == "Server settings saved"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Time zone"] == "Asia/Dhaka" and fields["Coin name"] == "Crowns"
    assert fields["Announcements"] == f"<#{arena.announcements.id}>"

    stored = await services.guilds.get_settings(arena.guild.id)
    assert stored is not None
    assert stored.organizer_role_id == arena.organizer_role_id
    assert stored.dispute_channel_id == arena.disputes.id
    [entry] = await services.audit.recent(arena.guild.id)
    assert entry.action == "guild.setup" and entry.actor_id == arena.owner.id

    # The notifier confirms the announcement channel once the outbox delivers the event.
    announcement = await arena.env.fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and "announcements" in m.content
    )
    assert announcement.author.id == arena.env.fake.application_id

    # The organizer role (without Manage Server) may now change settings too.
    again = await arena.slash(arena.organizer, "setup", {"coin_name": "Gems"})
    assert "Gems" in str(again.embeds)
    assert (await services.guilds.get_settings(arena.guild.id)).coin_name == "Gems"


async def test_non_organizer_is_refused_and_nothing_changes(arena: Arena) -> None:
    services = arena.env.services
    await arena.slash(arena.owner, "setup", {"coin_name": "Crowns"})
    player = arena.players[0]
    reply = await arena.slash(player, "setup", {"coin_name": "Stolen"})
    assert reply.ephemeral
    assert "Only organizers" in reply.content
    assert (await services.guilds.get_settings(arena.guild.id)).coin_name == "Crowns"
    assert len(await services.audit.recent(arena.guild.id)) == 1


async def test_bad_timezone_is_explained(arena: Arena) -> None:
    reply = await arena.slash(arena.owner, "setup", {"timezone": "Mars/Olympus"})
    assert reply.ephemeral and "Asia/Dhaka" in reply.content
    assert await arena.env.services.guilds.get_settings(arena.guild.id) is None


async def test_setup_command_is_synced_with_manage_guild_default(arena: Arena) -> None:
    commands = {c["name"]: c for c in arena.env.fake.global_commands}
    setup = commands["setup"]
    assert int(setup["default_member_permissions"]) == 1 << 5  # MANAGE_GUILD
    assert setup.get("contexts") in (None, [0]) or setup.get("dm_permission") is False


async def test_sync_commands_publishes_the_tree_to_a_server(arena: Arena) -> None:
    """`deltacrown sync-commands --guild ID`: login over HTTP, publish, close."""
    from bot.runtime import sync_commands

    names = await sync_commands(arena.env.runtime.settings, arena.guild.id)
    synced = {c["name"] for c in arena.env.fake.guild_commands(arena.guild)}
    assert {"setup", "tournament", "register", "report", "bracket"} <= synced
    assert sorted(synced) == names
