"""Jinja2 templates and the few formatting filters they use.

Pages are written in the reader's language (``dashboard/language.py`` chooses it per
request): a template writes its words as ``{{ _("Tournaments") }}`` or with values,
``{{ _("{count} of {most}", count=n, most=m) }}`` (catalogue templates, extracted by
``make messages``), and the filters write dates, times and amounts by Babel for the
locale. English pages are exactly what they were.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from aiohttp import web
from babel.dates import format_datetime
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from dashboard.language import LANGUAGES, current, page_language
from dashboard.moments import clock, when
from dashboard.text import web_text
from engine.kernel.i18n import babel_locale, catalogue
from engine.kernel.text import N_, Message
from engine.tournaments import FORMAT_NAMES, STATUS_NAMES, format_money
from storage.models.enums import TournamentStatus

# The English labels status_label and format_label write, for the catalogue.
LABELS = (
    N_("Draft"),
    N_("Published"),
    N_("Open for registration"),
    N_("Closed for registration"),
    N_("Live"),
    N_("Completed"),
    N_("Archived"),
    N_("Cancelled"),
    N_("Single elimination"),
    N_("Double elimination"),
    N_("Round robin"),
    N_("Swiss"),
    N_("Groups and playoff"),
    # The steps of the organizer's funnel (engine/stats/tournaments.py).
    N_("Published tournaments"),
    N_("Registered"),
    N_("Paid or confirmed"),
    N_("Checked in"),
    N_("Played a match"),
)


# The states humanize writes (registration, payment, prize, dispute, tournament), for
# the catalogue: a Bangla page shows them in Bangla, an unknown one as it is.
STATE_WORDS = (
    N_("draft"),
    N_("published"),
    N_("registration open"),
    N_("registration closed"),
    N_("live"),
    N_("completed"),
    N_("archived"),
    N_("cancelled"),
    N_("awaiting payment"),
    N_("payment review"),
    N_("confirmed"),
    N_("waitlisted"),
    N_("withdrawn"),
    N_("disqualified"),
    N_("rejected"),
    N_("expired"),
    N_("submitted"),
    N_("approved"),
    N_("refunded"),
    N_("refund pending"),
    N_("waived"),
    N_("free"),
    N_("unpaid"),
    N_("open"),
    N_("escalated"),
    N_("resolved"),
    # The CSV files organizers download (engine/stats/exports.py ExportKind).
    N_("results"),
    N_("standings"),
    N_("placings"),
    N_("payments"),
)


def status_label(status: str) -> str:
    try:
        return STATUS_NAMES[TournamentStatus(status)].removeprefix("a ").capitalize()
    except ValueError:
        return status.replace("_", " ").capitalize()


def money(minor: int, currency: str) -> str:
    return format_money(minor, currency)


def format_label(name: str) -> str:
    return FORMAT_NAMES.get(name, name.replace("_", " ").capitalize())


def humanize(text: str) -> str:
    return text.replace("_", " ")


CHANGE_SHOWN = 240


def change_text(value: object) -> str:
    """An audit entry's before/after as readable JSON (names in their own script), cut
    short on the page; the CSV download has it whole."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= CHANGE_SHOWN else text[: CHANGE_SHOWN - 1] + "…"


def is_http_url(value: object) -> bool:
    """Organizer-typed links become anchors only when they are plain web addresses."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# ---------------------------------------------------------------- in the page's language
def translate(msgid: str, /, **values: Any) -> Markup:
    """A template's words in the page's language, with ``values`` filled in (numbers
    with a format spec by Babel for the locale, as in every other surface).

    The catalogue's text is ours; the values are escaped unless they are markup already
    (``{% set who %}<strong>{{ name }}</strong>{% endset %}``), so a sentence can keep
    its emphasis without being cut into pieces a translator cannot reorder."""
    safe = {
        key: value if isinstance(value, Markup) or not isinstance(value, str) else escape(value)
        for key, value in values.items()
    }
    return Markup(web_text(Message(msgid, safe)))


def _localized_when(moment: datetime | None, timezone: str = "UTC") -> str:
    locale = babel_locale(page_language())
    if locale is None:
        return when(moment, timezone)
    if moment is None:
        return translate(N_("not set"))
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone, timezone = ZoneInfo("UTC"), "UTC"
    written = format_datetime(moment, "EEE d MMM y, HH:mm", tzinfo=zone, locale=locale)
    return f"{written} ({timezone})"


def _localized_clock(moment: datetime | None, timezone: str = "UTC") -> str:
    locale = babel_locale(page_language())
    if locale is None:
        return clock(moment, timezone)
    if moment is None:
        return translate(N_("When ready"))
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return str(format_datetime(moment, "EEE d MMM, HH:mm", tzinfo=zone, locale=locale))


def _localized_status(status: str) -> str:
    return catalogue(page_language()).gettext(status_label(status))


def _localized_format(name: str) -> str:
    return catalogue(page_language()).gettext(format_label(name))


def _localized_label(text: str) -> str:
    """A label the engine wrote in English (one of ``LABELS``), in the page's language."""
    return catalogue(page_language()).gettext(text)


def _localized_humanize(text: str) -> str:
    return catalogue(page_language()).gettext(humanize(text))


def _localized_money(minor: int, currency: str) -> str:
    locale = babel_locale(page_language())
    if locale is None:
        return money(minor, currency)
    major, cents = divmod(minor, 100)
    amount = format_decimal(major, locale=locale)
    return f"{amount}.{cents:02d} {currency}" if cents else f"{amount} {currency}"


def number(value: int) -> str:
    """A count or amount grouped for the page's locale (1,234; Bangla 12,34,567)."""
    locale = babel_locale(page_language())
    return f"{value:,}" if locale is None else str(format_decimal(value, locale=locale))


def build_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dashboard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        when=_localized_when,
        clock=_localized_clock,
        status_label=_localized_status,
        money=_localized_money,
        format_label=_localized_format,
        humanize=_localized_humanize,
        tr=_localized_label,
        change=change_text,
        number=number,
    )
    env.globals.update(_=translate, LANGUAGES=LANGUAGES)
    env.tests["http_url"] = is_http_url
    return env


class Templates:
    def __init__(self) -> None:
        self.env = build_environment()

    def html(self, name: str, **context: Any) -> str:
        """The page as text, for callers that keep it (public pages, see dashboard/reads.py).

        In the page's language (``lang``), with ``here`` for the language switch."""
        page = current()
        return self.env.get_template(name).render(
            **{"lang": page.language, "here": page.path, **context}
        )

    def render(
        self, name: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any
    ) -> web.Response:
        body = self.html(name, **context)
        return web.Response(
            text=body, status=status, content_type="text/html", charset="utf-8", headers=headers
        )
