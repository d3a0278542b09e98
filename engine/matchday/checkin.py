"""Match check-in (docs/architecture.md, "Durable time").

With ``match_checkin_minutes``, a match in ``checkin`` goes ``live`` when both sides
are in; at the deadline a missing side forfeits, and when nobody came the organizers are
told and the match stays open. ``/checkin`` (:class:`CheckInService`) checks the caller in
for their waiting matches, or else for the tournament window of ``engine.entries``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.brackets import (
    MATCH_CHECKIN_TIMER,
    MATCH_REMINDER_TIMER,
    MatchState,
    apply_action,
    go_live,
    plan_match_timers,
)
from engine.entries import TournamentCheckInView, check_in_tournament
from engine.formats import Result
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.kernel.text import Command, Timestamp, msg
from engine.kernel.timers import TimerService, cancel_timers
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.matchday._access import side_of_user
from engine.matchday.events import (
    MatchCheckInComplete,
    MatchCheckInMissed,
    MatchCheckInReminder,
    MatchNoShow,
    MatchSideCheckedIn,
)
from engine.tournaments import PRE_START, checkin_window, lock_tournament
from storage.models import MatchRow, Registration, RegistrationMember, Timer, Tournament
from storage.models.enums import RegistrationStatus, TournamentStatus

S = TournamentStatus


def _ts(moment: datetime, style: str = "R") -> Timestamp:
    return Timestamp(moment, style)


# --- views -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchCheckInView:
    match_id: int
    tournament_id: int
    code: str
    registration_id: int
    display_name: str
    both_in: bool  # True: the match is ready to play
    deadline: datetime | None
    thread_id: int | None


@dataclass(frozen=True)
class CheckInResult:
    """What ``/checkin`` did: a tournament check-in, or one or more match check-ins."""

    tournament: TournamentCheckInView | None = None
    matches: tuple[MatchCheckInView, ...] = ()


# --- the tournament window -------------------------------------------------------------


# --- match check-in --------------------------------------------------------------------


async def match_member_ids(session: AsyncSession, registration_ids: list[int]) -> list[int]:
    if not registration_ids:
        return []
    rows = await session.scalars(
        select(RegistrationMember.user_id)
        .where(RegistrationMember.registration_id.in_(registration_ids))
        .order_by(RegistrationMember.id)
    )
    return list(rows)


async def _deadline_pending(session: AsyncSession, match_id: int) -> bool:
    found = await session.scalar(
        select(Timer.id).where(
            Timer.key == f"match:{match_id}:checkin",
            Timer.fired_at.is_(None),
            Timer.cancelled_at.is_(None),
        )
    )
    return found is not None


_NOT_IN_CHECKIN = {
    MatchState.SCHEDULED: "it is still waiting for the matches that decide who plays in it",
    MatchState.READY: msg(
        "both sides are already here — play and report with {report}", report=Command("report")
    ),
    MatchState.LIVE: msg(
        "both sides are already here — play and report with {report}", report=Command("report")
    ),
    MatchState.PENDING_RESULT: "its result is already being reported",
    MatchState.DISPUTED: "it is under dispute; an organizer will settle it",
    MatchState.COMPLETED: "its result is already final",
    MatchState.CANCELLED: "it was cancelled",
}


async def lock_match(uow: UnitOfWork, match_id: int) -> tuple[Tournament, MatchRow]:
    """Tournament first, then the match: the lock order of apply_action."""
    tournament_id = await uow.session.scalar(
        select(MatchRow.tournament_id).where(MatchRow.id == match_id)
    )
    if tournament_id is None:
        raise NotFound(
            msg(
                "That match does not exist any more. Check the bracket with {bracket}.",
                bracket=Command("bracket"),
            )
        )
    t = await lock_tournament(uow.session, tournament_id)
    row = await uow.session.scalar(
        select(MatchRow)
        .where(MatchRow.id == match_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None  # matches are deleted only with their tournament
    return t, row


async def check_in_match(uow: UnitOfWork, actor: Actor, match_id: int) -> MatchCheckInView:
    """One side of a match in ``checkin`` says it is here; both in -> ``ready``."""
    t, row = await lock_match(uow, match_id)
    if actor.guild_id is not None and row.guild_id != actor.guild_id:
        raise NotFound(msg("That match is not on this server."))
    side = await side_of_user(uow.session, row, actor.user_id)
    if side is None:
        raise PermissionDenied(
            msg(
                "You are not playing in match {code}; only its two sides can check in.",
                code=row.code,
            )
        )
    state = MatchState(row.status)
    if state != MatchState.CHECKIN:
        raise Conflict(
            msg(
                "Match {code} does not need a check-in now: {not_in_checkin}.",
                code=row.code,
                not_in_checkin=_NOT_IN_CHECKIN[state],
            )
        )
    mine = row.checked_in_a_at if side == 0 else row.checked_in_b_at
    entry_id = row.registration_a_id if side == 0 else row.registration_b_id
    other_id = row.registration_b_id if side == 0 else row.registration_a_id
    entry = await uow.session.get(Registration, entry_id)
    assert entry is not None and other_id is not None  # a match in checkin has both sides
    if mine is not None:
        raise Conflict(
            msg(
                "{display_name} is already checked in for match {code}; waiting for the "
                "other side.",
                display_name=entry.display_name,
                code=row.code,
            )
        )
    now = uow.clock.now()
    if (
        row.checkin_deadline is not None
        and now >= row.checkin_deadline
        and await _deadline_pending(uow.session, row.id)
    ):
        # The deadline timer is about to settle it; a late click must not beat it.
        raise Conflict(
            msg(
                "Check-in for match {code} closed {when}; the deadline decides the match now.",
                code=row.code,
                when=Timestamp(row.checkin_deadline, "R"),
            )
        )
    if side == 0:
        row.checked_in_a_at = now
    else:
        row.checked_in_b_at = now
    row.updated_at = now
    both = row.checked_in_a_at is not None and row.checked_in_b_at is not None
    uow.audit(
        guild_id=row.guild_id,
        actor_id=actor.user_id,
        action="match.checkin",
        target_type="match",
        target_id=row.id,
        after={"registration_id": entry.id, "both_in": both},
    )
    uow.emit(
        MatchSideCheckedIn(
            guild_id=row.guild_id,
            tournament_id=t.id,
            match_id=row.id,
            code=row.code,
            registration_id=entry.id,
            display_name=entry.display_name,
            actor_id=actor.user_id,
            waiting_for_registration_id=None if both else other_id,
        )
    )
    if both:
        await cancel_timers(uow, key=f"match:{row.id}:checkin")
        await cancel_timers(uow, key=f"match:{row.id}:checkin_reminder")
        go_live(uow, t, row, "checked_in")
        await plan_match_timers(uow, t, row)
        uow.emit(
            MatchCheckInComplete(
                guild_id=row.guild_id,
                tournament_id=t.id,
                match_id=row.id,
                code=row.code,
                registration_ids=[entry.id, other_id],
            )
        )
    return MatchCheckInView(
        row.id,
        t.id,
        row.code,
        entry.id,
        entry.display_name,
        both,
        row.checkin_deadline,
        row.thread_id,
    )


# --- the service ------------------------------------------------------------------------


class CheckInService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def check_in_tournament(self, actor: Actor, tournament_id: int) -> TournamentCheckInView:
        async with self._ctx.unit_of_work() as uow:
            return await check_in_tournament(uow, actor, tournament_id)

    async def check_in_match(self, actor: Actor, match_id: int) -> MatchCheckInView:
        async with self._ctx.unit_of_work() as uow:
            return await check_in_match(uow, actor, match_id)

    async def check_in(
        self, actor: Actor, tournament_id: int | None = None, *, thread_id: int | None = None
    ) -> CheckInResult:
        """``/checkin``: the actor's matches waiting for check-in (in ``tournament_id``
        when given), else the tournament check-in (the one open for them when not given).
        In a match's thread, only that match: checking in makes a match LIVE, and a match
        due later (a round-robin group opens them all at once) must not start early."""
        waiting = await self._waiting_matches(actor, tournament_id)
        here = [w for w in waiting if w[2] is not None and w[2] == thread_id]
        matches = [(match_id, done) for match_id, done, _ in here or waiting]
        if matches:
            pending = [m for m, mine_in in matches if not mine_in] or [matches[0][0]]
            done = [await self.check_in_match(actor, match_id) for match_id in pending]
            return CheckInResult(matches=tuple(done))
        if tournament_id is None:
            tournament_id = await self._open_window_for(actor)
        return CheckInResult(tournament=await self.check_in_tournament(actor, tournament_id))

    async def _waiting_matches(
        self, actor: Actor, tournament_id: int | None
    ) -> list[tuple[int, bool, int | None]]:
        """(match id, already checked in, thread id) of the actor's matches in ``checkin``."""
        query = (
            select(MatchRow, RegistrationMember.registration_id)
            .join(
                RegistrationMember,
                or_(
                    RegistrationMember.registration_id == MatchRow.registration_a_id,
                    RegistrationMember.registration_id == MatchRow.registration_b_id,
                ),
            )
            .where(
                RegistrationMember.user_id == actor.user_id,
                MatchRow.status == MatchState.CHECKIN.value,
            )
            .order_by(MatchRow.id)
        )
        if actor.guild_id is not None:
            query = query.where(MatchRow.guild_id == actor.guild_id)
        if tournament_id is not None:
            query = query.where(MatchRow.tournament_id == tournament_id)
        async with self._ctx.read() as session:
            found = (await session.execute(query)).all()
        return [
            (
                row.id,
                (row.checked_in_a_at if reg == row.registration_a_id else row.checked_in_b_at)
                is not None,
                row.thread_id,
            )
            for row, reg in found
        ]

    async def _open_window_for(self, actor: Actor) -> int:
        now = self._ctx.clock.now()
        async with self._ctx.read() as session:
            rows = await session.execute(
                select(Tournament, Registration.checked_in_at)
                .join(Registration, Registration.tournament_id == Tournament.id)
                .join(RegistrationMember, RegistrationMember.registration_id == Registration.id)
                .where(
                    RegistrationMember.user_id == actor.user_id,
                    Tournament.guild_id == actor.guild_id,
                    Tournament.checkin_enabled.is_(True),
                    Tournament.status.in_([s.value for s in PRE_START]),
                    Registration.status == RegistrationStatus.CONFIRMED,
                )
                .order_by(Tournament.starts_at, Tournament.id)
            )
            open_now = [
                (t.id, done)
                for t, done in rows.all()
                if (w := checkin_window(t)) is not None and w[0] <= now < w[1]
            ]
        todo = [tid for tid, done in open_now if done is None]
        if len(todo) == 1 or (not todo and open_now):
            return (todo or [open_now[0][0]])[0]
        if todo:
            raise InvalidInput(
                msg(
                    "Check-in is open for several of your tournaments; pick one in the "
                    "tournament option."
                )
            )
        raise Conflict(
            msg(
                "You have nothing to check in for right now: no match of yours waits for "
                "check-in and no tournament check-in of yours is open. To check in for a "
                "tournament, pick it in the tournament option."
            )
        )


