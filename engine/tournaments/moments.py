"""Reaction moments of a tournament's lifecycle (see :mod:`engine.kernel.events`).

The tournament domain sits below entries and money in the domain order; these are the
moments where those domains must act in the same transaction. The composition root
(``engine.services``) registers their handlers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TournamentCancelling:
    """Every active entry was just cancelled; handlers refund what was paid and return the
    number of payments they refunded."""

    tournament_id: int
    actor_id: int
    reason: str


@dataclass(frozen=True)
class EntryFeeWaived:
    """An edit made the tournament free: entries still waiting to pay owe nothing."""

    tournament_id: int
    actor_id: int


@dataclass(frozen=True)
class SlotsAdded:
    """An edit raised ``max_participants``: new slots go to the waitlist first."""

    tournament_id: int


@dataclass(frozen=True)
class MatchScheduleChanged:
    """An edit changed the round times, reminders or result deadline of a running event:
    ``engine.brackets`` gives every unfinished match its new time and moves its timers."""

    tournament_id: int


@dataclass(frozen=True)
class TournamentCloning:
    """A new draft was just made from ``source_tournament_id`` (``/tournament clone``):
    the domains above copy what they own of its configuration in the same transaction
    (awards: certificate settings; sponsors: its sponsors)."""

    guild_id: int
    source_tournament_id: int
    tournament_id: int
