"""Small helpers every cog uses to turn an interaction into engine terms and answer it,
and :class:`CogHost`: what a cog needs of the bot that loads it (cogs never import
``bot``; the bot satisfies the protocol)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import aiohttp
import discord
from discord import app_commands
from pydantic import SecretStr

from cogs._text import discord_text, reader_language
from engine.kernel.actors import Actor
from engine.kernel.text import Message
from engine.kernel.uploads import Uploads
from engine.services import Services

ORGANIZER_EXTRA = "organizer"
_DOWNLOAD_CHUNK = 64 * 1024
# Discord's CDN sends a few MB in well under a second; a stalled one must not hold the
# command (already deferred) for ever.
_DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=60, sock_read=15)


class DashboardLinkSettings(Protocol):
    @property
    def public_url(self) -> str: ...

    @property
    def secret_key(self) -> SecretStr | None: ...


class StorageLocation(Protocol):
    @property
    def data_dir(self) -> Path: ...


class TournamentDefaultSettings(Protocol):
    @property
    def match_checkin_minutes(self) -> int: ...

    @property
    def reminder_minutes(self) -> list[int]: ...

    @property
    def result_deadline_minutes(self) -> int: ...

    @property
    def player_reschedule_minutes(self) -> int: ...


class CogSettings(Protocol):
    """The parts of the bot's settings that cogs read."""

    @property
    def tournaments(self) -> TournamentDefaultSettings: ...

    @property
    def dashboard(self) -> DashboardLinkSettings: ...

    @property
    def storage(self) -> StorageLocation: ...


@runtime_checkable
class CogHost(Protocol):
    """What a cog needs of the bot: the engine's services and the settings."""

    @property
    def services(self) -> Services: ...

    @property
    def settings(self) -> CogSettings: ...


def cog_host(client: discord.Client) -> CogHost:
    """The bot as a cog sees it (in ``setup(bot)`` or from ``interaction.client``)."""
    if not isinstance(client, CogHost):
        raise TypeError(f"{type(client).__name__} has no services and settings for the cogs")
    return client


def services_of(interaction: discord.Interaction) -> Services:
    return cog_host(interaction.client).services


def member_actor(
    user: discord.User | discord.Member,
    guild_id: int | None,
    *,
    can_manage_guild: bool | None = None,
) -> Actor:
    """A user as the rules see them in a server: their roles there and Manage Server
    (taken from their server permissions unless given)."""
    if can_manage_guild is None:
        permissions = getattr(user, "guild_permissions", None)
        can_manage_guild = bool(permissions and permissions.manage_guild)
    return Actor(
        user_id=user.id,
        guild_id=guild_id,
        role_ids=frozenset(r.id for r in getattr(user, "roles", ()) if r.id != guild_id),
        can_manage_guild=can_manage_guild,
        display_name=user.display_name,
    )


def actor_of(interaction: discord.Interaction) -> Actor:
    return member_actor(
        interaction.user,
        interaction.guild_id,
        can_manage_guild=bool(interaction.permissions.manage_guild),
    )


async def read_upload(
    uploads: Uploads, attachment: discord.Attachment | None, what: str = "screenshot"
) -> bytes | None:
    """The attachment's bytes; one over the configured upload limit is refused (with the
    limit named) before it is downloaded. The service checks the content."""
    if attachment is None:
        return None
    uploads.refuse_oversize(attachment.size, what)
    return await download_capped(uploads, attachment.url, what)


async def download_capped(uploads: Uploads, url: str, what: str = "screenshot") -> bytes:
    """Stream a file and stop at the upload limit: the declared size is only what Discord
    said, so a file that grows past it is refused after one chunk too many, never read
    whole into memory."""
    data = bytearray()
    async with (
        aiohttp.ClientSession(timeout=_DOWNLOAD_TIMEOUT) as session,
        session.get(url) as response,
    ):
        response.raise_for_status()
        async for chunk in response.content.iter_chunked(_DOWNLOAD_CHUNK):
            data += chunk
            uploads.refuse_oversize(len(data), what)
    return bytes(data)


def organizer_command(func: Any) -> Any:
    """Hide the command from members without Manage Server by default.

    Server admins can grant it to the organizer role in Discord's Integrations settings;
    the services re-check at run time against the configured organizer role either way.
    """
    func = app_commands.default_permissions(manage_guild=True)(func)
    return app_commands.guild_only()(func)


async def reply(
    interaction: discord.Interaction,
    content: str | Message | None = None,
    *,
    ephemeral: bool = True,
    **kwargs: Any,
) -> None:
    """Answer whether or not the interaction was already acknowledged. A :class:`Message`
    is written in the reader's language when the answer is private, else in the server's."""
    if isinstance(content, Message):
        if ephemeral:
            language = await reader_language(interaction)
        else:
            language = await services_of(interaction).languages.server_language(
                interaction.guild_id
            )
        content = discord_text(content, interaction.client, language)
    if content is not None:
        kwargs["content"] = content
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
