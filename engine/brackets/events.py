"""Events: match day — the bracket starts, matches become ready and complete, the
tournament ends. Times are ISO-8601 strings so that payloads stay JSON."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.kernel.events import DomainEvent, domain_event


@domain_event("tournament.started")
@dataclass(frozen=True, kw_only=True)
class TournamentStarted(DomainEvent):
    tournament_id: int
    name: str
    format: str
    participant_count: int
    actor_id: int | None


@domain_event("match.ready")
@dataclass(frozen=True, kw_only=True)
class MatchReady(DomainEvent):
    tournament_id: int
    match_id: int
    code: str
    round_title: str
    best_of: int
    registration_ids: list[int]
    checkin_deadline: str | None = None


@domain_event("match.live")
@dataclass(frozen=True, kw_only=True)
class MatchLive(DomainEvent):
    """A match is being played. ``how``: checked_in (both sides are here),
    scheduled_time (its time came) or organizer (started by hand)."""

    tournament_id: int
    match_id: int
    code: str
    how: str
    thread_id: int | None = None


@domain_event("match.completed")
@dataclass(frozen=True, kw_only=True)
class MatchCompleted(DomainEvent):
    tournament_id: int
    match_id: int
    code: str
    round_title: str
    winner_registration_id: int | None
    loser_registration_id: int | None
    scores: list[int] | None
    outcome: str
    automatic: bool
    bracket_version: int


@domain_event("match.reset")
@dataclass(frozen=True, kw_only=True)
class MatchReset(DomainEvent):
    """A match went back to waiting because a result it depended on was corrected."""

    tournament_id: int
    match_id: int
    code: str
    # The thread of the pairing that was reset (the next pairing gets a new one).
    thread_id: int | None = None


@domain_event("tournament.completed")
@dataclass(frozen=True, kw_only=True)
class TournamentCompleted(DomainEvent):
    tournament_id: int
    name: str
    # [{"registration_id": 7, "place": 1, "name": "...", "prize_coins": 500, "prize_minor": 0}]
    placings: list[dict] = field(default_factory=list)


@domain_event("tournament.seeding_changed")
@dataclass(frozen=True, kw_only=True)
class SeedingChanged(DomainEvent):
    tournament_id: int
    method: str
    # Registration ids in seed order for manual seeding; empty when decided at the start.
    order: list[int] = field(default_factory=list)
    actor_id: int | None = None


@domain_event("tournament.seeds_swapped")
@dataclass(frozen=True, kw_only=True)
class SeedsSwapped(DomainEvent):
    tournament_id: int
    registration_a_id: int
    registration_b_id: int
    # True when the bracket already existed and its matches were redrawn.
    bracket_rebuilt: bool
    actor_id: int | None = None
