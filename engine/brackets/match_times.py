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

from sqlalchemy import select

from engine.brackets.events import MatchLive
from engine.brackets.states import MatchState, transition
from engine.formats import Bracket
from engine.formats import Match as EngineMatch
from engine.kernel.timers import cancel_timers, schedule_timer
from engine.kernel.uow import UnitOfWork
from storage.models import MatchRow, Timer, Tournament

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


def _stage_round(match: EngineMatch, in_stage: list[EngineMatch]) -> int:
    if match.side == "losers":
        return match.round + 1
    if match.side == "grand_final":
        losers = [m.round for m in in_stage if m.side == "losers"]
        finals = [m.round for m in in_stage if m.side == "grand_final"]
        return (max(losers) + 1 if losers else 0) + match.round - min(finals) + 1
    return match.round


def schedule_round(bracket: Bracket, match: EngineMatch) -> int:
    """The match's round counted over the whole event, from 1."""
    by_stage: dict[str, list[EngineMatch]] = {}
    for m in bracket.matches.values():
        by_stage.setdefault(m.stage, []).append(m)
    offset = 0
    for stage, matches in by_stage.items():
        if stage == match.stage:
            break
        offset += max(_stage_round(m, matches) for m in matches)
    return offset + _stage_round(match, by_stage[match.stage])


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


def _key(row: MatchRow, what: str) -> str:
    return f"match:{row.id}:{what}"


async def _fired_for(uow: UnitOfWork, key: str, due: datetime) -> bool:
    fired = await uow.session.scalars(
        select(Timer.due_at).where(Timer.key == key, Timer.fired_at.is_not(None))
    )
    return any(moment == due for moment in fired)


async def _plan(uow: UnitOfWork, row: MatchRow, kind: str, what: str, due: datetime | None) -> None:
    key = _key(row, what)
    if due is None or await _fired_for(uow, key, due):
        await cancel_timers(uow, key=key)
        return
    await schedule_timer(
        uow, kind=kind, key=key, due_at=due, payload={"match_id": row.id}, guild_id=row.guild_id
    )


async def plan_match_timers(uow: UnitOfWork, tournament: Tournament, row: MatchRow) -> None:
    """(Re)plan an open match's reminders, start and overdue notice from its time."""
    now = uow.clock.now()
    state = MatchState(row.status)
    when = row.scheduled_at
    await cancel_timers(uow, prefix=_key(row, "remind:"))
    if when is not None and state in WAITING:
        for minutes in reminder_minutes(tournament):
            due = when - timedelta(minutes=minutes)
            if due > now:
                await _plan(uow, row, MATCH_DUE_REMINDER_TIMER, f"remind:{minutes}", due)
    start = when if when is not None and when > now and state is MatchState.READY else None
    await _plan(uow, row, MATCH_START_TIMER, "start", start)
    overdue = None
    if tournament.result_deadline_minutes > 0 and state in UNDECIDED:
        base = max(now, when) if when is not None else (row.ready_at or now)
        overdue = base + timedelta(minutes=tournament.result_deadline_minutes)
    await _plan(uow, row, MATCH_OVERDUE_TIMER, "overdue", overdue)


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
