"""Writing many texts of one answer (an embed, a view) in one language.

``reply(interaction, msg(…))`` writes a single message; an embed, a button or a modal has
several texts, so a cog asks once for the language and gets a :data:`Say`: a function that
writes a :class:`~engine.kernel.text.Message` (or passes a plain string through) for
Discord in that language — a :class:`cogs._text.Words`, the one implementation, named
here for the organizer cogs that take one as a parameter. Private answers use the
reader's language, public posts the server's (docs/architecture.md, "Languages").
"""

from __future__ import annotations

from collections.abc import Callable

import discord

from cogs._text import ENGLISH, Words, reader_words, server_words
from engine.kernel.text import Message

Say = Callable[[Message | str], str]

__all__ = ["ENGLISH", "Say", "reader_say", "say_in", "server_say"]


def say_in(language: str, client: discord.Client | None = None) -> Say:
    return Words(language, client)


async def reader_say(interaction: discord.Interaction) -> Say:
    """Texts for the person behind ``interaction`` (private answers)."""
    return await reader_words(interaction)


async def server_say(interaction: discord.Interaction) -> Say:
    """Texts for everyone in the server (public answers and posts)."""
    return await server_words(interaction.client, interaction.guild_id)
