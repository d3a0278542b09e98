"""Engine text without Discord: a message is a catalogue key plus parameters.

The engine never writes a mention, a channel link, a Discord timestamp or a slash command
into a sentence. It writes a :class:`Message`: the English template (a gettext msgid with
named ``{placeholders}``) and the values for those placeholders. Values are plain (a
tournament's name, a count) or typed markers that each surface renders its own way:

- :class:`Command` — a slash command (``Command("tournament edit")``);
- :class:`User` — a person, by Discord user id;
- :class:`Channel` — a channel or thread, by id;
- :class:`Timestamp` — a moment, with a Discord-style format letter.

A parameter may itself be a :class:`Message` (a clause chosen at run time).

Mark every template with :func:`msg` (or :func:`N_` for a bare template kept in a
constant, :func:`nmsg` for one with a singular and a plural form) so ``pybabel extract``
finds it: the English catalogue ``locale/messages.pot`` is extracted from these calls
(``make messages``); the translations live beside it (``locale/<lang>/LC_MESSAGES``) and
are loaded by :mod:`engine.kernel.i18n`.

A surface renders in a language by passing that language's :class:`Catalogue` (the
template is looked up there, then the parameters filled in) and its locale (numbers with
a format spec, decimals and plain dates are written by Babel for that locale; ids and
counts without a spec stay as they are, and Discord timestamps stay Discord's).

Rendering is a :class:`Style`: the Discord one lives in ``cogs/_text.py``, the web one in
``dashboard/text.py``. :data:`REFERENCE` is the engine's own English form, used by
``str(message)`` and ``DomainError.message`` for logs and tests: commands as ``/name``,
people, channels and moments in Discord's notation (ids, not names).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

# -- markers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """A slash command by its qualified name, e.g. ``"tournament edit"`` (no slash)."""

    name: str


@dataclass(frozen=True)
class User:
    """A person by Discord user id; ``name`` when the engine already knows a display name."""

    id: int
    name: str | None = None


@dataclass(frozen=True)
class Channel:
    """A channel or thread by id."""

    id: int


@dataclass(frozen=True)
class Timestamp:
    """A moment. ``style`` is Discord's letter: R relative, f/F date and time, d/D date, t/T
    time."""

    moment: datetime
    style: str = "R"


Marker = Command | User | Channel | Timestamp


def _reference_str(self: Marker) -> str:
    return render_value(self, REFERENCE)


# A marker that lands in a plain f-string by mistake still reads as before, not as a repr.
for _marker in (Command, User, Channel, Timestamp):
    _marker.__str__ = _reference_str  # type: ignore[assignment,method-assign]


# -- the message ------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A gettext msgid (English, ``{named}`` placeholders) and its parameters."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    # A message with a plural form: the English plural template and the number that
    # chooses between the forms (each language has its own rule, in its catalogue).
    plural: str | None = None
    n: int = 1

    @classmethod
    def literal(cls, text: str) -> Message:
        """A sentence that is not (yet) in the catalogue, shown as is."""
        return cls(text.replace("{", "{{").replace("}", "}}"))

    def render(
        self, style: Style, catalogue: Catalogue | None = None, locale: str | None = None
    ) -> str:
        return render(self, style, catalogue, locale)

    def __str__(self) -> str:
        return render(self, REFERENCE)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    # A clause built in steps (``advice += msg(...)``) stays a message.
    def __add__(self, other: object) -> Message:
        if not isinstance(other, Message | str):
            return NotImplemented
        return Message("{head}{tail}", {"head": self, "tail": other})

    def __radd__(self, other: object) -> Message:
        if not isinstance(other, str):
            return NotImplemented
        return Message("{head}{tail}", {"head": other, "tail": self})


def msg(msgid: str, /, **params: Any) -> Message:
    """A message to show a person. ``msgid`` must be a literal for the catalogue."""
    return Message(msgid, params)


def nmsg(singular: str, plural: str, n: int, /, **params: Any) -> Message:
    """A message whose wording depends on the number ``n`` (``{n}`` may appear in it):
    English picks ``singular`` for 1, other languages follow their catalogue's plural rule.
    """
    return Message(singular, {"n": n, **params}, plural=plural, n=n)


def N_(msgid: str) -> str:
    """Marks a template kept in a constant for extraction; returns it unchanged."""
    return msgid


Text = str | Message
"""What the engine hands a surface: a message, or (still) a plain string."""


# -- rendering --------------------------------------------------------------------------


class Style(Protocol):
    """How one surface writes each kind of parameter."""

    def command(self, command: Command) -> str: ...

    def user(self, user: User) -> str: ...

    def channel(self, channel: Channel) -> str: ...

    def timestamp(self, timestamp: Timestamp) -> str: ...

    def value(self, text: str) -> str:
        """A plain value (often typed by a user): escaped for the surface."""
        ...


class ReferenceStyle:
    """The engine's English form for logs and tests (and the fallback of other styles)."""

    def command(self, command: Command) -> str:
        return f"/{command.name}"

    def user(self, user: User) -> str:
        return f"<@{user.id}>"

    def channel(self, channel: Channel) -> str:
        return f"<#{channel.id}>"

    def timestamp(self, timestamp: Timestamp) -> str:
        return f"<t:{int(timestamp.moment.timestamp())}:{timestamp.style}>"

    def value(self, text: str) -> str:
        return text


