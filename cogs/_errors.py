"""The one tree-level error handler.

Domain errors carry the sentence a user should read (a message key and parameters, written
for Discord by ``cogs/_text.py`` in the reader's language) and are answered ephemerally.
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
from cogs._text import discord_text, reader_language
from engine.kernel.errors import DomainError
from engine.kernel.i18n import SOURCE_LANGUAGE
from engine.kernel.metrics import METRICS
from engine.kernel.text import Message, msg

log = logging.getLogger("deltacrown.errors")


def new_incident_id() -> str:
    return secrets.token_hex(4).upper()


def user_message_for(
    error: BaseException,
    client: discord.Client | None = None,
    language: str = SOURCE_LANGUAGE,
) -> tuple[str, bool]:
    """Return (message in ``language``, is_bug) for an exception raised while handling an
    interaction."""
    text, is_bug = _explanation(error)
    return discord_text(text, client, language), is_bug


def _explanation(error: BaseException) -> tuple[Message, bool]:
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        error = error.__cause__ or error
    if isinstance(error, DomainError):
        return error.text, False
    if isinstance(error, app_commands.MissingPermissions | app_commands.MissingRole):
        return msg("You do not have permission to use this command here."), False
    if isinstance(error, app_commands.NoPrivateMessage):
        return msg("This command only works inside a server, not in direct messages."), False
    if isinstance(error, OnCooldown):
        return error.user_message(), False
    if isinstance(error, app_commands.CommandOnCooldown):
        return msg(
            "Slow down a little: try again in {seconds:.0f} seconds.", seconds=error.retry_after
        ), False
    if isinstance(error, app_commands.CheckFailure):
        return msg("You cannot use this command here."), False
    incident = new_incident_id()
    log.error("incident %s: unexpected error", incident, exc_info=error)
    return (
        msg(
            "Sorry, something went wrong on our side (incident {incident}). Nothing was "
            "changed that you need to undo; please try again, and tell an organizer the "
            "incident id if it keeps happening.",
            incident=incident,
        ),
        True,
    )


async def answer_error(interaction: discord.Interaction, error: BaseException) -> None:
    try:
        language = await reader_language(interaction)
    except Exception:  # the database may be what failed: answer in English rather than not
        log.warning("could not read the language of user %s", interaction.user.id)
        language = SOURCE_LANGUAGE
    message, is_bug = user_message_for(error, interaction.client, language)
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
