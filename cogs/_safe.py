"""User-chosen text made inert before the bot interpolates it into a message.

Team names, display names, tournament names, custom-field answers and dispute reasons
are typed by members. Interpolated raw, ``<@&id>`` or ``@everyone`` would read as a
mention and ``[FREE](https://…)`` would render as a masked link under the bot's name.
The bot's default ``allowed_mentions`` is none, so a ping is already impossible; escaping
also keeps the text from *looking* like a mention or a link.
"""

from __future__ import annotations

import re
from typing import Any

import discord

# A "[" that an even number of backslashes (or none) precedes still opens a masked link.
_OPEN_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)\[")


def user_text(text: Any) -> str:
    """``text`` as it was typed, shown literally: no mentions, no markdown, no links.

    ``escape_markdown`` escapes only the first masked link it finds ("[TAG] [FREE](…)"
    keeps the second), so every remaining "[" is escaped too.
    """
    escaped = discord.utils.escape_markdown(discord.utils.escape_mentions(str(text)))
    return _OPEN_BRACKET.sub(r"\1\\[", escaped)


def pings(
    *, users: tuple[int, ...] | list[int] = (), role_id: int | None = None
) -> discord.AllowedMentions:
    """Exactly these members and this role may be pinged; nobody else, never @everyone."""
    return discord.AllowedMentions(
        everyone=False,
        users=[discord.Object(id=u) for u in dict.fromkeys(users)],
        roles=[discord.Object(id=role_id)] if role_id else [],
        replied_user=False,
    )
