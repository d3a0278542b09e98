"""Events: check-in (tournament window and match check-in) and scheduled reminders.

Times are ISO-8601 strings so that payloads stay JSON. Match events carry ids only for
where to post: the notifier reads the match's current thread when it delivers them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.events.base import DomainEvent, domain_event

# --- scheduled tournament moments ------------------------------------------------------


@domain_event("tournament.registration_closing_soon")
@dataclass(frozen=True, kw_only=True)
class RegistrationClosingSoon(DomainEvent):
    tournament_id: int
    name: str
    closes_at: str
    slots_left: int
    # Entries that still have to pay before the close (they get a DM).
    unpaid_user_ids: list[int] = field(default_factory=list)


@domain_event("tournament.autostart_failed")
@dataclass(frozen=True, kw_only=True)
class TournamentAutoStartFailed(DomainEvent):
    """The start time came but the tournament could not start; organizers must act."""

    tournament_id: int
    name: str
    reason: str


# --- tournament check-in ---------------------------------------------------------------


@domain_event("checkin.opened")
@dataclass(frozen=True, kw_only=True)
class TournamentCheckInOpened(DomainEvent):
    tournament_id: int
    name: str
    closes_at: str
    participant_count: int


@domain_event("checkin.registration_checked_in")
@dataclass(frozen=True, kw_only=True)
class RegistrationCheckedIn(DomainEvent):
    tournament_id: int
    registration_id: int
    display_name: str
    actor_id: int


@domain_event("checkin.closed")
@dataclass(frozen=True, kw_only=True)
class TournamentCheckInClosed(DomainEvent):
    tournament_id: int
    name: str
    checked_in: int
    # Entries withdrawn for not checking in: [{"registration_id": 7, "name": "..."}]
    removed: list[dict] = field(default_factory=list)
    # Waitlisted entries confirmed into the freed slots, counted as present.
    promoted: list[dict] = field(default_factory=list)


# --- match check-in --------------------------------------------------------------------


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
    """Both sides checked in: the match moved to ``ready``."""

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
