"""Engine text as Discord shows it.

The engine hands over :class:`~engine.kernel.text.Message` values (a catalogue key and
parameters); this module writes them for Discord: a command becomes its clickable mention
``</name:id>`` once the command ids are known (after a sync or fetch), else ``/name``; a
person ``<@id>``; a channel ``<#id>``; a moment Discord's own ``<t:…:R>``. Plain values —
often typed by users (team names, reasons) — are escaped so they cannot format the reply or
ping anyone.

Text is written in a language: :func:`discord_text` looks the template up in that
language's catalogue (``engine/kernel/i18n.py``) and formats numbers and dates for it;
:func:`reader_language` says which language the person behind an interaction reads
(their choice → their Discord locale when we translate it → the server's → English).
Public messages use the server's language (``LanguageService.server_language``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import discord

from cogs._safe import user_text
from engine.brackets import round_title_text
from engine.guilds import LanguageService
from engine.kernel.i18n import SOURCE_LANGUAGE, babel_locale, catalogue
from engine.kernel.text import (
    Channel,
    Command,
    Message,
    Timestamp,
    User,
    render,
)


def remember_commands(
    client: discord.Client, commands: Iterable[discord.app_commands.AppCommand]
) -> None:
    """Learn command ids from what ``tree.sync()`` / ``tree.fetch_commands()`` returned."""
    ids: dict[str, int] = getattr(client, "command_ids", None) or {}
    ids.update({command.name: command.id for command in commands})
    client.command_ids = ids  # type: ignore[attr-defined]


class DiscordStyle:
    def __init__(self, command_ids: Mapping[str, int] | None = None) -> None:
        # Top-level command name ("tournament") -> its application command id.
        self.command_ids = command_ids or {}

    def command(self, command: Command) -> str:
        command_id = self.command_ids.get(command.name.split(" ", 1)[0])
        if command_id is None:
            return f"/{command.name}"
        return f"</{command.name}:{command_id}>"

    def user(self, user: User) -> str:
        return f"<@{user.id}>"

    def channel(self, channel: Channel) -> str:
        return f"<#{channel.id}>"

    def timestamp(self, timestamp: Timestamp) -> str:
        return f"<t:{int(timestamp.moment.timestamp())}:{timestamp.style}>"

    def value(self, text: str) -> str:
        # The same escaping as every other place user text is shown (cogs/_safe.py).
        return user_text(text)


DISCORD = DiscordStyle()


def discord_text(
    text: Message | str | Any,
    client: discord.Client | None = None,
    language: str = SOURCE_LANGUAGE,
) -> str:
    """Engine text (a message, a marker or a plain string) written for Discord in
    ``language``; with the ``client``, commands it has learned ids for become clickable
    mentions."""
    if isinstance(text, str):
        return text
    ids = getattr(client, "command_ids", None)
    style = DiscordStyle(ids) if ids else DISCORD
    return render(text, style, catalogue(language), babel_locale(language))


async def reader_language(interaction: discord.Interaction) -> str:
    """The language of private answers to this interaction's user."""
    services = getattr(interaction.client, "services", None)
    if services is None:  # a bare client (no engine behind it) speaks the source language
        return SOURCE_LANGUAGE
    languages: LanguageService = services.languages
    return await languages.reader_language(
        interaction.user.id, interaction.guild_id, str(interaction.locale.value)
    )


def moment(when: Any, style: str = "F") -> Message:
    """A moment as its date and how far away it is: ``<t:…:F> (<t:…:R>)``. No words, so
    nothing to translate (it is not a catalogue entry)."""
    return Message(
        "{date} ({relative})", {"date": Timestamp(when, style), "relative": Timestamp(when)}
    )


def match_title(round_title: str, code: str) -> Message:
    """``Semifinals · W1-2``, the round in the reader's language."""
    return Message("{round} · {code}", {"round": round_title_text(round_title), "code": code})


@dataclass(frozen=True)
class Words:
    """Engine text written in one language for Discord: ``words(msg("…"))``. Used for
    the pieces of a message other than its content (embed titles and fields, button
    labels, modal titles, select options), which must be in the same language."""

    language: str = SOURCE_LANGUAGE
    client: discord.Client | None = None

    def __call__(self, text: Message | str | Any) -> str:
        return discord_text(text, self.client, self.language)


ENGLISH = Words()


async def reader_words(interaction: discord.Interaction) -> Words:
    """Private text for the person behind ``interaction`` (replies, modals)."""
    return Words(await reader_language(interaction), interaction.client)


async def server_words(client: discord.Client, guild_id: int | None) -> Words:
    """Public text in a server (announcements, thread posts, buttons on them)."""
    services = getattr(client, "services", None)
    if services is None:
        return Words(SOURCE_LANGUAGE, client)
    languages: LanguageService = services.languages
    return Words(await languages.server_language(guild_id), client)
