"""Writing many texts of one answer (an embed, a view) in one language.

``reply(interaction, msg(…))`` writes a single message; an embed, a button or a modal has
several texts, so a cog asks once for the language and gets a :data:`Say`: a function that
writes a :class:`~engine.kernel.text.Message` (or passes a plain string through) for
Discord in that language. Private answers use the reader's language, public posts the
server's (docs/architecture.md, "Languages").
"""

from __future__ import annotations

from collections.abc import Callable

import discord

from cogs._interactions import services_of
from cogs._text import discord_text, reader_language
from engine.kernel.i18n import SOURCE_LANGUAGE
from engine.kernel.text import Message

Say = Callable[[Message | str], str]


def say_in(language: str, client: discord.Client | None = None) -> Say:
    def say(text: Message | str) -> str:
        return discord_text(text, client, language)

    return say


ENGLISH: Say = say_in(SOURCE_LANGUAGE)
"""The source language: what a renderer writes when no reader is known."""


async def reader_say(interaction: discord.Interaction) -> Say:
    """Texts for the person behind ``interaction`` (private answers)."""
    return say_in(await reader_language(interaction), interaction.client)


async def server_say(interaction: discord.Interaction) -> Say:
    """Texts for everyone in the server (public answers and posts)."""
    services = getattr(interaction.client, "services", None)
    if services is None:
        return say_in(SOURCE_LANGUAGE, interaction.client)
    language = await services_of(interaction).languages.server_language(interaction.guild_id)
    return say_in(language, interaction.client)
