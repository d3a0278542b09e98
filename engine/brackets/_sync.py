"""The match rows follow the bracket: after every action the engine's matches are
projected onto ``matches`` rows (created, re-paired, opened, completed or reset), with
the check-in timers and the events players see. Called by ``store.apply_action`` and
``store.correct_result`` in the caller's transaction; ``store.py`` keeps the bracket
itself (its state, replay and stored actions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select

from engine.brackets.events import MatchCompleted, MatchReady, MatchReset
from engine.brackets.match_times import (
    checkin_deadline,
    go_live,
    match_times,
    plan_match_timers,
)
from engine.brackets.states import MatchState, transition
from engine.formats import (
    Bracket,
    MatchStatus,
)
from engine.formats import Match as EngineMatch
from engine.kernel.timers import cancel_timers, schedule_timer
from engine.kernel.uow import UnitOfWork
from storage.models import (
    MatchReport,
    MatchRow,
    Tournament,
)

MATCH_CHECKIN_TIMER = "match.checkin_deadline"


MATCH_REMINDER_TIMER = "match.checkin_reminder"


MATCH_REMINDER_BEFORE = timedelta(minutes=10)


@dataclass(frozen=True)
class MatchClosedByBracket:
    """Reaction moment: a match's open disputes no longer make sense (the bracket reset it
    after a correction, or decided it by walkover); ``engine.matchday`` closes them."""

    match: MatchRow
    resolution: str


@dataclass
class Applied:
    """What one action changed, for the caller's reply."""

    bracket: Bracket
    completed: list[MatchRow] = field(default_factory=list)
    ready: list[MatchRow] = field(default_factory=list)
    reset: list[MatchRow] = field(default_factory=list)
    tournament_completed: bool = False
    # Results taken back (corrected or reset): (registration A, registration B, Elo delta).
    unrated: list[tuple[int | None, int | None, int]] = field(default_factory=list)
    # Match id -> the thread of the pairing that was reset, for the notifier to close.
    old_threads: dict[int, int | None] = field(default_factory=dict)


async def _rows_by_code(
    uow: UnitOfWork, tournament_id: int, codes: set[str] | None = None
) -> dict[str, MatchRow]:
    if codes is None:
        query = select(MatchRow).where(MatchRow.tournament_id == tournament_id)
        return {row.code: row for row in await uow.session.scalars(query)}
    if not codes:
        return {}
    params = {"tournament_id": tournament_id, "codes": sorted(codes)}
    # No flush first: a row changed in this transaction is in the session and comes back
    # as it is there, and the statement selects by what a result never changes (the
    # tournament and the codes); the result's changes go out together later.
    with uow.session.no_autoflush:
        return {row.code: row for row in await uow.session.scalars(_ROWS_OF_CODES, params)}


_ROWS_OF_CODES = (  # built once (every result runs it): it keeps its cache key
    select(MatchRow).where(
        MatchRow.tournament_id == bindparam("tournament_id"),
        MatchRow.code.in_(bindparam("codes", expanding=True)),
    )
)


