"""The durable timers of a tournament's schedule, and their handlers (DESIGN.md §4).

Tournament timers are keyed ``tournament:{id}:<kind>`` and planned from the tournament's
dates and status by :func:`schedule_tournament_timers`, which the tournament flows call
in the transaction that changed them. A match in check-in gets a reminder before its
deadline (:func:`schedule_match_checkin_reminder`); the deadline itself is scheduled by
the brackets. Every handler re-reads the state under its lock and refuses (a DomainError:
the timer is settled as skipped) when the world moved on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from engine.errors import Conflict, DomainError
from engine.events.checkin import (
    MatchCheckInMissed,
    MatchCheckInReminder,
    MatchNoShow,
    RegistrationClosingSoon,
    TournamentAutoStartFailed,
    TournamentCheckInOpened,
)
from engine.formats import Result
from engine.matches import MatchState
from engine.services.bracket_service import start_tournament
from engine.services.brackets import MATCH_CHECKIN_TIMER, apply_action
from engine.services.checkin import (
    PRE_START,
    checkin_window,
    close_tournament_checkin,
    lock_match,
    match_member_ids,
    require_checkin_state,
)
from engine.services.context import UnitOfWork
from engine.services.registration import lock_tournament
from engine.services.timers import cancel_timers, schedule_timer
from engine.services.tournaments import apply_status_change
from storage.models import MatchRow, Registration, Timer, Tournament
from storage.models.enums import SLOT_HOLDING, RegistrationStatus, TournamentStatus

if TYPE_CHECKING:
    from engine.services import Services

S = TournamentStatus

OPEN = "tournament.open"
REMIND_CLOSE = "tournament.remind_close"
CLOSE = "tournament.close"
CHECKIN_OPEN = "tournament.checkin_open"
CHECKIN_CLOSE = "tournament.checkin_close"
START = "tournament.start"
TOURNAMENT_TIMER_KINDS = (OPEN, REMIND_CLOSE, CLOSE, CHECKIN_OPEN, CHECKIN_CLOSE, START)
MATCH_REMINDER_TIMER = "match.checkin_reminder"

REMIND_CLOSE_BEFORE = timedelta(hours=1)
MATCH_REMINDER_BEFORE = timedelta(minutes=10)
TAKING_ENTRIES = frozenset({S.PUBLISHED, S.REGISTRATION_OPEN})


def tournament_timer_key(tournament_id: int, kind: str) -> str:
    return f"tournament:{tournament_id}:{kind.removeprefix('tournament.')}"


# --- match check-in reminder ------------------------------------------------------------


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


# --- planning the tournament timers -----------------------------------------------------


def planned_timers(t: Tournament, now: datetime) -> dict[str, datetime]:
    """Every tournament timer implied by the current dates and status, with its due time."""
    status = S(t.status)
    plan: dict[str, datetime] = {}
    if status is S.PUBLISHED and t.registration_opens_at is not None:
        plan[OPEN] = t.registration_opens_at
    closes = t.registration_closes_at
    if status in TAKING_ENTRIES and closes is not None:
        plan[CLOSE] = closes
        if closes > now:  # a reminder after the fact is noise
            plan[REMIND_CLOSE] = closes - REMIND_CLOSE_BEFORE
    if status in PRE_START and t.starts_at is not None:
        plan[START] = t.starts_at
        window = checkin_window(t)
        if window is not None:
            plan[CHECKIN_CLOSE] = window[1]
            if window[1] > now:
                plan[CHECKIN_OPEN] = window[0]
    return plan


async def schedule_tournament_timers(uow: UnitOfWork, tournament: Tournament) -> None:
    """(Re)schedule every tournament timer from its current dates and status, cancelling
    those no longer implied. Call it in the transaction that changed the tournament (the
    row locked). A timer that already fired for the same moment is not scheduled again,
    so an unrelated edit never repeats a reminder or re-closes a reopened registration."""
    plan = planned_timers(tournament, uow.clock.now())
    for kind in TOURNAMENT_TIMER_KINDS:
        key = tournament_timer_key(tournament.id, kind)
        due = plan.get(kind)
        if due is None or await _already_fired(uow.session, key, due):
            await cancel_timers(uow, key=key)
            continue
        await schedule_timer(
            uow,
            kind=kind,
            key=key,
            due_at=due,
            payload={"tournament_id": tournament.id},
            guild_id=tournament.guild_id,
        )


async def _already_fired(session: AsyncSession, key: str, due: datetime) -> bool:
    fired = await session.scalars(
        select(Timer.due_at).where(Timer.key == key, Timer.fired_at.is_not(None))
    )
    return any(moment == due for moment in fired)


# --- timer handlers ---------------------------------------------------------------------


async def _timer_tournament(uow: UnitOfWork, payload: dict[str, Any]) -> Tournament:
    return await lock_tournament(uow.session, int(payload["tournament_id"]))


def _require_status(t: Tournament, allowed: frozenset[S], what: str) -> None:
    if S(t.status) not in allowed:
        raise Conflict(f"{t.name} is {t.status.replace('_', ' ')}, so {what} does not apply.")


async def _on_open(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t = await _timer_tournament(uow, payload)
    _require_status(t, frozenset({S.PUBLISHED}), "opening registration on schedule")
    await apply_status_change(
        uow, t, S.REGISTRATION_OPEN, None, reason="Registration opened on schedule."
    )
    await schedule_tournament_timers(uow, t)


async def _on_close(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t = await _timer_tournament(uow, payload)
    _require_status(t, frozenset({S.REGISTRATION_OPEN}), "closing registration on schedule")
    await apply_status_change(
        uow, t, S.REGISTRATION_CLOSED, None, reason="Registration closed on schedule."
    )
    await schedule_tournament_timers(uow, t)


async def _on_remind_close(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t = await _timer_tournament(uow, payload)
    _require_status(t, frozenset({S.REGISTRATION_OPEN}), "a closing reminder")
    closes = t.registration_closes_at
    if closes is None or closes <= uow.clock.now():
        raise Conflict(f"Registration for {t.name} has no upcoming close to remind of.")
    counts = dict(
        (
            await uow.session.execute(
                select(Registration.status, func.count())
                .where(Registration.tournament_id == t.id)
                .group_by(Registration.status)
            )
        ).all()
    )
    taken = sum(int(n) for status, n in counts.items() if status in SLOT_HOLDING)
    unpaid = await uow.session.scalars(
        select(Registration.user_id)
        .where(
            Registration.tournament_id == t.id,
            Registration.status == RegistrationStatus.AWAITING_PAYMENT,
        )
        .order_by(Registration.id)
    )
    uow.emit(
        RegistrationClosingSoon(
            guild_id=t.guild_id,
            tournament_id=t.id,
            name=t.name,
            closes_at=closes.isoformat(),
            slots_left=max(t.max_participants - taken, 0),
            unpaid_user_ids=list(unpaid),
        )
    )


async def _on_checkin_open(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t = await _timer_tournament(uow, payload)
    require_checkin_state(t)
    window = checkin_window(t)
    assert window is not None
    if uow.clock.now() >= window[1]:
        raise Conflict(f"Check-in for {t.name} has already closed.")
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
    t = await _timer_tournament(uow, payload)
    require_checkin_state(t)
    await close_tournament_checkin(uow, t)


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
    t = await _timer_tournament(uow, payload)
    _require_status(t, PRE_START, "starting on schedule")
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
        t = await _timer_tournament(uow, payload)
        if t.status == TournamentStatus.REGISTRATION_OPEN:
            await apply_status_change(
                uow,
                t,
                TournamentStatus.REGISTRATION_CLOSED,
                None,
                reason=f"The scheduled start failed: {refused.message}",
            )


async def _on_match_deadline(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t, row = await lock_match(uow, int(payload["match_id"]))
    if row.status != MatchState.CHECKIN:
        raise Conflict(f"Match {row.code} no longer waits for check-in.")
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
        raise Conflict(f"Match {row.code} no longer waits for check-in.")
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


HANDLERS = {
    OPEN: _on_open,
    REMIND_CLOSE: _on_remind_close,
    CLOSE: _on_close,
    CHECKIN_OPEN: _on_checkin_open,
    CHECKIN_CLOSE: _on_checkin_close,
    START: _on_start,
    MATCH_CHECKIN_TIMER: _on_match_deadline,
    MATCH_REMINDER_TIMER: _on_match_reminder,
}


def register_timer_handlers(services: Services) -> None:
    """Register every timer handler of this module on ``services.timers`` (once)."""
    for kind, handler in HANDLERS.items():
        services.timers.register(kind, handler)


__all__ = [
    "TOURNAMENT_TIMER_KINDS",
    "planned_timers",
    "register_timer_handlers",
    "schedule_match_checkin_reminder",
    "schedule_tournament_timers",
    "tournament_timer_key",
]
