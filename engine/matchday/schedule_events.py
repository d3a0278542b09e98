"""Events of a match's schedule: reminders before it, an overdue result, a reschedule."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.kernel.events import DomainEvent, domain_event


@domain_event("match.starting_soon")
@dataclass(frozen=True, kw_only=True)
class MatchStartingSoon(DomainEvent):
    """A match starts in ``minutes_before`` minutes: its players are reminded in the match
    thread, and by direct message those who asked for it."""

    tournament_id: int
    match_id: int
    code: str
    starts_at: str
    minutes_before: int
    thread_id: int | None
    member_ids: list[int] = field(default_factory=list)
    dm_user_ids: list[int] = field(default_factory=list)


@domain_event("match.result_overdue")
@dataclass(frozen=True, kw_only=True)
class MatchResultOverdue(DomainEvent):
    """A match's result is not in by the tournament's deadline: organizers decide."""

    tournament_id: int
    match_id: int
    code: str
    status: str
    scheduled_at: str | None
    thread_id: int | None


@domain_event("match.reschedule_proposed")
@dataclass(frozen=True, kw_only=True)
class MatchRescheduleProposed(DomainEvent):
    """One side proposes a new time; the other side answers with the buttons."""

    tournament_id: int
    match_id: int
    code: str
    proposal_id: int
    proposed_by: int
    old_time: str | None
    new_time: str
    expires_at: str
    note: str | None
    thread_id: int | None
    opponent_user_ids: list[int] = field(default_factory=list)


@domain_event("match.reschedule_decided")
@dataclass(frozen=True, kw_only=True)
class MatchRescheduleDecided(DomainEvent):
    """``outcome``: accepted or overridden (the match has a new time: ``scheduled_at``),
    declined or expired (it keeps its time)."""

    tournament_id: int
    match_id: int
    code: str
    proposal_id: int
    outcome: str
    decided_by: int | None
    scheduled_at: str | None
    thread_id: int | None


@domain_event("match.lobby_posted")
@dataclass(frozen=True, kw_only=True)
class MatchLobbyPosted(DomainEvent):
    """Lobby details are in. The event never carries them: readers ask the service."""

    tournament_id: int
    match_id: int
    code: str
    posted_by: int
    replaced: bool
    thread_id: int | None
