"""The one tree-level error handler.

Domain errors carry the sentence a user should read (a message key and parameters, written
for Discord by ``cogs/_text.py``) and are answered ephemerally.
Discord-side refusals (missing permissions, wrong place) get a short explanation.
Anything else is a bug: it is logged with an incident id and the user sees a short
apology quoting that id, so a report in the support channel can be matched to the log.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord
from discord import app_commands

from cogs._cooldowns import OnCooldown
from cogs._text import discord_text
from engine.kernel.errors import DomainError
from engine.kernel.metrics import METRICS

log = logging.getLogger("deltacrown.errors")


def new_incident_id() -> str:
    return secrets.token_hex(4).upper()


def user_message_for(
    error: BaseException, client: discord.Client | None = None
) -> tuple[str, bool]:
    """Return (message, is_bug) for an exception raised while handling an interaction."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        error = error.__cause__ or error
    if isinstance(error, DomainError):
        return discord_text(error.text, client), False
    if isinstance(error, app_commands.MissingPermissions | app_commands.MissingRole):
        return "You do not have permission to use this command here.", False
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works inside a server, not in direct messages.", False
    if isinstance(error, OnCooldown):
        return error.user_message(), False
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} seconds.", False
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here.", False
    incident = new_incident_id()
    log.error("incident %s: unexpected error", incident, exc_info=error)
    return (
        f"Sorry, something went wrong on our side (incident {incident}). Nothing was changed "
        "that you need to undo; please try again, and tell an organizer the incident id "
        "if it keeps happening.",
        True,
    )


async def answer_error(interaction: discord.Interaction, error: BaseException) -> None:
    message, is_bug = user_message_for(error, interaction.client)
    METRICS.command_errors.inc(kind="bug" if is_bug else "domain")
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message for interaction %s", interaction.id)


class DeltaCrownTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command
        if command is not None and command._has_any_error_handlers():
            return  # a local handler takes precedence
        await answer_error(interaction, error)


class DomainView(discord.ui.View):
    """A view whose callbacks report errors the same way slash commands do."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        await answer_error(interaction, error)


class DomainModal(discord.ui.Modal):
    async def on_error(
        self,
        interaction: discord.Interaction[Any],
        error: Exception,
        item: discord.ui.Item[Any] | None = None,
        /,
    ) -> None:
        await answer_error(interaction, error)
