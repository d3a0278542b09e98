"""Brackets in the database: every result moving a live bracket on.

The engine (engine/formats) is the source of truth for who plays whom; the database keeps
its inputs (``brackets``), the ordered actions (``bracket_actions``, a row each) and one
``matches`` row per engine match for what players see (check-in, reports, thread). Every
change goes through :func:`apply_action` in the caller's transaction: lock the bracket
row, take the engine state (from memory when its version is current, see ``_cache.py``,
else replayed), apply, append the action, bring the match rows in line
(:func:`sync_matches`), update ratings, and complete the tournament when the engine says
it is over. Starting a tournament lives in ``start.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from engine.brackets._cache import cache_of, key_of, put_after_commit
from engine.brackets._ratings import update_ratings
from engine.brackets._sync import Applied, _fingerprints, sync_matches
from engine.formats import (
    Bracket,
    FormatError,
    FormatOptions,
    Result,
    Withdrawal,
)
from engine.kernel.errors import Conflict, InvalidInput
from engine.kernel.sql import holds_database
from engine.kernel.text import msg
from engine.kernel.uow import UnitOfWork
from engine.tournaments import lock_tournament
from storage.models import (
    BracketAction,
    BracketState,
    Game,
    MatchRow,
    Tournament,
)
from storage.models.enums import ResultType, TournamentStatus


@dataclass(frozen=True)
class BracketFinished:
    """Reaction moment: the last result is in; ``engine.awards`` completes the tournament
    (placings, prizes, ratings of the event) in the same transaction."""

    tournament: Tournament
    bracket: Bracket
    actor_id: int | None


@dataclass(frozen=True)
class MatchesCompleted:
    """Reaction moment: these matches just got a result (reported and confirmed, decided
    by an organizer or a dispute, or a walkover); ``engine.challenges`` judges them in the
    same transaction."""

    tournament: Tournament
    matches: tuple[MatchRow, ...]


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


def rebuild(state: BracketState, actions: list[dict[str, Any]]) -> Bracket:
    return Bracket.from_dict(
        {
            "format": state.format,
            "seed": state.seed,
            "options": state.options,
            "participants": state.participants,
            "history": actions,
        }
    )


_ACTIONS = (
    select(BracketAction.action)
    .where(BracketAction.bracket_id == bindparam("bracket_id"))
    .order_by(BracketAction.seq)
)


async def read_actions(session: AsyncSession, bracket_id: int) -> list[dict[str, Any]]:
    """A bracket's action log, in order (``bracket_actions``)."""
    return list((await session.scalars(_ACTIONS, {"bracket_id": bracket_id})).all())


async def locked_state(uow: UnitOfWork, tournament_id: int) -> BracketState:
    """The bracket row under its lock (its action log is in ``bracket_actions``)."""
    state = await uow.session.scalar(
        select(BracketState).where(BracketState.tournament_id == tournament_id).with_for_update()
    )
    if state is None:
        raise Conflict(msg("This tournament has not started yet, so it has no bracket."))
    # A result earlier in this transaction may have read the row without these.
    unloaded = [n for n in ("participants", "options") if n in inspect(state).unloaded]
    if unloaded:
        await uow.session.refresh(state, unloaded)
    return state


async def has_actions(uow: UnitOfWork, state: BracketState) -> bool:
    """Whether a result or withdrawal is logged for a row read by :func:`locked_state`
    (one indexed row at most, not the log)."""
    first = select(BracketAction.seq).where(BracketAction.bracket_id == state.id).limit(1)
    return await uow.session.scalar(first) is not None


# What only a replay reads: a result with a cached bracket decodes neither list.
_REPLAY_ONLY = ("participants", "options")


# Built once: every result runs it, and a statement object reused keeps its cache key
# (building the options and the key again cost more than the query itself).
_BRACKET_ROW = (
    select(BracketState)
    .options(*(defer(getattr(BracketState, name)) for name in _REPLAY_ONLY))
    .where(BracketState.tournament_id == bindparam("tournament_id"))
    .with_for_update()
)


# Session.info key: the bracket rows a write transaction holding the whole database
# has read, by tournament (see :func:`keep_bracket_row`).
_READ_ROWS = "deltacrown.brackets.rows"


def bracket_row_options() -> tuple[Any, ...]:
    """Loader options for a statement that reads a bracket row for a result (the lists
    only a replay needs stay unread), to hand to :func:`keep_bracket_row`."""
    return tuple(defer(getattr(BracketState, name)) for name in _REPLAY_ONLY)


def keep_bracket_row(uow: UnitOfWork, state: BracketState | None) -> None:
    """Remember a bracket row read in this transaction, so that the result applied next
    does not read it again. Only where the transaction holds the whole database (SQLite):
    elsewhere a result reads its bracket row under the row's own lock."""
    if state is not None and holds_database(uow.session):
        uow.session.info.setdefault(_READ_ROWS, {})[state.tournament_id] = state


def _kept_row(uow: UnitOfWork, tournament_id: int) -> BracketState | None:
    state = uow.session.info.get(_READ_ROWS, {}).get(tournament_id)
    if state is None:
        return None
    seen = inspect(state)
    # A rolled-back savepoint expires what it touched: read the row again then.
    if seen.session is not uow.session.sync_session or seen.deleted or seen.expired:
        return None
    return state if "version" not in seen.unloaded else None


async def _bracket_row(uow: UnitOfWork, tournament_id: int) -> BracketState:
    """:func:`locked_state` for a result: its version is all a cached bracket needs."""
    state = _kept_row(uow, tournament_id)
    if state is not None:
        return state
    state = await uow.session.scalar(_BRACKET_ROW, {"tournament_id": tournament_id})
    if state is None:
        raise Conflict(msg("This tournament has not started yet, so it has no bracket."))
    keep_bracket_row(uow, state)
    return state


async def _replayed(uow: UnitOfWork, state: BracketState) -> Bracket:
    unloaded = [name for name in _REPLAY_ONLY if name in inspect(state).unloaded]
    if unloaded:
        await uow.session.refresh(state, unloaded)
    return rebuild(state, await read_actions(uow.session, state.id))


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
    await _append_actions(uow, state, bracket.history[logged:], first=logged)
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
    await uow.session.execute(delete(BracketAction).where(BracketAction.bracket_id == state.id))
    await _append_actions(uow, state, bracket.history, first=0)
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
    if applied.completed and uow.reactions.handles(MatchesCompleted):
        await uow.react(MatchesCompleted(tournament, tuple(applied.completed)))
    if bracket.is_complete() and state.completed_at is None:
        state.completed_at = now
        await uow.react(BracketFinished(tournament, bracket, actor_id))
        applied.tournament_completed = True
    return applied


async def _append_actions(
    uow: UnitOfWork, state: BracketState, actions: list[Result | Withdrawal], *, first: int
) -> None:
    """Add ``actions`` to the stored log at places ``first``, ``first + 1``, …: one INSERT
    of new rows, whatever the length of the log (the bracket in hand, cached or replayed,
    knows that length, so nothing is read)."""
    if not actions:
        return
    await uow.session.execute(
        insert(BracketAction),
        [
            {"bracket_id": state.id, "seq": first + i, "action": action.to_dict()}
            for i, action in enumerate(actions)
        ],
    )
