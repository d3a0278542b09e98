"""Domain errors. Each carries a :class:`~engine.kernel.text.Message`: the sentence a user
should read, as a catalogue key and parameters; cogs and the dashboard render it."""

from __future__ import annotations

from engine.kernel.text import Message, Text


class DomainError(Exception):
    """A rule said no. The text is a full sentence: what happened and what to do next.

    ``text`` is the :class:`Message` (a plain ``str`` is accepted and wrapped as a msgid
    without parameters); ``message`` is its English reference rendering, for logs and tests.
    """

    def __init__(self, text: Text) -> None:
        self.text: Message = text if isinstance(text, Message) else Message.literal(text)
        self.message = str(self.text)
        super().__init__(self.message)


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to this user)."""


class PermissionDenied(DomainError):
    """The actor may not do this."""


class InvalidInput(DomainError):
    """The values given break a rule; nothing was changed."""


class Conflict(DomainError):
    """The current state does not allow this (already done, closed, full, raced)."""


class NotConfigured(DomainError):
    """The server has not been set up for this yet."""
