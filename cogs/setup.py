"""/setup — an organizer configures DeltaCrown for this server."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._interactions import actor_of, cog_host, organizer_command
from cogs._speech import ENGLISH, Say, reader_say
from engine.guilds import GuildSettingsView, GuildSetup, timezone_suggestions
from engine.kernel.i18n import LANGUAGES
from engine.kernel.text import Channel, msg
from engine.services import Services

LANGUAGE_CHOICES = [app_commands.Choice(name=name, value=code) for code, name in LANGUAGES.items()]


def _mention(kind: str, snowflake: int | None, say: Say = ENGLISH) -> str:
    if snowflake is None:
        return say(msg("not set"))
    return f"<@&{snowflake}>" if kind == "role" else f"<#{snowflake}>"


# What the bot needs where it opens private threads (matches and disputes): create them,
# talk in them, and add members, lock and archive them (Manage Threads). README, "Permissions".
THREAD_PERMISSIONS = (
    "view_channel",
    "send_messages",
    "create_private_threads",
    "send_messages_in_threads",
    "manage_threads",
)
POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links", "attach_files")


def missing_permissions(
    channel: discord.abc.GuildChannel, me: discord.Member, wanted: tuple[str, ...]
) -> list[str]:
    """The permissions of ``wanted`` the bot lacks in ``channel``, as Discord names them."""
    granted = channel.permissions_for(me)
    return [name.replace("_", " ").title() for name in wanted if not getattr(granted, name)]


def permission_warnings(
    guild: discord.Guild | None, view: GuildSettingsView, say: Say = ENGLISH
) -> list[str]:
    """One line per configured channel where the bot cannot do its job: checked at /setup,
    because a missing permission otherwise shows up only on match day."""
    if guild is None:
        return []
    places = (
        (msg("Announcements"), view.announcement_channel_id, POST_PERMISSIONS),
        (msg("Match threads"), view.match_channel_id, THREAD_PERMISSIONS),
        (msg("Disputes"), view.dispute_channel_id, THREAD_PERMISSIONS),
    )
    lines = []
    for label, channel_id, wanted in places:
        channel = guild.get_channel(channel_id) if channel_id else None
        if channel is None:
            continue
        missing = missing_permissions(channel, guild.me, wanted)
        if missing:
            # Permission names stay as Discord's English settings show them.
            lines.append(
                say(
                    msg(
                        "{place} ({channel}): {missing}",
                        place=label,
                        channel=Channel(channel.id),
                        missing=", ".join(missing),
                    )
                )
            )
    return lines


def settings_embed(view: GuildSettingsView, changed: bool, say: Say = ENGLISH) -> discord.Embed:
    title = say(msg("Server settings saved")) if changed else say(msg("Server settings"))
    embed = discord.Embed(title=title, colour=discord.Colour.gold())
    embed.add_field(
        name=say(msg("Organizer role")), value=_mention("role", view.organizer_role_id, say)
    )
    embed.add_field(
        name=say(msg("Announcements")),
        value=_mention("channel", view.announcement_channel_id, say),
    )
    embed.add_field(
        name=say(msg("Match threads")), value=_mention("channel", view.match_channel_id, say)
    )
    embed.add_field(
        name=say(msg("Disputes")), value=_mention("channel", view.dispute_channel_id, say)
    )
    embed.add_field(name=say(msg("Time zone")), value=view.timezone)
    embed.add_field(name=say(msg("Coin name")), value=view.coin_name)
    embed.add_field(name=say(msg("Language")), value=LANGUAGES.get(view.language, view.language))
    embed.set_footer(text=say(msg("Run /setup again with any option to change it.")))
    return embed


class SetupCog(commands.Cog):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(
        name="setup", description=locale_str("Configure DeltaCrown for this server.")
    )
    @app_commands.describe(
        organizer_role=locale_str("Members with this role can run tournaments."),
        announcement_channel=locale_str("Where registrations, results and brackets are announced."),
        match_channel=locale_str("Where private match threads are opened."),
        dispute_channel=locale_str("Where dispute threads for organizers are opened."),
        timezone=locale_str("Time zone for tournament times, e.g. Asia/Dhaka."),
        coin_name=locale_str("What this server calls its coins, e.g. Crowns."),
        language=locale_str(
            "The language of announcements, and of replies to members who chose none."
        ),
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    @organizer_command
    async def setup(
        self,
        interaction: discord.Interaction,
        organizer_role: discord.Role | None = None,
        announcement_channel: discord.TextChannel | None = None,
        match_channel: discord.TextChannel | None = None,
        dispute_channel: discord.TextChannel | None = None,
        timezone: str | None = None,
        coin_name: app_commands.Range[str, 1, 32] | None = None,
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        assert interaction.guild_id is not None  # guild_only
        setup = GuildSetup(
            organizer_role_id=organizer_role.id if organizer_role else None,
            announcement_channel_id=announcement_channel.id if announcement_channel else None,
            match_channel_id=match_channel.id if match_channel else None,
            dispute_channel_id=dispute_channel.id if dispute_channel else None,
            timezone=timezone,
            coin_name=coin_name,
            language=language.value if language else None,
        )
        actor = actor_of(interaction)
        if not setup.given():
            view = await self.services.guilds.get_settings(interaction.guild_id)
            if view is not None:
                say = await reader_say(interaction)
                await interaction.response.send_message(
                    embed=settings_embed(view, False, say), ephemeral=True
                )
                return
        view = await self.services.guilds.configure(actor, interaction.guild_id, setup)
        # Read after saving: a server that just chose its language is answered in it.
        say = await reader_say(interaction)
        embed = settings_embed(view, True, say)
        warnings = permission_warnings(interaction.guild, view, say)
        if warnings:
            embed.add_field(
                name=say(msg("⚠️ DeltaCrown is missing permissions")),
                value="\n".join(warnings)[:1024],
                inline=False,
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @setup.autocomplete("timezone")
    async def _timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in timezone_suggestions(current)]


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(SetupCog(cog_host(bot).services))
