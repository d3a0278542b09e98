"""Planning a tournament's durable timers (docs/architecture.md, "Durable time").

Tournament timers are keyed ``tournament:{id}:<kind>`` and planned from the tournament's
dates and status by :func:`schedule_tournament_timers`, which the tournament flows call
in the transaction that changed them. Their handlers: registration in
``engine.tournaments.timers``, check-in in ``engine.entries``, the start in
``engine.brackets``; each registers with the kernel's timer service.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.kernel.timers import cancel_timers, schedule_timer
from engine.kernel.uow import UnitOfWork
from storage.models import Timer, Tournament
from storage.models.enums import TournamentStatus

S = TournamentStatus

OPEN = "tournament.open"
REMIND_CLOSE = "tournament.remind_close"
CLOSE = "tournament.close"
CHECKIN_OPEN = "tournament.checkin_open"
CHECKIN_CLOSE = "tournament.checkin_close"
START = "tournament.start"
TOURNAMENT_TIMER_KINDS = (OPEN, REMIND_CLOSE, CLOSE, CHECKIN_OPEN, CHECKIN_CLOSE, START)

REMIND_CLOSE_BEFORE = timedelta(hours=1)
TAKING_ENTRIES = frozenset({S.PUBLISHED, S.REGISTRATION_OPEN})
PRE_START = frozenset({S.PUBLISHED, S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED})


def tournament_timer_key(tournament_id: int, kind: str) -> str:
    return f"tournament:{tournament_id}:{kind.removeprefix('tournament.')}"


def checkin_window(t: Tournament) -> tuple[datetime, datetime] | None:
    """When the tournament check-in is open: [opens, closes), or None without one."""
    if not t.checkin_enabled or t.starts_at is None:
        return None
    return t.starts_at - timedelta(minutes=t.checkin_window_minutes), t.starts_at


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
