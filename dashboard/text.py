"""Engine text as the web dashboard shows it: plain words, no Discord markup.

A command is written ``/name`` (the reader runs it in Discord), a person by the display
name the engine knew or as "user <id>" (what ``_plain`` used to write), a channel as "its
Discord thread", a moment as a date and time in UTC. The result is plain text; Jinja
escapes it in the template.
"""

from __future__ import annotations

from typing import Any

from dashboard.pages import when
from engine.kernel.text import Channel, Command, Message, Timestamp, User, render


class WebStyle:
    def __init__(self, timezone: str = "UTC") -> None:
        self.timezone = timezone

    def command(self, command: Command) -> str:
        return f"/{command.name}"

    def user(self, user: User) -> str:
        # Organizers read the dashboard: without a known name, the id still tells who.
        return user.name or f"user {user.id}"

    def channel(self, channel: Channel) -> str:
        return "its Discord thread"

    def timestamp(self, timestamp: Timestamp) -> str:
        return when(timestamp.moment, self.timezone)

    def value(self, text: str) -> str:
        return text  # escaped by Jinja's autoescape where it is shown


WEB = WebStyle()


def web_text(text: Message | str | Any, timezone: str = "UTC") -> str:
    """Engine text (a message, a marker or a plain string) for a web page."""
    if isinstance(text, str):
        return text
    return render(text, WEB if timezone == "UTC" else WebStyle(timezone))
