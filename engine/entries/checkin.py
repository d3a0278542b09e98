"""The tournament check-in window (docs/architecture.md, "Durable time").

With ``checkin_enabled``, from ``starts_at - checkin_window_minutes`` until ``starts_at``
a confirmed entry (the solo player, or any member of the team) says it is here; at the
close every slot holder that did not is withdrawn, which refills the slot from the
waitlist (``release_slot``), as long as the bracket is not made yet. The timers that open
and close the window are planned by ``engine.tournaments.timers``; their handlers live
here. Match check-in is ``engine.matchday.checkin``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.entries.events import (
    RegistrationCheckedIn,
    TournamentCheckInClosed,
    TournamentCheckInOpened,
)
from engine.entries.slots import release_slot
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, NotFound, PermissionDenied
from engine.kernel.text import Command, Timestamp, msg
from engine.kernel.timers import TimerService
from engine.kernel.uow import UnitOfWork
from engine.tournaments import (
    CHECKIN_CLOSE,
    CHECKIN_OPEN,
    PRE_START,
    checkin_window,
    lock_tournament,
    lock_tournament_of_timer,
)
from storage.models import Registration, RegistrationMember, Tournament
from storage.models.enums import SLOT_HOLDING, RegistrationStatus, TournamentStatus

S = TournamentStatus

NOT_CHECKED_IN_REASON = "Did not check in"


def _ts(moment: datetime, style: str = "R") -> Timestamp:
    return Timestamp(moment, style)


@dataclass(frozen=True)
class TournamentCheckInView:
    tournament_id: int
    tournament_name: str
    registration_id: int
    display_name: str
    checked_in_at: datetime
    starts_at: datetime


def require_checkin_state(t: Tournament) -> None:
    if t.status == S.CANCELLED:
        raise Conflict(
            msg("{name} was cancelled, so there is nothing to check in for.", name=t.name)
        )
    if t.status not in PRE_START:
        raise Conflict(
            msg(
                "Check-in for {name} is over: the bracket is already made. A match that "
                "waits for your check-in has a Check in button in its thread.",
                name=t.name,
            )
        )
    if not t.checkin_enabled:
        raise Conflict(
            msg(
                "{name} has no check-in: confirmed entries are in the bracket automatically.",
                name=t.name,
            )
        )
    if t.starts_at is None:
        raise Conflict(
            msg("{name} has no start time yet, so its check-in is not open.", name=t.name)
        )


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
            msg(
                "You are not registered for {name}, so there is nothing to check in. "
                "Only confirmed participants check in.",
                name=t.name,
            )
        )
    if entry.status == RegistrationStatus.CONFIRMED:
        return entry
    advice = {
        RegistrationStatus.AWAITING_PAYMENT: msg(
            "pay the entry fee with {pay} first", pay=Command("pay")
        ),
        RegistrationStatus.PAYMENT_REVIEW: "an organizer still has to approve your payment",
        RegistrationStatus.WAITLISTED: "you are on the waitlist; you get a DM if a slot frees",
    }.get(RegistrationStatus(entry.status), "ask an organizer if this looks wrong")
    raise Conflict(
        msg(
            "The entry of {display_name} in {name} is not confirmed, so it cannot check "
            "in: {advice}.",
            display_name=entry.display_name,
            name=t.name,
            advice=advice,
        )
    )


def _require_window_open(t: Tournament, now: datetime) -> None:
    window = checkin_window(t)
    assert window is not None  # require_checkin_state
    opens, closes = window
    if now < opens:
        raise Conflict(
            msg(
                "Check-in for {name} opens {when} ({when2}).",
                name=t.name,
                when=Timestamp(opens, "R"),
                when2=Timestamp(opens, "f"),
            )
        )
    if now >= closes:
        raise Conflict(
            msg(
                "Check-in for {name} closed {when}; entries that had not checked in were "
                "withdrawn. Ask an organizer if you think this is a mistake.",
                name=t.name,
                when=Timestamp(closes, "R"),
            )
        )


async def check_in_tournament(
    uow: UnitOfWork, actor: Actor, tournament_id: int
) -> TournamentCheckInView:
    """The tournament check-in of ``actor``'s entry inside the caller's transaction."""
    t = await lock_tournament(uow.session, tournament_id)
    if actor.guild_id is not None and t.guild_id != actor.guild_id:
        raise NotFound(
            msg("That tournament does not exist on this server. Pick one from the list.")
        )
    require_checkin_state(t)
    entry = _require_confirmed(t, await _entry_of(uow.session, t.id, actor.user_id))
    now, starts = uow.clock.now(), t.starts_at
    assert starts is not None  # require_checkin_state
    if entry.checked_in_at is not None:
        raise Conflict(
            msg(
                "{display_name} is already checked in for {name} (since {when}); nothing "
                "more to do until it starts {when2}.",
                display_name=entry.display_name,
                name=t.name,
                when=Timestamp(entry.checked_in_at, "t"),
                when2=Timestamp(starts, "R"),
            )
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


async def _on_checkin_open(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t = await lock_tournament_of_timer(uow, payload)
    require_checkin_state(t)
    window = checkin_window(t)
    assert window is not None
    if uow.clock.now() >= window[1]:
        raise Conflict(msg("Check-in for {name} has already closed.", name=t.name))
    confirmed = await uow.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.tournament_id == t.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    uow.audit(
        guild_id=t.guild_id,
        actor_id=None,
        action="tournament.checkin_open",
        target_type="tournament",
        target_id=t.id,
        after={"closes_at": window[1].isoformat()},
    )
    uow.emit(
        TournamentCheckInOpened(
            guild_id=t.guild_id,
            tournament_id=t.id,
            name=t.name,
            closes_at=window[1].isoformat(),
            participant_count=int(confirmed or 0),
        )
    )


async def _on_checkin_close(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t = await lock_tournament_of_timer(uow, payload)
    require_checkin_state(t)
    await close_tournament_checkin(uow, t)


def register_timers(timers: TimerService) -> None:
    """The check-in window's timer handlers (the composition root calls this once)."""
    timers.register(CHECKIN_OPEN, _on_checkin_open)
    timers.register(CHECKIN_CLOSE, _on_checkin_close)
