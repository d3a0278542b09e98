"""The match state machine, as players and organizers see a match (pure, no I/O).

scheduled ──(both sides known)──> checkin ──(both checked in)──> live
     └──────(both known, no match check-in)──> ready ──(its time / an organizer)──┘
ready ──(first report, without match check-in)──> pending_result
live ──(first report)──> pending_result
pending_result ──(confirmed, or equal reports)──> completed
pending_result ──(different reports)──> disputed ──(organizer resolves)──> completed
checkin ──(deadline: a side missing)──> completed (forfeit)
any open state ──(organizer sets the score / disqualifies)──> completed
completed ──(result corrected, nothing depended on it)──> completed
any state but completed ──(tournament cancelled, or a reset upstream)──> cancelled / scheduled
"""

from __future__ import annotations

from enum import StrEnum

from engine.kernel.errors import Conflict
from engine.kernel.text import msg


class MatchState(StrEnum):
    SCHEDULED = "scheduled"
    CHECKIN = "checkin"
    READY = "ready"
    LIVE = "live"
    PENDING_RESULT = "pending_result"
    COMPLETED = "completed"
    DISPUTED = "disputed"
    CANCELLED = "cancelled"


S = MatchState
# A match's state as a clause of a sentence in the reader's language ("… it is {status}").
STATE_WORDS = {
    S.SCHEDULED: msg("scheduled"),
    S.CHECKIN: msg("in check-in"),
    S.READY: msg("ready"),
    S.LIVE: msg("live"),
    S.PENDING_RESULT: msg("waiting for its result"),
    S.COMPLETED: msg("completed"),
    S.DISPUTED: msg("disputed"),
    S.CANCELLED: msg("cancelled"),
}
OPEN_STATES = frozenset({S.CHECKIN, S.READY, S.LIVE, S.PENDING_RESULT, S.DISPUTED})
REPORTABLE_STATES = frozenset({S.READY, S.LIVE, S.PENDING_RESULT})

ALLOWED: dict[MatchState, frozenset[MatchState]] = {
    S.SCHEDULED: frozenset({S.CHECKIN, S.READY, S.COMPLETED, S.CANCELLED}),
    S.CHECKIN: frozenset({S.READY, S.LIVE, S.COMPLETED, S.SCHEDULED, S.CANCELLED}),
    S.READY: frozenset(
        {S.LIVE, S.PENDING_RESULT, S.COMPLETED, S.DISPUTED, S.SCHEDULED, S.CANCELLED}
    ),
    S.LIVE: frozenset({S.PENDING_RESULT, S.COMPLETED, S.DISPUTED, S.SCHEDULED, S.CANCELLED}),
    S.PENDING_RESULT: frozenset(
        {S.COMPLETED, S.DISPUTED, S.PENDING_RESULT, S.SCHEDULED, S.CANCELLED}
    ),
    S.DISPUTED: frozenset({S.COMPLETED, S.DISPUTED, S.SCHEDULED, S.CANCELLED}),
    S.COMPLETED: frozenset({S.COMPLETED, S.SCHEDULED}),
    S.CANCELLED: frozenset(),
}

_WHY = {
    S.SCHEDULED: "it is still waiting for the earlier matches that decide who plays in it",
    S.CHECKIN: "both sides have not checked in yet",
    S.COMPLETED: "its result is already final",
    S.DISPUTED: "it is under dispute; an organizer will settle it in the dispute thread",
    S.CANCELLED: "it was cancelled",
}


class IllegalTransition(Conflict):
    pass


def transition(code: str, current: MatchState | str, target: MatchState | str) -> MatchState:
    """Return ``target`` if a match in ``current`` may move there; raise otherwise."""
    current, target = MatchState(current), MatchState(target)
    if target in ALLOWED[current]:
        return target
    reason = _WHY.get(current, f"it is {current.value.replace('_', ' ')}")
    raise IllegalTransition(
        msg("Match {code} cannot change now: {reason}.", code=code, reason=reason)
    )