# --- timer handlers ---------------------------------------------------------------------


async def _on_match_deadline(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t, row = await lock_match(uow, int(payload["match_id"]))
    if row.status != MatchState.CHECKIN:
        raise Conflict(msg("Match {code} no longer waits for check-in.", code=row.code))
    a_in, b_in = row.checked_in_a_at is not None, row.checked_in_b_at is not None
    regs = [r for r in (row.registration_a_id, row.registration_b_id) if r is not None]
    if a_in == b_in:
        # Nobody came (both in would have made it ready): organizers decide.
        uow.audit(
            guild_id=row.guild_id,
            actor_id=None,
            action="match.checkin_missed",
            target_type="match",
            target_id=row.id,
        )
        uow.emit(
            MatchCheckInMissed(
                guild_id=row.guild_id,
                tournament_id=t.id,
                match_id=row.id,
                code=row.code,
                registration_ids=regs,
            )
        )
        return
    forfeit = 1 if a_in else 0
    loser_id, winner_id = (regs[1], regs[0]) if a_in else (regs[0], regs[1])
    match_id, code = row.id, row.code
    names = dict(
        (
            await uow.session.execute(
                select(Registration.id, Registration.display_name).where(Registration.id.in_(regs))
            )
        ).all()
    )
    uow.audit(
        guild_id=t.guild_id,
        actor_id=None,
        action="match.no_show",
        target_type="match",
        target_id=match_id,
        after={"forfeited_registration_id": loser_id},
    )
    # Emitted before the forfeit is applied: subscribers see "X did not check in" before
    # the MatchCompleted that closes the match thread, so the notice can still be posted.
    uow.emit(
        MatchNoShow(
            guild_id=t.guild_id,
            tournament_id=t.id,
            match_id=match_id,
            code=code,
            forfeited_registration_id=loser_id,
            forfeited_name=names[loser_id],
            winner_registration_id=winner_id,
            winner_name=names[winner_id],
        )
    )
    await apply_action(uow, t.id, Result(code, forfeit=forfeit), actor_id=None)


async def _on_match_reminder(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t, row = await lock_match(uow, int(payload["match_id"]))
    if row.status != MatchState.CHECKIN or row.checkin_deadline is None:
        raise Conflict(msg("Match {code} no longer waits for check-in.", code=row.code))
    missing = [
        reg
        for reg, at in (
            (row.registration_a_id, row.checked_in_a_at),
            (row.registration_b_id, row.checked_in_b_at),
        )
        if reg is not None and at is None
    ]
    uow.emit(
        MatchCheckInReminder(
            guild_id=row.guild_id,
            tournament_id=t.id,
            match_id=row.id,
            code=row.code,
            deadline=row.checkin_deadline.isoformat(),
            missing_user_ids=await match_member_ids(uow.session, missing),
        )
    )


def register_timers(timers: TimerService) -> None:
    """Match check-in deadline and reminder handlers (the composition root calls this)."""
    timers.register(MATCH_CHECKIN_TIMER, _on_match_deadline)
    timers.register(MATCH_REMINDER_TIMER, _on_match_reminder)
