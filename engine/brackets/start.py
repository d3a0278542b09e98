"""Starting a tournament, and the read side of brackets (matches, placings, state).

Starting plans the bracket from the confirmed (and checked-in) field and stores every
match through :func:`engine.brackets._sync.sync_matches`; the scheduled start timer
and the /tournament start command both come through :func:`start_tournament`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from engine.brackets._cache import put_after_commit
from engine.brackets._sync import (
    sync_matches,
)
from engine.brackets.events import TournamentStarted
from engine.brackets.seeding import order_participants
from engine.brackets.store import (
    MatchView,
    apply_action,
    engine_options,
    match_view,
    read_actions,
    rebuild,
)
from engine.entries import (
    close_tournament_checkin,
    expire_unconfirmed,
    refuse_unreviewed_entries,
)
from engine.formats import Bracket, FormatError, Result, Withdrawal, create_bracket
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, DomainError, InvalidInput, NotFound
from engine.kernel.text import Command, Timestamp, msg
from engine.kernel.timers import TimerService, cancel_timers
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.tournaments import (
    CHECKIN_CLOSE,
    PRE_START,
    START,
    STATUS_WORDS,
    TournamentAutoStartFailed,
    apply_status_change,
    lock_tournament,
    lock_tournament_of_timer,
    require_status,
    require_tournament_organizer,
    tournament_timer_key,
)
from storage.models import (
    BracketState,
    Game,
    MatchRow,
    Placing,
    Registration,
    Timer,
    Tournament,
)
from storage.models.enums import SLOT_HOLDING, RegistrationStatus, TournamentStatus

STARTABLE = (TournamentStatus.REGISTRATION_OPEN, TournamentStatus.REGISTRATION_CLOSED)


@dataclass(frozen=True)
class PlacingView:
    registration_id: int
    display_name: str
    place: int
    prize_coins: int
    prize_minor: int


@dataclass(frozen=True)
class StartSummary:
    tournament_id: int
    participant_count: int
    match_count: int
    ready_count: int


async def _field(uow: UnitOfWork, tournament: Tournament) -> list[Registration]:
    query = select(Registration).where(
        Registration.tournament_id == tournament.id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    if tournament.checkin_enabled:
        query = query.where(Registration.checked_in_at.is_not(None))
    return list((await uow.session.scalars(query.order_by(Registration.id))).all())


async def _close_checkin_before_start(uow: UnitOfWork, tournament: Tournament) -> None:
    """A start inside the check-in window closes check-in first, so entries that did not
    check in are withdrawn and told, not silently left out of the bracket."""
    if tournament.starts_at is not None:
        opens = tournament.starts_at - timedelta(minutes=tournament.checkin_window_minutes)
        if uow.clock.now() < opens:
            raise Conflict(
                msg(
                    "Check-in for {name} opens {when}; start it after check-in, or turn "
                    "check-in off with {tournament_edit} first.",
                    name=tournament.name,
                    when=Timestamp(opens, "R"),
                    tournament_edit=Command("tournament edit"),
                )
            )
    missing = await uow.session.scalar(
        select(Registration.id)
        .where(
            Registration.tournament_id == tournament.id,
            Registration.status.in_([s.value for s in SLOT_HOLDING]),
            Registration.checked_in_at.is_(None),
        )
        .limit(1)
    )
    if missing is not None:
        await close_tournament_checkin(uow, tournament)


async def start_tournament(
    uow: UnitOfWork, tournament_id: int, actor_id: int | None, *, seed: int | None = None
) -> StartSummary:
    """Start inside the caller's transaction (the /tournament start command and the
    scheduled start timer both come here); the caller has checked who may do it."""
    tournament = await lock_tournament(uow.session, tournament_id)
    if tournament.status not in STARTABLE:
        raise Conflict(
            msg(
                "{name} cannot start while it is {status}; open and close registration first.",
                name=tournament.name,
                status=STATUS_WORDS[TournamentStatus(tournament.status)],
            )
        )
    # Every payment proof is decided first: the start refuses with the list otherwise.
    await refuse_unreviewed_entries(uow, tournament)
    if tournament.checkin_enabled:
        await _close_checkin_before_start(uow, tournament)
    entries = await _field(uow, tournament)
    minimum = max(tournament.min_participants, 2)
    if len(entries) < minimum:
        who = msg("checked-in") if tournament.checkin_enabled else msg("confirmed")
        raise Conflict(
            msg(
                "{name} needs at least {minimum} {who} participants to start; it has {count}.",
                name=tournament.name,
                minimum=minimum,
                who=who,
                count=len(entries),
            )
        )
    game = await uow.session.get(Game, tournament.game_id)
    assert game is not None  # foreign key
    options = engine_options(tournament, game)
    bracket_seed = seed if seed is not None else uow.random.randrange(2**31)
    participants = await order_participants(uow, tournament, entries, bracket_seed)
    try:
        bracket = create_bracket(tournament.format, participants, options, bracket_seed)
    except FormatError as exc:
        raise InvalidInput(str(exc)) from None
    seeds = {p.id: p.seed for p in participants}
    for entry in entries:
        entry.seed = seeds[entry.id]
    # Entries that will not play are closed now, not left waiting forever: unpaid ones
    # expire with no charge, waitlisted ones got no slot, unchecked ones missed check-in.
    await expire_unconfirmed(uow, tournament, actor_id)
    if tournament.status == TournamentStatus.REGISTRATION_OPEN:
        await apply_status_change(
            uow,
            tournament,
            TournamentStatus.REGISTRATION_CLOSED,
            actor_id,
            reason="The tournament is starting.",
        )
    await apply_status_change(uow, tournament, TournamentStatus.LIVE, actor_id)
    now = uow.clock.now()
    state = BracketState(
        tournament_id=tournament.id,
        format=tournament.format,
        options=options.to_dict(),
        participants=[p.to_dict() for p in participants],
        seed=bracket_seed,
        version=1,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(state)
    await cancel_timers(uow, prefix=f"tournament:{tournament.id}:")
    uow.emit(
        TournamentStarted(
            guild_id=tournament.guild_id,
            tournament_id=tournament.id,
            name=tournament.name,
            format=tournament.format,
            participant_count=len(participants),
            actor_id=actor_id,
        )
    )
    uow.audit(
        guild_id=tournament.guild_id,
        actor_id=actor_id,
        action="tournament.start",
        target_type="tournament",
        target_id=tournament.id,
        after={"participants": [p.to_dict() for p in participants], "seed": bracket_seed},
    )
    applied = await sync_matches(uow, tournament, bracket, state.version)
    put_after_commit(uow, tournament.id, state, bracket)  # the first result needs no replay
    return StartSummary(
        tournament_id=tournament.id,
        participant_count=len(participants),
        match_count=len(bracket.matches),
        ready_count=len(applied.ready),
    )


class BracketService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def start(
        self, actor: Actor, tournament_id: int, *, seed: int | None = None
    ) -> StartSummary:
        """Close registration, seed the field, plan the bracket and store every match."""
        async with self._ctx.unit_of_work() as uow:
            tournament = await lock_tournament(uow.session, tournament_id)
            await require_tournament_organizer(uow.session, actor, tournament)
            return await start_tournament(uow, tournament_id, actor.user_id, seed=seed)

    async def matches(
        self, tournament_id: int, *, statuses: list[str] | None = None
    ) -> list[MatchView]:
        query = select(MatchRow).where(MatchRow.tournament_id == tournament_id)
        if statuses:
            query = query.where(MatchRow.status.in_(statuses))
        async with self._ctx.read() as session:
            rows = await session.scalars(query.order_by(MatchRow.id))
            return [match_view(r) for r in rows]

    async def get_match(self, match_id: int) -> MatchView:
        async with self._ctx.read() as session:
            row = await session.get(MatchRow, match_id)
            if row is None:
                raise NotFound(msg("That match does not exist."))
            return match_view(row)

    async def match_by_code(self, tournament_id: int, code: str) -> MatchView:
        async with self._ctx.read() as session:
            row = await session.scalar(
                select(MatchRow).where(
                    MatchRow.tournament_id == tournament_id, MatchRow.code == code.strip().upper()
                )
            )
            if row is None:
                raise NotFound(msg("There is no match {code} in this tournament.", code=code))
            return match_view(row)

    async def placings(self, tournament_id: int) -> list[PlacingView]:
        """Final places of a completed tournament, best first (empty before the end)."""
        async with self._ctx.read() as session:
            rows = await session.execute(
                select(Placing, Registration.display_name)
                .join(Registration, Registration.id == Placing.registration_id)
                .where(Placing.tournament_id == tournament_id)
                .order_by(Placing.place, Placing.id)
            )
            return [
                PlacingView(p.registration_id, name, p.place, p.prize_coins, p.prize_minor)
                for p, name in rows.all()
            ]

    async def bracket(self, tournament_id: int) -> tuple[Bracket, int]:
        """The engine state (read-only rebuild) and its version, for images and standings."""
        async with self._ctx.read() as session:
            state = await session.scalar(
                select(BracketState).where(BracketState.tournament_id == tournament_id)
            )
            if state is None:
                raise Conflict(msg("This tournament has not started yet, so it has no bracket."))
            return rebuild(state, await read_actions(session, state.id)), state.version

    async def apply(
        self, actor: Actor, tournament_id: int, action: Result | Withdrawal
    ) -> list[MatchView]:
        """Organizer-level action outside the report flow (tests, the demo, overrides)."""
        async with self._ctx.unit_of_work() as uow:
            tournament = await lock_tournament(uow.session, tournament_id)
            await require_tournament_organizer(uow.session, actor, tournament)
            applied = await apply_action(uow, tournament_id, action, actor_id=actor.user_id)
            return [match_view(r) for r in applied.completed]


# --- the scheduled start ---------------------------------------------------------------


async def _close_checkin_first(uow: UnitOfWork, t: Tournament) -> None:
    """At the start time the check-in close must come first; both timers are due at the
    same moment, so the start settles a due close itself (and marks it fired)."""
    now = uow.clock.now()
    marked = await uow.session.execute(
        update(Timer)
        .where(
            Timer.key == tournament_timer_key(t.id, CHECKIN_CLOSE),
            Timer.fired_at.is_(None),
            Timer.cancelled_at.is_(None),
            Timer.due_at <= now,
        )
        .values(fired_at=now, outcome="fired with the scheduled start")
    )
    if marked.rowcount:  # type: ignore[attr-defined]
        await close_tournament_checkin(uow, t)


async def _on_start(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t = await lock_tournament_of_timer(uow, payload)
    require_status(t, PRE_START, msg("starting on schedule"))
    tournament_id, guild_id, name = t.id, t.guild_id, t.name
    if t.checkin_enabled:
        await _close_checkin_first(uow, t)
    try:
        # A savepoint: a refused start leaves the check-in close above committed.
        async with uow.session.begin_nested():
            await start_tournament(uow, tournament_id, None)
    except DomainError as refused:
        uow.audit(
            guild_id=guild_id,
            actor_id=None,
            action="tournament.autostart_failed",
            target_type="tournament",
            target_id=tournament_id,
            after={"reason": refused.message},
        )
        uow.emit(
            TournamentAutoStartFailed(
                guild_id=guild_id, tournament_id=tournament_id, name=name, reason=refused.message
            )
        )
        # Check-in is over: new sign-ups could never reach the bracket, so registration
        # closes until an organizer moves the start or starts by hand.
        t = await lock_tournament_of_timer(uow, payload)
        if t.status == TournamentStatus.REGISTRATION_OPEN:
            await apply_status_change(
                uow,
                t,
                TournamentStatus.REGISTRATION_CLOSED,
                None,
                reason=f"The scheduled start failed: {refused.message}",
            )


def register_timers(timers: TimerService) -> None:
    """The scheduled start's handler (the composition root calls this once)."""
    timers.register(START, _on_start)
