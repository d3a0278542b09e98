"""/dashboard — an organizer gets a one-time login link to the web dashboard in DMs."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from cogs._interactions import actor_of, cog_host, member_actor, organizer_command, reply
from cogs._speech import reader_say
from engine.kernel.actors import Actor
from engine.kernel.text import Command, Message, Timestamp, msg
from engine.site import DashboardAuthService, signing_key


def _other_guild_actors(bot: discord.Client, user_id: int, here: int | None) -> list[Actor]:
    """The same person in the other servers the bot shares with them, as the rules see
    them there; the service keeps the ones where they organize."""
    members = ((guild, guild.get_member(user_id)) for guild in bot.guilds if guild.id != here)
    return [member_actor(member, guild.id) for guild, member in members if member is not None]


class DashboardCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.host = cog_host(bot)
        self.public_url = self.host.settings.dashboard.public_url
        self._auth: DashboardAuthService | None = None

    @property
    def auth(self) -> DashboardAuthService:
        # Built on first use: loading the cog must not create a key file on disk.
        if self._auth is None:
            settings = self.host.settings
            secret = settings.dashboard.secret_key
            key = signing_key(
                secret.get_secret_value() if secret else None, settings.storage.data_dir
            )
            self._auth = DashboardAuthService(self.host.services.ctx, key)
        return self._auth

    @app_commands.command(
        name="dashboard", description="Get a one-time link to the organizer web dashboard."
    )
    @organizer_command
    async def dashboard(self, interaction: discord.Interaction) -> None:
        actor = actor_of(interaction)
        others = _other_guild_actors(self.bot, actor.user_id, interaction.guild_id)
        names = {g.id: g.name for g in self.bot.guilds}
        link = await self.auth.issue_link(actor, names, others)
        url = f"{self.public_url}/org/login/{link.token}"
        servers = ", ".join(g.guild_name for g in link.guilds)
        say = await reader_say(interaction)
        try:
            await interaction.user.send(
                say(
                    msg(
                        "Here is your DeltaCrown dashboard login for {servers}:\n{url}\n"
                        "It works once and expires {expires}. Do not share it: whoever opens "
                        "it can review payments as you.",
                        servers=Message.literal(servers),
                        url=Message.literal(url),
                        expires=Timestamp(link.expires_at),
                    )
                ),
                suppress_embeds=True,  # a link preview would fetch the page for nothing
            )
        except discord.Forbidden:
            await reply(
                interaction,
                msg(
                    "I could not DM you the login link. Allow direct messages from server "
                    "members (Privacy settings of this server) and run {dashboard} again.",
                    dashboard=Command("dashboard"),
                ),
            )
            return
        await reply(
            interaction,
            msg("I sent you a login link in DMs. It works once and expires in 10 minutes."),
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(DashboardCog(bot))
