"""Organizer control of the seeding: pick the method (with a preview) and swap two seeds.

Before the start seeds live on the registrations (manual seeding reads
``Registration.seed``; random and ranked are decided when the bracket is drawn). Right
after the start, while no result is in and no match has begun, a swap redraws the
bracket from the same inputs with the two seeds exchanged and brings the match rows in
line: the matches whose players changed go back to waiting and open again, so their
check-in clock and thread start over with the right people.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import select

from engine.brackets._sync import (
    open_match,
)
from engine.brackets.events import MatchReset, SeedingChanged, SeedsSwapped
from engine.brackets.seeding import SEEDING_METHODS, order_participants
from engine.brackets.states import MatchState, transition
from engine.brackets.store import (
    has_actions,
    locked_state,
)
from engine.formats import Bracket, FormatError, Participant, create_bracket
from engine.formats import Match as EngineMatch
from engine.formats import MatchStatus as EngineStatus
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.text import Command, Message, msg
from engine.kernel.timers import cancel_timers
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.tournaments import STATUS_WORDS, lock_tournament, require_tournament_organizer
from storage.models import (
    BracketState,
    MatchReport,
    MatchRow,
    Registration,
    Tournament,
)
from storage.models.enums import RegistrationStatus, TournamentStatus

BEFORE_START = (
    TournamentStatus.DRAFT,
    TournamentStatus.PUBLISHED,
    TournamentStatus.REGISTRATION_OPEN,
    TournamentStatus.REGISTRATION_CLOSED,
)
BEGUN = (MatchState.LIVE.value, MatchState.PENDING_RESULT.value, MatchState.DISPUTED.value)


class SeedEntry(NamedTuple):
    registration_id: int
    name: str
    seed: int | None  # None: decided at random when the tournament starts


async def _organizer(uow: UnitOfWork, actor: Actor, tournament: Tournament) -> None:
    await require_tournament_organizer(uow.session, actor, tournament)


async def _entries(uow: UnitOfWork, tournament: Tournament) -> list[Registration]:
    rows = await uow.session.scalars(
        select(Registration)
        .where(
            Registration.tournament_id == tournament.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(Registration.id)
        .with_for_update()
    )
    return list(rows.all())


def _by_current_seed(entries: Sequence[Registration]) -> list[Registration]:
    # The order manual seeding uses at the start: seeded first, the rest by sign-up.
    return sorted(entries, key=lambda e: (e.seed is None, e.seed or 0, e.id))


def _manual(entries: list[Registration], order: Sequence[int]) -> list[Registration]:
    known = {e.id: e for e in entries}
    if len(set(order)) != len(order):
        raise InvalidInput(msg("A registration appears twice in the seed order; list each once."))
    strangers = [str(i) for i in order if i not in known]
    if strangers:
        raise InvalidInput(
            msg(
                "Registration {names} is not a confirmed entry of this tournament; list "
                "only confirmed entries.",
                names=", ".join(strangers),
            )
        )
    listed = [known[i] for i in order]
    rest = [e for e in _by_current_seed(entries) if e.id not in set(order)]
    return listed + rest


def _renumber(ordered: Sequence[Registration]) -> None:
    for position, entry in enumerate(ordered, start=1):
        entry.seed = position


def _preview(ordered: Sequence[Registration]) -> list[SeedEntry]:
    return [SeedEntry(e.id, e.display_name, e.seed) for e in ordered]


class BracketAdminService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def set_seeding(
        self,
        actor: Actor,
        tournament_id: int,
        method: str,
        manual_order: list[int] | None = None,
    ) -> list[SeedEntry]:
        """Choose random, ranked or manual seeding (manual: registration ids, best first;
        entries left out follow in their current order). Returns the preview."""
        if method not in SEEDING_METHODS:
            raise InvalidInput(
                msg(
                    "Seeding can be {names}; not {method!r}.",
                    names=", ".join(SEEDING_METHODS),
                    method=method,
                )
            )
        if manual_order is not None and method != "manual":
            raise InvalidInput(msg("An explicit seed order only works with manual seeding."))
        async with self._ctx.unit_of_work() as uow:
            tournament = await self._before_start(
                uow, actor, tournament_id, msg("change its seeding")
            )
            entries = await _entries(uow, tournament)
            before = {"method": tournament.seeding, "seeds": {e.id: e.seed for e in entries}}
            tournament.seeding = method
            if method == "manual":
                ordered = _manual(entries, manual_order or [])
                _renumber(ordered)
                preview = _preview(ordered)
            elif method == "ranked":
                # Ties among unranked entries are broken at random when it starts.
                ranked = await order_participants(uow, tournament, entries, 0)
                preview = [SeedEntry(int(p.id), p.name, p.seed) for p in ranked]
            else:
                preview = [SeedEntry(e.id, e.display_name, None) for e in entries]
            order = [e.registration_id for e in preview] if method == "manual" else []
            uow.audit(
                guild_id=tournament.guild_id,
                actor_id=actor.user_id,
                action="tournament.seeding",
                target_type="tournament",
                target_id=tournament.id,
                before={"method": before["method"]},
                after={"method": method, "order": order},
            )
            uow.emit(
                SeedingChanged(
                    guild_id=tournament.guild_id,
                    tournament_id=tournament.id,
                    method=method,
                    order=order,
                    actor_id=actor.user_id,
                )
            )
            return preview

    async def swap(
        self, actor: Actor, tournament_id: int, registration_a: int, registration_b: int
    ) -> list[SeedEntry]:
        """Exchange two entries' seeds. Before the start this switches the tournament to
        manual seeding; after it, only while no result is in and no match has begun."""
        if registration_a == registration_b:
            raise InvalidInput(msg("Pick two different entries to swap."))
        async with self._ctx.unit_of_work() as uow:
            tournament = await lock_tournament(uow.session, tournament_id)
            await _organizer(uow, actor, tournament)
            if tournament.status in BEFORE_START:
                preview = await self._swap_registrations(
                    uow, tournament, registration_a, registration_b
                )
                rebuilt = False
            elif tournament.status == TournamentStatus.LIVE:
                preview = await self._swap_in_bracket(
                    uow, tournament, registration_a, registration_b
                )
                rebuilt = True
            else:
                raise Conflict(
                    msg(
                        "{name} is {status}, so its seeds can no longer change.",
                        name=tournament.name,
                        status=STATUS_WORDS[TournamentStatus(tournament.status)],
                    )
                )
            uow.audit(
                guild_id=tournament.guild_id,
                actor_id=actor.user_id,
                action="tournament.seed_swap",
                target_type="tournament",
                target_id=tournament.id,
                after={"swapped": [registration_a, registration_b], "bracket": rebuilt},
            )
            uow.emit(
                SeedsSwapped(
                    guild_id=tournament.guild_id,
                    tournament_id=tournament.id,
                    registration_a_id=registration_a,
                    registration_b_id=registration_b,
                    bracket_rebuilt=rebuilt,
                    actor_id=actor.user_id,
                )
            )
            return preview

    async def seeds(self, tournament_id: int) -> list[SeedEntry]:
        """The current seed list (after the start: the bracket's seeds)."""
        async with self._ctx.read() as session:
            tournament = await session.get(Tournament, tournament_id)
            if tournament is None:
                raise NotFound(msg("That tournament does not exist. Pick one from the list."))
            state = await session.scalar(
                select(BracketState).where(BracketState.tournament_id == tournament_id)
            )
            if state is not None:
                people = sorted(state.participants, key=lambda p: int(p["seed"]))
                return [SeedEntry(int(p["id"]), p["name"], int(p["seed"])) for p in people]
            rows = await session.scalars(
                select(Registration).where(
                    Registration.tournament_id == tournament_id,
                    Registration.status == RegistrationStatus.CONFIRMED,
                )
            )
            ordered = _by_current_seed(list(rows.all()))
            manual = tournament.seeding == "manual"
            return [
                SeedEntry(e.id, e.display_name, i if manual else None)
                for i, e in enumerate(ordered, start=1)
            ]

    # ------------------------------------------------------------------ helpers
    async def _before_start(
        self, uow: UnitOfWork, actor: Actor, tournament_id: int, doing: Message
    ) -> Tournament:
        tournament = await lock_tournament(uow.session, tournament_id)
        await _organizer(uow, actor, tournament)
        if tournament.status not in BEFORE_START:
            raise Conflict(
                msg(
                    "{name} has already started, so you cannot {doing} any more; use "
                    "{tournament} swap to exchange two seeds before the first match.",
                    name=tournament.name,
                    doing=doing,
                    tournament=Command("tournament"),
                )
            )
        return tournament

    async def _swap_registrations(
        self, uow: UnitOfWork, tournament: Tournament, a: int, b: int
    ) -> list[SeedEntry]:
        entries = await _entries(uow, tournament)
        ordered = _by_current_seed(entries)
        ids = [e.id for e in ordered]
        for rid in (a, b):
            if rid not in ids:
                raise InvalidInput(
                    msg(
                        "Registration {rid} is not a confirmed entry of {name}; only "
                        "confirmed entries have a seed.",
                        rid=rid,
                        name=tournament.name,
                    )
                )
        i, j = ids.index(a), ids.index(b)
        ordered[i], ordered[j] = ordered[j], ordered[i]
        # Swapping means the organizer wants this exact order: seeding becomes manual.
        tournament.seeding = "manual"
        _renumber(ordered)
        return _preview(ordered)

    async def _swap_in_bracket(
        self, uow: UnitOfWork, tournament: Tournament, a: int, b: int
    ) -> list[SeedEntry]:
        state = await locked_state(uow, tournament.id)
        if await has_actions(uow, state):
            raise Conflict(
                msg(
                    "Results are already recorded in {name}, so seeds cannot be swapped "
                    "any more; correct results or disqualify instead.",
                    name=tournament.name,
                )
            )
        rows = {
            r.code: r
            for r in await uow.session.scalars(
                select(MatchRow).where(MatchRow.tournament_id == tournament.id)
            )
        }
        await _refuse_if_begun(uow, tournament, rows.values())
        bracket = _redraw(state, a, b)
        if set(bracket.matches) != set(rows):
            raise Conflict(
                msg("The redrawn bracket does not match the stored one; nothing changed.")
            )
        reopen = []
        for code, match in bracket.matches.items():
            row = rows[code]
            if await _relabel(uow, tournament, row, match):
                reopen.append(row)
        state.participants = [p.to_dict() for p in bracket.participants]
        state.version += 1
        state.updated_at = uow.clock.now()
        seeds = {int(p.id): p.seed for p in bracket.participants}
        for entry in await uow.session.scalars(
            select(Registration).where(Registration.id.in_([a, b]))
        ):
            entry.seed = seeds[entry.id]
        await uow.session.flush()
        for row in reopen:
            await open_match(uow, tournament, row)
        ordered = sorted(bracket.participants, key=lambda p: p.seed)
        return [SeedEntry(int(p.id), p.name, p.seed) for p in ordered]


async def _refuse_if_begun(
    uow: UnitOfWork, tournament: Tournament, rows: Iterable[MatchRow]
) -> None:
    for row in rows:
        if row.status in BEGUN or row.checked_in_a_at or row.checked_in_b_at:
            raise Conflict(
                msg(
                    "Match {code} of {name} has already begun, so seeds cannot be "
                    "swapped any more.",
                    code=row.code,
                    name=tournament.name,
                )
            )
    reported = await uow.session.scalar(
        select(MatchReport.id)
        .join(MatchRow, MatchRow.id == MatchReport.match_id)
        .where(MatchRow.tournament_id == tournament.id)
        .limit(1)
    )
    if reported is not None:
        raise Conflict(
            msg(
                "A score was already reported in {name}, so seeds cannot be swapped any more.",
                name=tournament.name,
            )
        )


def _redraw(state: BracketState, a: int, b: int) -> Bracket:
    people = [Participant.from_dict(p) for p in state.participants]
    seed_of = {int(p.id): p.seed for p in people}
    for rid in (a, b):
        if rid not in seed_of:
            raise InvalidInput(
                msg(
                    "Registration {rid} is not in the bracket; pick two entries that play in it.",
                    rid=rid,
                )
            )
    swapped = [
        Participant(
            p.id, p.name, seed_of[b] if p.id == a else seed_of[a] if p.id == b else p.seed, p.rating
        )
        for p in people
    ]
    try:
        return create_bracket(state.format, swapped, state.options, state.seed)
    except FormatError as exc:
        raise Conflict(str(exc)) from None


async def _relabel(
    uow: UnitOfWork, tournament: Tournament, row: MatchRow, match: EngineMatch
) -> bool:
    """Put the redrawn players in the row. Returns True when it must open again."""
    ids = tuple(None if p is None else int(p) for p in match.participants)
    winner = None if match.winner is None else int(match.winner)
    if ids == (row.registration_a_id, row.registration_b_id) and (
        winner == row.winner_registration_id
    ):
        return False
    if row.status in (MatchState.CHECKIN.value, MatchState.READY.value):
        row.status = transition(row.code, row.status, MatchState.SCHEDULED).value
        row.checkin_deadline = row.ready_at = None
        await cancel_timers(uow, prefix=f"match:{row.id}:")
        uow.emit(
            MatchReset(
                guild_id=tournament.guild_id,
                tournament_id=tournament.id,
                match_id=row.id,
                code=row.code,
            )
        )
    row.registration_a_id, row.registration_b_id = ids
    row.winner_registration_id = winner  # byes: the walkover goes to the new holder
    row.updated_at = uow.clock.now()
    if match.status is EngineStatus.READY and row.status == MatchState.SCHEDULED.value:
        # brackets.open_match moves it on (check-in or ready) once all rows agree.
        row.ready_at = uow.clock.now()
        return True
    return False
