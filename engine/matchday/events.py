"""Events: score reports, confirmations, mismatches and disputes of a match.

Scores are always in slot order ``[first side, second side]`` as stored on the match row;
reports are lists of ``{"registration_id", "reporter_id", "scores"}`` dicts so that the
payloads stay JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.kernel.events import DomainEvent, domain_event


@domain_event("score.reported")
@dataclass(frozen=True, kw_only=True)
class ScoreReported(DomainEvent):
    tournament_id: int
    match_id: int
    code: str
    report_id: int
    registration_id: int
    reporter_id: int
    scores: list[int]
    thread_id: int | None
    # The side that must confirm (None when the report decided or disputed the match).
    awaiting_registration_id: int | None
    has_screenshot: bool = False


@domain_event("score.confirmed")
@dataclass(frozen=True, kw_only=True)
class ScoreConfirmed(DomainEvent):
    tournament_id: int
    match_id: int
    code: str
    report_id: int
    confirmed_by: int
    scores: list[int]
    # "confirmed" (button), "equal_reports" (both sides reported the same score)
    how: str


@domain_event("score.mismatch")
@dataclass(frozen=True, kw_only=True)
class ScoreMismatch(DomainEvent):
    tournament_id: int
    match_id: int
    code: str
    thread_id: int | None
    reports: list[dict] = field(default_factory=list)


@domain_event("dispute.opened")
@dataclass(frozen=True, kw_only=True)
class DisputeOpened(DomainEvent):
    tournament_id: int
    dispute_id: int
    match_id: int
    code: str
    round_title: str
    reason: str
    description: str
    opened_by: int  # 0 when the bot opened it (different reports)
    registration_ids: list[int]
    match_thread_id: int | None
    reports: list[dict] = field(default_factory=list)
    evidence_count: int = 0


@domain_event("dispute.evidence_added")
@dataclass(frozen=True, kw_only=True)
class DisputeEvidenceAdded(DomainEvent):
    tournament_id: int
    dispute_id: int
    match_id: int
    evidence_id: int
    user_id: int
    thread_id: int | None
    source_message_id: int | None
    has_file: bool


@domain_event("dispute.escalated")
@dataclass(frozen=True, kw_only=True)
class DisputeEscalated(DomainEvent):
    tournament_id: int
    dispute_id: int
    match_id: int
    code: str
    thread_id: int | None
    actor_id: int
    note: str


@domain_event("dispute.resolved")
@dataclass(frozen=True, kw_only=True)
class DisputeResolved(DomainEvent):
    tournament_id: int
    dispute_id: int
    match_id: int
    code: str
    thread_id: int | None
    match_thread_id: int | None
    resolved_by: int
    resolution: str
    scores: list[int] | None
    winner_registration_id: int | None
    outcome: str | None


@domain_event("match.side_checked_in")
@dataclass(frozen=True, kw_only=True)
class MatchSideCheckedIn(DomainEvent):
    tournament_id: int
    match_id: int
    code: str
    registration_id: int
    display_name: str
    actor_id: int
    waiting_for_registration_id: int | None


@domain_event("match.checkin_complete")
@dataclass(frozen=True, kw_only=True)
class MatchCheckInComplete(DomainEvent):
    """Both sides checked in: the match went ``live``."""

    tournament_id: int
    match_id: int
    code: str
    registration_ids: list[int] = field(default_factory=list)


@domain_event("match.checkin_reminder")
@dataclass(frozen=True, kw_only=True)
class MatchCheckInReminder(DomainEvent):
    """The match check-in deadline is close and someone has not checked in."""

    tournament_id: int
    match_id: int
    code: str
    deadline: str
    missing_user_ids: list[int] = field(default_factory=list)


@domain_event("match.no_show")
@dataclass(frozen=True, kw_only=True)
class MatchNoShow(DomainEvent):
    """One side missed the check-in deadline and forfeited."""

    tournament_id: int
    match_id: int
    code: str
    forfeited_registration_id: int
    forfeited_name: str
    winner_registration_id: int
    winner_name: str


@domain_event("match.checkin_missed")
@dataclass(frozen=True, kw_only=True)
class MatchCheckInMissed(DomainEvent):
    """Neither side checked in by the deadline: organizers decide, nobody forfeits."""

    tournament_id: int
    match_id: int
    code: str
    registration_ids: list[int] = field(default_factory=list)
