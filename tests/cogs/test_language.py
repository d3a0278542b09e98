"""Which language the bot speaks, through the real discord.py client and the fake Discord:
a person's choice (/profile language) for their private answers, the server's (/setup
language) for public notices and for members who chose none, English otherwise."""

from __future__ import annotations

import re

import discord
import pytest

from cogs._translator import DISCORD_LOCALES, CatalogueTranslator
from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput
from testkit.fakediscord.options import CommandInputError
from tests.cogs.conftest import Arena

BENGALI = re.compile(r"[\u0980-\u09FF]")


def is_bangla(text: str) -> bool:
    """Mostly Bengali script: no English sentence left in it (names and commands may be)."""
    letters = [c for c in text if c.isalpha()]
    bengali = [c for c in letters if BENGALI.match(c)]
    return len(bengali) > 0.6 * len(letters)


async def test_a_player_who_chose_bangla_is_refused_in_bangla(arena: Arena) -> None:
    services = arena.env.services
    await arena.slash(arena.owner, "setup", {"coin_name": "Crowns"})
    bangla_reader, english_reader = arena.players

    chosen = await arena.slash(bangla_reader, "profile language", {"language": "bn"})
    assert chosen.ephemeral and is_bangla(chosen.content), chosen.content
    assert await services.languages.personal_language(bangla_reader.id) == "bn"

    refused = await arena.slash(bangla_reader, "setup", {"coin_name": "Stolen"})
    assert refused.ephemeral and is_bangla(refused.content), refused.content
    assert "অর্গানাইজার" in refused.content
    other = await arena.slash(english_reader, "setup", {"coin_name": "Stolen"})
    assert other.content.startswith("Only organizers")
    assert (await services.guilds.get_settings(arena.guild.id)).coin_name == "Crowns"

    # Choosing nothing goes back to the server's language (English here).
    cleared = await arena.slash(bangla_reader, "profile language", {})
    assert cleared.content.startswith("Saved: DeltaCrown answers you in this server's")
    again = await arena.slash(bangla_reader, "setup", {"coin_name": "Stolen"})
    assert again.content.startswith("Only organizers")


async def test_a_bangla_server_announces_in_bangla_and_answers_members_in_it(
    arena: Arena,
) -> None:
    services = arena.env.services
    saved = await arena.slash(
        arena.owner,
        "setup",
        {"announcement_channel": arena.announcements.id, "language": "bn"},
    )
    fields = {f["name"]: f["value"] for f in saved.embeds[0]["fields"]}
    # The organizer's own answer is in the language the server just chose.
    assert fields["ভাষা"] == "বাংলা (Bangla)"
    assert (await services.guilds.get_settings(arena.guild.id)).language == "bn"

    notice = await arena.env.fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and "DeltaCrown" in m.content
    )
    assert is_bangla(notice.content), notice.content
    assert "ব্র্যাকেট" in notice.content

    # A member whose Discord runs in English (Discord has no Bengali) still reads the
    # server's Bangla; one who chose English reads English.
    member, chose_english = arena.players
    assert member.user.locale == "en-US"
    refused = await arena.slash(member, "setup", {"coin_name": "Stolen"})
    assert is_bangla(refused.content), refused.content
    await arena.slash(chose_english, "profile language", {"language": "en"})
    english = await arena.slash(chose_english, "setup", {"coin_name": "Stolen"})
    assert english.content.startswith("Only organizers")


async def test_a_language_the_bot_does_not_speak_is_refused_and_nothing_changes(
    arena: Arena,
) -> None:
    # Discord only sends the offered choices; the services refuse anything else anyway.
    with pytest.raises(CommandInputError):
        await arena.env.fake.slash(
            arena.owner, "setup", {"language": "xx"}, guild=arena.guild, channel=arena.matches
        )
    services = arena.env.services
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    with pytest.raises(InvalidInput) as refused:
        await services.guilds.configure(owner, arena.guild.id, GuildSetup(language="xx"))
    assert "“xx” is not a language DeltaCrown speaks" in str(refused.value.text)
    assert await services.guilds.get_settings(arena.guild.id) is None
    player = arena.players[0]
    with pytest.raises(InvalidInput):
        await services.languages.set_personal_language(player.id, "xx")
    assert await services.languages.personal_language(player.id) is None


async def test_command_descriptions_are_synced_through_the_catalogue(arena: Arena) -> None:
    """Discord has no Bengali locale, so the product syncs English only; a locale that
    maps to a catalogue (here Hindi standing in for one Discord may add) gets the
    translated descriptions; command and option names stay English."""
    bot, fake = arena.env.bot, arena.env.fake
    assert DISCORD_LOCALES == {}  # no Discord locale is a language we translate yet
    english = {c["name"]: c for c in fake.guild_commands(arena.guild)} or {
        c["name"]: c for c in fake.global_commands
    }
    assert not english["setup"].get("description_localizations")

    await bot.tree.set_translator(CatalogueTranslator({discord.Locale.hindi: "bn"}))
    try:
        await bot.tree.sync()
        commands = {c["name"]: c for c in fake.global_commands}
    finally:
        await bot.tree.set_translator(CatalogueTranslator())
        await bot.tree.sync()
    setup = commands["setup"]
    assert setup["description"] == "Configure DeltaCrown for this server."
    assert setup["description_localizations"]["hi"] == "এই সার্ভারের জন্য DeltaCrown সেটআপ করুন।"
    options = {o["name"]: o for o in setup["options"]}
    language = options["language"]
    assert is_bangla(language["description_localizations"]["hi"])
    assert "name_localizations" not in language or not language["name_localizations"]
    # Every command's description is in the catalogue (cogs/_command_texts.py lists
    # them), marked with locale_str or not; names stay English.
    assert is_bangla(commands["register"]["description_localizations"]["hi"])
    assert not commands["register"].get("name_localizations")
    for name in ("register", "pay", "checkin", "report", "wallet"):
        assert is_bangla(commands[name]["description_localizations"]["hi"]), name
    for command in commands.values():  # untranslated text is left to Discord's English
        localized = (command.get("description_localizations") or {}).get("hi")
        assert localized != command["description"], command["name"]
    assert {c["name"] for c in fake.global_commands} == set(commands)


async def test_a_bangla_server_announces_a_cancellation_in_bangla(arena: Arena) -> None:
    from tests.cogs.test_tournaments import _configured, _create, _game

    await _configured(arena)
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    tid = await _create(arena, await _game(arena))  # (its checks read English)
    await arena.env.services.guilds.configure(owner, arena.guild.id, GuildSetup(language="bn"))
    asked = await arena.slash(
        arena.organizer, "tournament cancel", {"tournament": str(tid), "reason": "@everyone *x*"}
    )
    click = await arena.env.fake.click(
        arena.organizer, asked.message, "dc:tournament-cancel:confirm"
    )
    await click.response()
    notice = await arena.env.fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and "❌" in m.content
    )
    assert notice.content.startswith("❌ **Winter Cup** বাতিল করা হয়েছে। কারণ: ")
    assert is_bangla(notice.content), notice.content
    # The organizer's reason is shown literally: it cannot ping or format.
    assert "@\u200beveryone \\*x\\*" in notice.content
