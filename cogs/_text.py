"""Engine text as Discord shows it.

The engine hands over :class:`~engine.kernel.text.Message` values (a catalogue key and
parameters); this module writes them for Discord: a command becomes its clickable mention
``</name:id>`` once the command ids are known (after a sync or fetch), else ``/name``; a
person ``<@id>``; a channel ``<#id>``; a moment Discord's own ``<t:…:R>``. Plain values —
often typed by users (team names, reasons) — are escaped so they cannot format the reply or
ping anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import discord

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
        return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


DISCORD = DiscordStyle()


def discord_text(text: Message | str | Any, client: discord.Client | None = None) -> str:
    """Engine text (a message, a marker or a plain string) written for Discord; with the
    ``client``, commands it has learned ids for become clickable mentions."""
    if isinstance(text, str):
        return text
    ids = getattr(client, "command_ids", None)
    return render(text, DiscordStyle(ids) if ids else DISCORD)
