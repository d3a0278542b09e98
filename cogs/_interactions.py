"""Small helpers every cog uses to turn an interaction into engine terms and answer it."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from engine.kernel.actors import Actor

ORGANIZER_EXTRA = "organizer"


def actor_of(interaction: discord.Interaction) -> Actor:
    user = interaction.user
    role_ids = frozenset(r.id for r in getattr(user, "roles", ()) if r.id != interaction.guild_id)
    return Actor(
        user_id=user.id,
        guild_id=interaction.guild_id,
        role_ids=role_ids,
        can_manage_guild=bool(interaction.permissions.manage_guild),
        display_name=user.display_name,
    )


def organizer_command(func: Any) -> Any:
    """Hide the command from members without Manage Server by default.

    Server admins can grant it to the organizer role in Discord's Integrations settings;
    the services re-check at run time against the configured organizer role either way.
    """
    func = app_commands.default_permissions(manage_guild=True)(func)
    return app_commands.guild_only()(func)


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    ephemeral: bool = True,
    **kwargs: Any,
) -> None:
    """Answer whether or not the interaction was already acknowledged."""
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=ephemeral, **kwargs)
