"""When matches are played: the schedule of rounds, each match's time and its timers
(docs/architecture.md, "Durable time").

A tournament lists the start times of its first rounds (``round_times``) and an interval
for the rounds after the last one listed; without times a match is played as soon as
both sides are known. Every engine match has a *schedule round*: its round, counted over
the whole event (a group stage's rounds come before the playoff's; a losers-bracket round
is played beside the next winners round, the grand final after the last losers round).

A match's timers are planned when it opens (both sides known) and moved when its time
moves (a schedule edit, an accepted reschedule): the reminders before it
(``match:<id>:remind:<minutes>``), its start (``match:<id>:start``, a READY match goes
LIVE) and the overdue-result notice (``match:<id>:overdue``). Their handlers live in
``engine.matchday.schedule``. A reminder that already fired for the same moment is never
planned again, so an unrelated edit repeats nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.brackets.events import MatchLive
from engine.brackets.states import MatchState, transition
from engine.formats import Bracket
from engine.formats import Match as EngineMatch
from engine.kernel.timers import plan_timers
from engine.kernel.uow import UnitOfWork
from storage.models import MatchRow, Tournament

MATCH_START_TIMER = "match.start"
MATCH_DUE_REMINDER_TIMER = "match.reminder"
MATCH_OVERDUE_TIMER = "match.result_overdue"
DEFAULT_REMINDERS = (60, 15)

# States in which a match is still waiting to be played (reminders make sense).
WAITING = frozenset({MatchState.CHECKIN, MatchState.READY})
# States in which a result is still missing (an overdue notice makes sense).
UNDECIDED = frozenset(
    {MatchState.CHECKIN, MatchState.READY, MatchState.LIVE, MatchState.PENDING_RESULT}
)


# --- the schedule (pure) --------------------------------------------------------------


def _stage_round(match: EngineMatch, last_loser: int | None, first_final: int) -> int:
    if match.side == "losers":
        return match.round + 1
    if match.side == "grand_final":
        return (last_loser + 1 if last_loser is not None else 0) + match.round - first_final + 1
    return match.round


def schedule_rounds(bracket: Bracket) -> dict[str, int]:
    """Every match's round counted over the whole event, from 1 (one pass for all)."""
    by_stage: dict[str, list[EngineMatch]] = {}
    for m in bracket.matches.values():
        by_stage.setdefault(m.stage, []).append(m)
    rounds: dict[str, int] = {}
    offset = 0
    for matches in by_stage.values():
        losers = [m.round for m in matches if m.side == "losers"]
        finals = [m.round for m in matches if m.side == "grand_final"]
        last_loser, first_final = (max(losers) if losers else None), min(finals, default=0)
        stage_rounds = {m.id: _stage_round(m, last_loser, first_final) for m in matches}
        rounds.update({code: offset + r for code, r in stage_rounds.items()})
        offset += max(stage_rounds.values())
    return rounds


def schedule_round(bracket: Bracket, match: EngineMatch) -> int:
    """The match's round counted over the whole event, from 1."""
    return schedule_rounds(bracket)[match.id]


def round_time(tournament: Tournament, ordinal: int) -> datetime | None:
    """When schedule round ``ordinal`` (from 1) starts, or None: as soon as ready."""
    times = [datetime.fromisoformat(t) for t in tournament.round_times or ()]
    if not times:
        return None
    if ordinal <= len(times):
        return times[ordinal - 1]
    if tournament.round_interval_minutes <= 0:
        return None
    extra = ordinal - len(times)
    return times[-1] + timedelta(minutes=tournament.round_interval_minutes * extra)


def match_time(tournament: Tournament, bracket: Bracket, match: EngineMatch) -> datetime | None:
    return round_time(tournament, schedule_round(bracket, match))


def match_times(tournament: Tournament, bracket: Bracket) -> dict[str, datetime | None]:
    """Every match's time (one pass over the bracket)."""
    return {code: round_time(tournament, r) for code, r in schedule_rounds(bracket).items()}


def reminder_minutes(tournament: Tournament) -> tuple[int, ...]:
    if tournament.reminder_minutes is None:
        return DEFAULT_REMINDERS
    return tuple(tournament.reminder_minutes)


def checkin_deadline(tournament: Tournament, row: MatchRow, now: datetime) -> datetime:
    """Both sides check in by the match's time plus the check-in minutes (or from now,
    when the match has no time or opens late)."""
    start = max(now, row.scheduled_at) if row.scheduled_at is not None else now
    return start + timedelta(minutes=tournament.match_checkin_minutes)


# --- timers -----------------------------------------------------------------------------


PLANNED_KINDS = frozenset({MATCH_START_TIMER, MATCH_DUE_REMINDER_TIMER, MATCH_OVERDUE_TIMER})


async def plan_match_timers(uow: UnitOfWork, tournament: Tournament, row: MatchRow) -> None:
    """(Re)plan an open match's reminders, start and overdue notice from its time."""
    now = uow.clock.now()
    state = MatchState(row.status)
    when = row.scheduled_at
    key = f"match:{row.id}:"
    plan: dict[str, tuple[str, datetime]] = {}
    if when is not None and state in WAITING:
        for minutes in reminder_minutes(tournament):
            due = when - timedelta(minutes=minutes)
            if due > now:
                plan[f"{key}remind:{minutes}"] = (MATCH_DUE_REMINDER_TIMER, due)
    if when is not None and when > now and state is MatchState.READY:
        plan[f"{key}start"] = (MATCH_START_TIMER, when)
    if tournament.result_deadline_minutes > 0 and state in UNDECIDED:
        base = max(now, when) if when is not None else (row.ready_at or now)
        due = base + timedelta(minutes=tournament.result_deadline_minutes)
        plan[f"{key}overdue"] = (MATCH_OVERDUE_TIMER, due)
    await plan_timers(
        uow,
        prefix=key,
        kinds=PLANNED_KINDS,
        plan=plan,
        payload={"match_id": row.id},
        guild_id=row.guild_id,
    )


def go_live(uow: UnitOfWork, tournament: Tournament, row: MatchRow, how: str) -> None:
    """Move an open match to LIVE (``how``: checked_in, scheduled_time, organizer)."""
    row.status = transition(row.code, row.status, MatchState.LIVE).value
    row.live_at = row.updated_at = uow.clock.now()
    uow.emit(
        MatchLive(
            guild_id=row.guild_id,
            tournament_id=tournament.id,
            match_id=row.id,
            code=row.code,
            how=how,
            thread_id=row.thread_id,
        )
    )
