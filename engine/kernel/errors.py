"""Domain errors. Each carries the sentence a user should read; cogs show it as is."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. ``message`` is a full sentence: what happened and what to do next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