def _registration_id(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def _fingerprints(bracket: Bracket) -> dict[str, tuple[Any, ...]]:
    """What a match row mirrors of each engine match; equal prints need no row update."""
    return {
        code: (m.status, m.participants, m.scores, m.winner, m.outcome, m.best_of)
        for code, m in bracket.matches.items()
    }


async def sync_matches(
    uow: UnitOfWork,
    tournament: Tournament,
    bracket: Bracket,
    version: int,
    *,
    only: set[str] | None = None,
) -> Applied:
    """Bring the match rows in line with the engine and emit what changed.

    ``only`` names the engine matches an action touched: a result changes a handful of
    matches, and loading all 500 rows of a big bracket for each report would dominate.
    """
    rows = await _rows_by_code(uow, tournament.id, only)
    applied = Applied(bracket=bracket)
    times: dict[str, datetime | None] | None = None  # worked out once, if a row is new
    now = uow.clock.now()
    matches = bracket.matches
    added = False
    for match in matches.values() if only is None else (matches[c] for c in sorted(only)):
        row = rows.get(match.id)
        if row is None:
            row = _new_row(tournament, match, now)
            if times is None:
                times = match_times(tournament, bracket)
            row.scheduled_at = times.get(match.id)
            uow.session.add(row)
            rows[match.id] = row
            added = True
        before = (row.registration_a_id, row.registration_b_id)
        _copy_slots(row, match)
        if _opponents_changed(row, match, before):
            # A corrected result put someone else into a match that was already open:
            # its check-ins, reports, disputes and thread belong to the old pairing.
            await _reset_row(uow, row, applied, before)
        target = _target_state(row, match)
        if target is None:
            continue
        if target == MatchState.COMPLETED:
            _take_back_rating(row, applied, before)
            _complete_row(row, match, now)
            applied.completed.append(row)
        elif target == MatchState.SCHEDULED:
            await _reset_row(uow, row, applied, before)
        else:
            # open_match decides between checkin and ready once the row has an id.
            row.ready_at = now
            applied.ready.append(row)
        row.updated_at = now
    if added:
        # New rows need their ids for the events and timers below; changed rows are
        # flushed with the rest of the transaction (one UPDATE per row, not one per step).
        await uow.session.flush()
    # Order matters to subscribers: a reset match's old thread closes before it reopens.
    for row in applied.reset:
        await uow.react(
            MatchClosedByBracket(
                row, "Closed: the match was reset because an earlier result was corrected."
            )
        )
        uow.emit(
            MatchReset(
                guild_id=tournament.guild_id,
                tournament_id=tournament.id,
                match_id=row.id,
                code=row.code,
                thread_id=applied.old_threads.get(row.id),
            )
        )
    for row in applied.completed:
        if row.checkin_deadline is not None:
            # Only a match that opened a check-in ever had timers (open_match); a reset
            # clears the deadline together with its timers.
            await cancel_timers(uow, prefix=f"match:{row.id}:")
        if row.outcome == "walkover":
            # Decided by the bracket itself (the opponent withdrew or was disqualified):
            # nothing is left to dispute, and no organizer would ever be able to.
            await uow.react(
                MatchClosedByBracket(
                    row, "Settled automatically: the opponent withdrew or was disqualified."
                )
            )
        uow.emit(_completed_event(tournament, row, version))
    for row in applied.ready:
        await open_match(uow, tournament, row)
    return applied


def _new_row(tournament: Tournament, match: EngineMatch, now: datetime) -> MatchRow:
    return MatchRow(
        tournament_id=tournament.id,
        guild_id=tournament.guild_id,
        code=match.id,
        stage=match.stage,
        side=match.side,
        group_name=match.group,
        round=match.round,
        round_title=match.round_title,
        position=match.position,
        best_of=match.best_of,
        status=MatchState.SCHEDULED.value,
        updated_at=now,
    )


def _copy_slots(row: MatchRow, match: EngineMatch) -> None:
    first, second = match.participants
    row.registration_a_id = _registration_id(first)
    row.registration_b_id = _registration_id(second)
    row.best_of = match.best_of


def _opponents_changed(row: MatchRow, match: EngineMatch, before: tuple[int | None, ...]) -> bool:
    open_row = MatchState(row.status) not in (MatchState.SCHEDULED, MatchState.COMPLETED)
    now_pair = (row.registration_a_id, row.registration_b_id)
    return open_row and match.status is MatchStatus.READY and before != now_pair


def _target_state(row: MatchRow, match: EngineMatch) -> MatchState | None:
    """The state the row must move to, or None when it already agrees with the engine."""
    current = MatchState(row.status)
    if match.status is MatchStatus.COMPLETED:
        same = (
            current == MatchState.COMPLETED
            and row.winner_registration_id == _registration_id(match.winner)
            and (row.score_a, row.score_b)
            == (tuple(match.scores) if match.scores else (None, None))
        )
        return None if same else MatchState.COMPLETED
    if match.status is MatchStatus.READY:
        return MatchState.READY if current == MatchState.SCHEDULED else None
    return None if current == MatchState.SCHEDULED else MatchState.SCHEDULED


def _complete_row(row: MatchRow, match: EngineMatch, now: datetime) -> None:
    row.status = MatchState.COMPLETED.value
    row.score_a, row.score_b = match.scores if match.scores else (None, None)
    row.winner_registration_id = _registration_id(match.winner)
    row.outcome = match.outcome.value if match.outcome else None
    row.completed_at = now


def _take_back_rating(row: MatchRow, applied: Applied, pair: tuple[int | None, int | None]) -> None:
    if row.rating_delta is not None:
        applied.unrated.append((pair[0], pair[1], row.rating_delta))
        row.rating_delta = None


async def _reset_row(
    uow: UnitOfWork, row: MatchRow, applied: Applied, pair: tuple[int | None, int | None]
) -> None:
    _take_back_rating(row, applied, pair)
    applied.old_threads[row.id] = row.thread_id
    applied.reset.append(row)
    row.thread_id = None  # the next pairing gets a thread of its own
    row.status = transition(row.code, row.status, MatchState.SCHEDULED).value
    row.score_a = row.score_b = row.winner_registration_id = None
    row.outcome = None
    row.checkin_deadline = row.checked_in_a_at = row.checked_in_b_at = None
    row.ready_at = row.completed_at = row.live_at = None
    await uow.session.execute(delete(MatchReport).where(MatchReport.match_id == row.id))
    await cancel_timers(uow, prefix=f"match:{row.id}:")


async def open_match(uow: UnitOfWork, tournament: Tournament, row: MatchRow) -> None:
    """A match just became playable: start its check-in clock when the event wants one,
    plan its reminders, start and overdue notice, and go LIVE when its time has come
    without a check-in."""
    deadline = None
    now = uow.clock.now()
    if tournament.match_checkin_minutes <= 0:
        row.status = transition(row.code, row.status, MatchState.READY).value
    else:
        row.status = transition(row.code, row.status, MatchState.CHECKIN).value
        deadline = checkin_deadline(tournament, row, now)
        row.checkin_deadline = deadline
        await schedule_checkin_timers(uow, row)
    uow.emit(
        MatchReady(
            guild_id=tournament.guild_id,
            tournament_id=tournament.id,
            match_id=row.id,
            code=row.code,
            round_title=row.round_title,
            best_of=row.best_of,
            registration_ids=[r for r in (row.registration_a_id, row.registration_b_id) if r],
            checkin_deadline=deadline.isoformat() if deadline else None,
        )
    )
    if deadline is None and row.scheduled_at is not None and row.scheduled_at <= now:
        go_live(uow, tournament, row, "scheduled_time")  # its time came before its players
    await plan_match_timers(uow, tournament, row)


async def schedule_checkin_timers(uow: UnitOfWork, row: MatchRow) -> None:
    """The check-in deadline of a match in ``checkin`` and its reminder."""
    assert row.checkin_deadline is not None
    await schedule_timer(
        uow,
        kind=MATCH_CHECKIN_TIMER,
        key=f"match:{row.id}:checkin",
        due_at=row.checkin_deadline,
        payload={"match_id": row.id},
        guild_id=row.guild_id,
    )
    await schedule_match_checkin_reminder(uow, row)


def _completed_event(tournament: Tournament, row: MatchRow, version: int) -> MatchCompleted:
    winner = row.winner_registration_id
    loser = None
    if winner is not None:
        loser = row.registration_b_id if winner == row.registration_a_id else row.registration_a_id
    scores = [row.score_a, row.score_b] if row.score_a is not None else None
    return MatchCompleted(
        guild_id=tournament.guild_id,
        tournament_id=tournament.id,
        match_id=row.id,
        code=row.code,
        round_title=row.round_title,
        winner_registration_id=winner,
        loser_registration_id=loser,
        scores=scores,  # type: ignore[arg-type]
        outcome=row.outcome or "played",
        automatic=row.outcome == "walkover",
        bracket_version=version,
    )


async def schedule_match_checkin_reminder(uow: UnitOfWork, row: MatchRow) -> None:
    """The "10 minutes left to check in" reminder of a match that just opened its check-in
    (half the time left when the check-in is shorter than 20 minutes)."""
    if row.checkin_deadline is None:
        return
    now = uow.clock.now()
    lead = min(MATCH_REMINDER_BEFORE, (row.checkin_deadline - now) / 2)
    if lead <= timedelta(0):
        return
    await schedule_timer(
        uow,
        kind=MATCH_REMINDER_TIMER,
        key=f"match:{row.id}:checkin_reminder",
        due_at=row.checkin_deadline - lead,
        payload={"match_id": row.id},
        guild_id=row.guild_id,
    )
