"""Brackets in the database: every result moving a live bracket on.

The engine (engine/formats) is the source of truth for who plays whom; the database keeps
its inputs and the ordered actions (``brackets``) plus one ``matches`` row per engine match
for what players see (check-in, reports, thread). Every change goes through
:func:`apply_action` in the caller's transaction: lock the bracket row, take the engine
state (from memory when its version is current, see ``_cache.py``, else replayed), apply,
store the action, bring the match rows in line (:func:`sync_matches`), update ratings,
and complete the tournament when the engine says it is over. Starting a tournament lives
in ``start.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, inspect, select
from sqlalchemy.orm import defer

from engine.brackets._cache import cache_of, key_of, put_after_commit
from engine.brackets._ratings import update_ratings
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
    FormatError,
    FormatOptions,
    MatchStatus,
    Result,
    Withdrawal,
)
from engine.formats import Match as EngineMatch
from engine.kernel.errors import Conflict, InvalidInput
from engine.kernel.sql import append_json_array
from engine.kernel.text import msg
from engine.kernel.timers import cancel_timers, schedule_timer
from engine.kernel.uow import UnitOfWork
from engine.tournaments import lock_tournament
from storage.models import (
    BracketState,
    Game,
    MatchReport,
    MatchRow,
    Tournament,
)
from storage.models.enums import ResultType, TournamentStatus

MATCH_CHECKIN_TIMER = "match.checkin_deadline"
MATCH_REMINDER_TIMER = "match.checkin_reminder"
MATCH_REMINDER_BEFORE = timedelta(minutes=10)


@dataclass(frozen=True)
class MatchClosedByBracket:
    """Reaction moment: a match's open disputes no longer make sense (the bracket reset it
    after a correction, or decided it by walkover); ``engine.matchday`` closes them."""

    match: MatchRow
    resolution: str


@dataclass(frozen=True)
class BracketFinished:
    """Reaction moment: the last result is in; ``engine.awards`` completes the tournament
    (placings, prizes, ratings of the event) in the same transaction."""

    tournament: Tournament
    bracket: Bracket
    actor_id: int | None


@dataclass(frozen=True)
class MatchView:
    id: int
    tournament_id: int
    guild_id: int
    code: str
    side: str
    group: str | None
    round: int
    round_title: str
    best_of: int
    registration_a_id: int | None
    registration_b_id: int | None
    status: str
    score_a: int | None
    score_b: int | None
    winner_registration_id: int | None
    outcome: str | None
    checkin_deadline: datetime | None
    checked_in_a_at: datetime | None
    checked_in_b_at: datetime | None
    thread_id: int | None
    completed_at: datetime | None = None
    scheduled_at: datetime | None = None
    live_at: datetime | None = None

    def side_of(self, registration_id: int) -> int | None:
        if registration_id == self.registration_a_id:
            return 0
        if registration_id == self.registration_b_id:
            return 1
        return None


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


def match_view(row: MatchRow) -> MatchView:
    return MatchView(
        id=row.id,
        tournament_id=row.tournament_id,
        guild_id=row.guild_id,
        code=row.code,
        side=row.side,
        group=row.group_name,
        round=row.round,
        round_title=row.round_title,
        best_of=row.best_of,
        registration_a_id=row.registration_a_id,
        registration_b_id=row.registration_b_id,
        status=row.status,
        score_a=row.score_a,
        score_b=row.score_b,
        winner_registration_id=row.winner_registration_id,
        outcome=row.outcome,
        checkin_deadline=row.checkin_deadline,
        checked_in_a_at=row.checked_in_a_at,
        checked_in_b_at=row.checked_in_b_at,
        thread_id=row.thread_id,
        completed_at=row.completed_at,
        scheduled_at=row.scheduled_at,
        live_at=row.live_at,
    )


def engine_options(tournament: Tournament, game: Game) -> FormatOptions:
    """The engine options of a tournament: its stored options plus best-of and result type."""
    data: dict[str, Any] = dict(tournament.format_options or {})
    data.setdefault("best_of", tournament.best_of)
    data["result_type"] = "games" if game.result_type == ResultType.BEST_OF else "points"
    data.setdefault("allow_draws", game.allows_draws)
    try:
        return FormatOptions.from_mapping(data)
    except FormatError as exc:
        raise InvalidInput(str(exc)) from None


def rebuild(state: BracketState) -> Bracket:
    return Bracket.from_dict(
        {
            "format": state.format,
            "seed": state.seed,
            "options": state.options,
            "participants": state.participants,
            "history": state.actions,
        }
    )


async def locked_state(uow: UnitOfWork, tournament_id: int) -> BracketState:
    """The bracket row under its lock, without its action log: with a cached bracket the
    log is only written, and reading a long one for every result would dominate."""
    state = await uow.session.scalar(
        select(BracketState)
        .options(defer(BracketState.actions))
        .where(BracketState.tournament_id == tournament_id)
        .with_for_update()
    )
    if state is None:
        raise Conflict(msg("This tournament has not started yet, so it has no bracket."))
    # A result earlier in this transaction may have read the row without these.
    unloaded = [n for n in ("participants", "options") if n in inspect(state).unloaded]
    if unloaded:
        await uow.session.refresh(state, unloaded)
    return state


async def stored_actions(uow: UnitOfWork, state: BracketState) -> list[dict[str, Any]]:
    """The action log of a row read by :func:`locked_state`, loaded when first needed."""
    if "actions" in inspect(state).unloaded:
        await uow.session.refresh(state, ["actions"])
    return state.actions


# What only a replay reads: a result with a cached bracket decodes none of these lists.
_REPLAY_ONLY = ("actions", "participants", "options")


# Built once: every result runs it, and a statement object reused keeps its cache key
# (building the options and the key again cost more than the query itself).
_BRACKET_ROW = (
    select(BracketState)
    .options(*(defer(getattr(BracketState, name)) for name in _REPLAY_ONLY))
    .where(BracketState.tournament_id == bindparam("tournament_id"))
    .with_for_update()
)


async def _bracket_row(uow: UnitOfWork, tournament_id: int) -> BracketState:
    """:func:`locked_state` for a result: its version is all a cached bracket needs."""
    state = await uow.session.scalar(_BRACKET_ROW, {"tournament_id": tournament_id})
    if state is None:
        raise Conflict(msg("This tournament has not started yet, so it has no bracket."))
    return state


async def _replayed(uow: UnitOfWork, state: BracketState) -> Bracket:
    unloaded = [name for name in _REPLAY_ONLY if name in inspect(state).unloaded]
    if unloaded:
        await uow.session.refresh(state, unloaded)
    return rebuild(state)


async def load_for_update(uow: UnitOfWork, tournament_id: int) -> tuple[BracketState, Bracket]:
    """The locked row and a bracket the caller may change: taken out of the cache (or
    replayed); only :func:`_store` puts it back, after the commit."""
    state = await _bracket_row(uow, tournament_id)
    bracket = cache_of(uow.session.bind).take(tournament_id, key_of(state))
    return state, bracket if bracket is not None else await _replayed(uow, state)


async def peek_bracket(uow: UnitOfWork, tournament_id: int) -> Bracket:
    """The current bracket for a caller that only reads it (the dry run of a report):
    it stays cached, so it must not be changed."""
    state = await _bracket_row(uow, tournament_id)
    bracket = cache_of(uow.session.bind).peek(tournament_id, key_of(state))
    if bracket is None:
        bracket = await _replayed(uow, state)
        put_after_commit(uow, tournament_id, state, bracket)
    return bracket


async def _rows_by_code(
    uow: UnitOfWork, tournament_id: int, codes: set[str] | None = None
) -> dict[str, MatchRow]:
    if codes is None:
        query = select(MatchRow).where(MatchRow.tournament_id == tournament_id)
        return {row.code: row for row in await uow.session.scalars(query)}
    if not codes:
        return {}
    params = {"tournament_id": tournament_id, "codes": sorted(codes)}
    return {row.code: row for row in await uow.session.scalars(_ROWS_OF_CODES, params)}


_ROWS_OF_CODES = (  # built once (every result runs it): it keeps its cache key
    select(MatchRow).where(
        MatchRow.tournament_id == bindparam("tournament_id"),
        MatchRow.code.in_(bindparam("codes", expanding=True)),
    )
)


def _registration_id(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


async def apply_action(
    uow: UnitOfWork,
    tournament_id: int,
    action: Result | Withdrawal,
    *,
    actor_id: int | None,
    locked: Tournament | None = None,
) -> Applied:
    """Apply one result or withdrawal to a live bracket inside the caller's transaction.

    ``locked`` is the tournament row when the caller already holds its lock in this
    transaction (a score report locks it first): reading it again would be a wasted
    statement on every result."""
    tournament = await _locked_tournament(uow, tournament_id, locked)
    if tournament.status != TournamentStatus.LIVE:
        raise Conflict(
            msg("{name} is not live, so its bracket cannot change.", name=tournament.name)
        )
    state, bracket = await load_for_update(uow, tournament_id)
    bracket.take_changed()  # what a replay or an earlier action touched is stored already
    logged = len(bracket.history)
    try:
        if isinstance(action, Withdrawal):
            bracket.withdraw(action.participant_id)
        else:
            bracket.apply_result(action)
    except FormatError as exc:
        raise InvalidInput(str(exc)) from None
    _append_actions(state, bracket.history[logged:])
    changed = bracket.take_changed()
    return await _store(uow, tournament, state, bracket, changed, actor_id=actor_id)


async def correct_result(
    uow: UnitOfWork,
    tournament_id: int,
    result: Result,
    *,
    actor_id: int | None,
    locked: Tournament | None = None,
) -> Applied:
    """Replace the result of a completed match when no played match depends on it;
    matches that depended on it and were not played are reset (``locked``: as for
    :func:`apply_action`)."""
    tournament = await _locked_tournament(uow, tournament_id, locked)
    if tournament.status != TournamentStatus.LIVE:
        raise Conflict(
            msg("{name} is not live, so its results cannot change.", name=tournament.name)
        )
    state, bracket = await load_for_update(uow, tournament_id)
    before = _fingerprints(bracket)
    try:
        bracket.undo_result(result.match_id)
        bracket.apply_result(result)
    except FormatError as exc:
        raise Conflict(str(exc)) from None
    # The undone result leaves the middle of the log: it is written again in full, and
    # the rebuilt bracket is compared match by match (a correction is rare).
    state.actions = [a.to_dict() for a in bracket.history]
    changed = {
        code for code, print_ in _fingerprints(bracket).items() if before.get(code) != print_
    }
    return await _store(uow, tournament, state, bracket, changed, actor_id=actor_id)


async def _locked_tournament(
    uow: UnitOfWork, tournament_id: int, locked: Tournament | None
) -> Tournament:
    if locked is not None and locked.id == tournament_id:
        return locked
    return await lock_tournament(uow.session, tournament_id)


async def _store(
    uow: UnitOfWork,
    tournament: Tournament,
    state: BracketState,
    bracket: Bracket,
    changed: set[str],
    *,
    actor_id: int | None,
) -> Applied:
    """Store a changed bracket (its action log already brought up to date by the caller)
    and bring the ``changed`` engine matches' rows in line."""
    now = uow.clock.now()
    state.version += 1
    state.updated_at = now
    put_after_commit(uow, tournament.id, state, bracket)
    applied = await sync_matches(uow, tournament, bracket, state.version, only=changed)
    await update_ratings(uow, tournament, applied.completed, applied.unrated)
    if bracket.is_complete() and state.completed_at is None:
        state.completed_at = now
        await uow.react(BracketFinished(tournament, bracket, actor_id))
        applied.tournament_completed = True
    return applied


def _append_actions(state: BracketState, actions: list[Result | Withdrawal]) -> None:
    """Add ``actions`` at the end of the stored log. A log read in this transaction (a
    replay) is extended in memory; a cached bracket's log was never read, and is extended
    by the database in the UPDATE that stores the new version (a SQL expression assigned
    to the attribute), so a result neither decodes nor re-encodes the whole log, whose
    length grows with every result."""
    if not actions:
        return
    new = [a.to_dict() for a in actions]
    current = state.__dict__.get("actions")
    if isinstance(current, list):
        state.actions = [*current, *new]
        return
    # Unloaded, or an expression from an earlier action of this transaction not flushed yet.
    logged = current if current is not None else BracketState.actions
    state.actions = append_json_array(logged, new)


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
