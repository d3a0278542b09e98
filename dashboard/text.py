"""Engine text as the web dashboard shows it: plain words, no Discord markup.

A command is written ``/name`` (the reader runs it in Discord), a person by the display
name the engine knew or as "user <id>" (what ``_plain`` used to write), a channel as "its
Discord thread", a moment as a date and time in the server's zone. The result is plain
text; Jinja escapes it in the template.

In a language other than English the template comes from that language's catalogue and
moments and numbers are written by Babel for its locale (``engine/kernel/i18n.py``).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime

from dashboard.language import page_language
from dashboard.moments import when
from engine.kernel.i18n import SOURCE_LANGUAGE, babel_locale, catalogue
from engine.kernel.text import N_, Channel, Command, Message, Timestamp, User, render


class WebStyle:
    def __init__(self, timezone: str = "UTC", language: str = SOURCE_LANGUAGE) -> None:
        self.timezone = timezone
        self.language = language

    def command(self, command: Command) -> str:
        return f"/{command.name}"

    def user(self, user: User) -> str:
        # Organizers read the dashboard: without a known name, the id still tells who.
        if user.name:
            return user.name
        return catalogue(self.language).gettext(N_("user {id}")).format(id=user.id)

    def channel(self, channel: Channel) -> str:
        return catalogue(self.language).gettext(N_("its Discord thread"))

    def timestamp(self, timestamp: Timestamp) -> str:
        locale = babel_locale(self.language)
        if locale is None:
            return when(timestamp.moment, self.timezone)
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        written = format_datetime(timestamp.moment, "medium", tzinfo=zone, locale=locale)
        return f"{written} ({zone.key})"

    def value(self, text: str) -> str:
        return text  # escaped by Jinja's autoescape where it is shown


WEB = WebStyle()


def web_text(text: Message | str | Any, timezone: str = "UTC", language: str | None = None) -> str:
    """Engine text (a message, a marker or a plain string) for a web page in ``language``
    (by default the page's: the reader's, see ``dashboard/language.py``)."""
    if isinstance(text, str):
        return text
    if language is None:
        language = page_language()
    style = (
        WEB if (timezone, language) == ("UTC", SOURCE_LANGUAGE) else WebStyle(timezone, language)
    )
    return render(text, style, catalogue(language), babel_locale(language))
