"""Check-in on match day (DESIGN.md §4).

Two kinds of check-in:

* the tournament window (``checkin_enabled``): from ``starts_at - checkin_window_minutes``
  until ``starts_at`` a confirmed entry (the solo player, or any member of the team) says
  it is here; at the close every slot holder that did not is withdrawn, which refills the
  slot from the waitlist (``release_slot``), as long as the bracket is not made yet;
* match check-in (``match_checkin_minutes``): a match in ``checkin`` moves to ``ready``
  when both sides are in; at the deadline a missing side forfeits, and when nobody came
  the organizers are pinged and the match stays open.

The timers that open and close these windows (and the rest of a tournament's schedule)
live in :mod:`engine.services.schedule`; their names are re-exported here for callers
that import them from this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.events.checkin import (
    MatchCheckInComplete,
    MatchSideCheckedIn,
    RegistrationCheckedIn,
    TournamentCheckInClosed,
)
from engine.matches import MatchState, transition
from engine.services.actors import Actor
from engine.services.context import ServiceContext, UnitOfWork
from engine.services.registration import lock_tournament, release_slot
from engine.services.timers import cancel_timers
from storage.models import MatchRow, Registration, RegistrationMember, Timer, Tournament
from storage.models.enums import SLOT_HOLDING, RegistrationStatus, TournamentStatus

S = TournamentStatus

PRE_START = frozenset({S.PUBLISHED, S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED})
NOT_CHECKED_IN_REASON = "Did not check in"


def _ts(moment: datetime, style: str = "R") -> str:
    return f"<t:{int(moment.timestamp())}:{style}>"


# --- views -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TournamentCheckInView:
    tournament_id: int
    tournament_name: str
    registration_id: int
    display_name: str
    checked_in_at: datetime
    starts_at: datetime


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


def checkin_window(t: Tournament) -> tuple[datetime, datetime] | None:
    """When the tournament check-in is open: [opens, closes), or None without one."""
    if not t.checkin_enabled or t.starts_at is None:
        return None
    return t.starts_at - timedelta(minutes=t.checkin_window_minutes), t.starts_at


def require_checkin_state(t: Tournament) -> None:
    if t.status == S.CANCELLED:
        raise Conflict(f"{t.name} was cancelled, so there is nothing to check in for.")
    if t.status not in PRE_START:
        raise Conflict(
            f"Check-in for {t.name} is over: the bracket is already made. A match that "
            "waits for your check-in has a Check in button in its thread."
        )
    if not t.checkin_enabled:
        raise Conflict(
            f"{t.name} has no check-in: confirmed entries are in the bracket automatically."
        )
    if t.starts_at is None:
        raise Conflict(f"{t.name} has no start time yet, so its check-in is not open.")


async def _entry_of(session: AsyncSession, tournament_id: int, user_id: int) -> Registration | None:
    """The entry a user plays for (solo, captain or team member) in one tournament."""
    return await session.scalar(
        select(Registration)
        .join(RegistrationMember, RegistrationMember.registration_id == Registration.id)
        .where(
            RegistrationMember.tournament_id == tournament_id,
            RegistrationMember.user_id == user_id,
        )
        .with_for_update()
    )


def _require_confirmed(t: Tournament, entry: Registration | None) -> Registration:
    if entry is None:
        raise PermissionDenied(
            f"You are not registered for {t.name}, so there is nothing to check in. "
            "Only confirmed participants check in."
        )
    if entry.status == RegistrationStatus.CONFIRMED:
        return entry
    advice = {
        RegistrationStatus.AWAITING_PAYMENT: "pay the entry fee with /pay first",
        RegistrationStatus.PAYMENT_REVIEW: "an organizer still has to approve your payment",
        RegistrationStatus.WAITLISTED: "you are on the waitlist; you get a DM if a slot frees",
    }.get(RegistrationStatus(entry.status), "ask an organizer if this looks wrong")
    raise Conflict(
        f"The entry of {entry.display_name} in {t.name} is not confirmed, so it cannot "
        f"check in: {advice}."
    )


def _require_window_open(t: Tournament, now: datetime) -> None:
    window = checkin_window(t)
    assert window is not None  # require_checkin_state
    opens, closes = window
    if now < opens:
        raise Conflict(f"Check-in for {t.name} opens {_ts(opens)} ({_ts(opens, 'f')}).")
    if now >= closes:
        raise Conflict(
            f"Check-in for {t.name} closed {_ts(closes)}; entries that had not checked in "
            "were withdrawn. Ask an organizer if you think this is a mistake."
        )


async def check_in_tournament(
    uow: UnitOfWork, actor: Actor, tournament_id: int
) -> TournamentCheckInView:
    """The tournament check-in of ``actor``'s entry inside the caller's transaction."""
    t = await lock_tournament(uow.session, tournament_id)
    if actor.guild_id is not None and t.guild_id != actor.guild_id:
        raise NotFound("That tournament does not exist on this server. Pick one from the list.")
    require_checkin_state(t)
    entry = _require_confirmed(t, await _entry_of(uow.session, t.id, actor.user_id))
    now, starts = uow.clock.now(), t.starts_at
    assert starts is not None  # require_checkin_state
    if entry.checked_in_at is not None:
        raise Conflict(
            f"{entry.display_name} is already checked in for {t.name} "
            f"(since {_ts(entry.checked_in_at, 't')}); nothing more to do until it starts "
            f"{_ts(starts)}."
        )
    _require_window_open(t, now)
    entry.checked_in_at = now
    entry.updated_at = now
    uow.audit(
        guild_id=t.guild_id,
        actor_id=actor.user_id,
        action="registration.checkin",
        target_type="registration",
        target_id=entry.id,
        after={"checked_in_at": now.isoformat()},
    )
    uow.emit(
        RegistrationCheckedIn(
            guild_id=t.guild_id,
            tournament_id=t.id,
            registration_id=entry.id,
            display_name=entry.display_name,
            actor_id=actor.user_id,
        )
    )
    return TournamentCheckInView(t.id, t.name, entry.id, entry.display_name, now, starts)


async def close_tournament_checkin(uow: UnitOfWork, t: Tournament) -> list[dict[str, Any]]:
    """Withdraw every slot holder that did not check in; the waitlist moves up.

    An entry confirmed into a freed slot here counts as present: it was just told its
    place is confirmed, and the bracket is made from checked-in entries at this moment.
    """
    missing = list(
        await uow.session.scalars(
            select(Registration)
            .where(
                Registration.tournament_id == t.id,
                Registration.status.in_([s.value for s in SLOT_HOLDING]),
                Registration.checked_in_at.is_(None),
            )
            .order_by(Registration.id)
        )
    )
    removed = [{"registration_id": r.id, "name": r.display_name} for r in missing]
    for entry in missing:
        # No person acts: the clock does (release_slot's audit records actor None).
        await release_slot(
            uow,
            entry.id,
            RegistrationStatus.WITHDRAWN,
            actor_id=None,  # type: ignore[arg-type]
            reason=NOT_CHECKED_IN_REASON,
        )
    promoted = await _mark_promoted_present(uow, t)
    checked_in = await uow.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.tournament_id == t.id,
            Registration.checked_in_at.is_not(None),
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    uow.audit(
        guild_id=t.guild_id,
        actor_id=None,
        action="tournament.checkin_close",
        target_type="tournament",
        target_id=t.id,
        after={"checked_in": int(checked_in or 0), "removed": removed, "promoted": promoted},
    )
    uow.emit(
        TournamentCheckInClosed(
            guild_id=t.guild_id,
            tournament_id=t.id,
            name=t.name,
            checked_in=int(checked_in or 0),
            removed=removed,
            promoted=promoted,
        )
    )
    return removed


async def _mark_promoted_present(uow: UnitOfWork, t: Tournament) -> list[dict[str, Any]]:
    # Every earlier confirmed entry without a check-in was just withdrawn, so those left
    # are the ones the waitlist promotion confirmed.
    now = uow.clock.now()
    rows = list(
        await uow.session.scalars(
            select(Registration)
            .where(
                Registration.tournament_id == t.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.checked_in_at.is_(None),
            )
            .order_by(Registration.id)
            .execution_options(populate_existing=True)
        )
    )
    for entry in rows:
        entry.checked_in_at = now
        entry.updated_at = now
        uow.audit(
            guild_id=t.guild_id,
            actor_id=None,
            action="registration.checkin",
            target_type="registration",
            target_id=entry.id,
            after={"checked_in_at": now.isoformat(), "promoted_at_close": True},
        )
    return [{"registration_id": r.id, "name": r.display_name} for r in rows]


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


async def _side_of(session: AsyncSession, row: MatchRow, user_id: int) -> int | None:
    regs = [r for r in (row.registration_a_id, row.registration_b_id) if r is not None]
    if not regs:
        return None
    registration_id = await session.scalar(
        select(RegistrationMember.registration_id).where(
            RegistrationMember.registration_id.in_(regs), RegistrationMember.user_id == user_id
        )
    )
    if registration_id is None:
        return None
    return 0 if registration_id == row.registration_a_id else 1


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
    MatchState.READY: "both sides are already here — play and report with /report",
    MatchState.LIVE: "both sides are already here — play and report with /report",
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
        raise NotFound("That match does not exist any more. Check the bracket with /bracket.")
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
        raise NotFound("That match is not on this server.")
    side = await _side_of(uow.session, row, actor.user_id)
    if side is None:
        raise PermissionDenied(
            f"You are not playing in match {row.code}; only its two sides can check in."
        )
    state = MatchState(row.status)
    if state != MatchState.CHECKIN:
        raise Conflict(f"Match {row.code} does not need a check-in now: {_NOT_IN_CHECKIN[state]}.")
    mine = row.checked_in_a_at if side == 0 else row.checked_in_b_at
    entry_id = row.registration_a_id if side == 0 else row.registration_b_id
    other_id = row.registration_b_id if side == 0 else row.registration_a_id
    entry = await uow.session.get(Registration, entry_id)
    assert entry is not None and other_id is not None  # a match in checkin has both sides
    if mine is not None:
        raise Conflict(
            f"{entry.display_name} is already checked in for match {row.code}; "
            "waiting for the other side."
        )
    now = uow.clock.now()
    if (
        row.checkin_deadline is not None
        and now >= row.checkin_deadline
        and await _deadline_pending(uow.session, row.id)
    ):
        # The deadline timer is about to settle it; a late click must not beat it.
        raise Conflict(
            f"Check-in for match {row.code} closed {_ts(row.checkin_deadline)}; "
            "the deadline decides the match now."
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
        row.status = transition(row.code, row.status, MatchState.READY).value
        await cancel_timers(uow, key=f"match:{row.id}:checkin")
        await cancel_timers(uow, key=f"match:{row.id}:checkin_reminder")
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

    async def check_in(self, actor: Actor, tournament_id: int | None = None) -> CheckInResult:
        """``/checkin``: the actor's matches waiting for check-in (in ``tournament_id``
        when given), else the tournament check-in (the one open for them when not given)."""
        matches = await self._waiting_matches(actor, tournament_id)
        if matches:
            pending = [m for m, mine_in in matches if not mine_in] or [matches[0][0]]
            done = [await self.check_in_match(actor, match_id) for match_id in pending]
            return CheckInResult(matches=tuple(done))
        if tournament_id is None:
            tournament_id = await self._open_window_for(actor)
        return CheckInResult(tournament=await self.check_in_tournament(actor, tournament_id))

    async def _waiting_matches(
        self, actor: Actor, tournament_id: int | None
    ) -> list[tuple[int, bool]]:
        """(match id, already checked in) of the actor's matches in ``checkin``."""
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
                "Check-in is open for several of your tournaments; pick one in the "
                "tournament option."
            )
        raise Conflict(
            "You have nothing to check in for right now: no match of yours waits for "
            "check-in and no tournament check-in of yours is open. To check in for a "
            "tournament, pick it in the tournament option."
        )