REFERENCE = ReferenceStyle()


class Catalogue(Protocol):
    """A language's translations (``gettext.NullTranslations`` and Babel's fit)."""

    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


class _Formatter(string.Formatter):
    def __init__(self, style: Style, catalogue: Catalogue | None, locale: str | None) -> None:
        self.style = style
        self.catalogue = catalogue
        self.locale = locale

    def format_field(self, value: Any, format_spec: str) -> str:
        return render_value(value, self.style, self.catalogue, format_spec, self.locale)


def _localized(value: Any, format_spec: str, locale: str) -> str | None:
    """``value`` written by Babel for ``locale``, or None to keep Python's own format.

    Whole numbers without a format spec are ids and counts (``#1234``): they stay as they
    are. A spec such as ``{amount:,}`` asks for grouping, which each locale writes its own
    way (Bangla groups by lakh: 12,34,567)."""
    from babel.dates import format_date, format_datetime
    from babel.numbers import format_decimal

    if isinstance(value, bool):
        return None
    if isinstance(value, int) and format_spec in (",", ",d"):
        return str(format_decimal(value, locale=locale))
    if isinstance(value, float | Decimal) and format_spec in ("", ","):
        return str(format_decimal(value, locale=locale))
    if isinstance(value, datetime) and not format_spec:
        return str(format_datetime(value, "medium", locale=locale))
    if isinstance(value, date) and not format_spec:
        return str(format_date(value, "medium", locale=locale))
    return None


def render_value(
    value: Any,
    style: Style,
    catalogue: Catalogue | None = None,
    format_spec: str = "",
    locale: str | None = None,
) -> str:
    """One parameter (or a whole message) as ``style`` writes it."""
    if isinstance(value, Message):
        return format(render(value, style, catalogue, locale), format_spec)
    if isinstance(value, Command):
        return style.command(value)
    if isinstance(value, User):
        return style.user(value)
    if isinstance(value, Channel):
        return style.channel(value)
    if isinstance(value, Timestamp):
        return style.timestamp(value)
    if isinstance(value, list | tuple):  # several people, commands…: "a, b, c"
        return ", ".join(render_value(item, style, catalogue, "", locale) for item in value)
    if locale is not None:
        localized = _localized(value, format_spec, locale)
        if localized is not None:
            return style.value(localized)
    return style.value(format(value, format_spec))


def render(
    text: Message | str | Marker,
    style: Style,
    catalogue: Catalogue | None = None,
    locale: str | None = None,
) -> str:
    """``text`` for one surface. ``catalogue`` is the reader's language (None: the English
    source); ``locale`` (a Babel locale such as ``"bn"``) writes numbers and dates for it
    (None: Python's own format, as the English source always was)."""
    if isinstance(text, str):
        return text
    if not isinstance(text, Message):
        return render_value(text, style, catalogue, "", locale)
    if text.plural is not None:
        if catalogue is not None:
            template = catalogue.ngettext(text.msgid, text.plural, text.n)
        else:
            template = text.msgid if text.n == 1 else text.plural
    elif catalogue is not None and text.msgid:
        template = catalogue.gettext(text.msgid)
    else:
        template = text.msgid
    return _Formatter(style, catalogue, locale).vformat(template, (), dict(text.params))
