"""The registration timers' handlers: open, closing reminder, close (docs/architecture.md,
"Durable time"). Every handler re-reads the state under its lock and refuses (a
DomainError: the timer is settled as skipped) when the world moved on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine.kernel.errors import Conflict
from engine.kernel.text import Message, msg
from engine.kernel.timers import TimerService
from engine.kernel.uow import UnitOfWork
from engine.tournaments.events import RegistrationClosingSoon
from engine.tournaments.rules import STATUS_WORDS
from engine.tournaments.schedule import CLOSE, OPEN, REMIND_CLOSE, schedule_tournament_timers
from engine.tournaments.status import apply_status_change, lock_tournament
from storage.models import Registration, Tournament
from storage.models.enums import SLOT_HOLDING, RegistrationStatus, TournamentStatus

S = TournamentStatus


# --- timer handlers ---------------------------------------------------------------------


async def lock_tournament_of_timer(uow: UnitOfWork, payload: dict[str, Any]) -> Tournament:
    """The tournament a timer is about, locked for the handler's transaction."""
    return await lock_tournament(uow.session, int(payload["tournament_id"]))


def require_status(t: Tournament, allowed: frozenset[S], what: Message) -> None:
    if S(t.status) not in allowed:
        raise Conflict(
            msg(
                "{name} is {status}, so {what} does not apply.",
                name=t.name,
                status=STATUS_WORDS[S(t.status)],
                what=what,
            )
        )


async def _on_open(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t = await lock_tournament_of_timer(uow, payload)
    require_status(t, frozenset({S.PUBLISHED}), msg("opening registration on schedule"))
    await apply_status_change(
        uow, t, S.REGISTRATION_OPEN, None, reason="Registration opened on schedule."
    )
    await schedule_tournament_timers(uow, t)


async def _on_close(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t = await lock_tournament_of_timer(uow, payload)
    require_status(t, frozenset({S.REGISTRATION_OPEN}), msg("closing registration on schedule"))
    await apply_status_change(
        uow, t, S.REGISTRATION_CLOSED, None, reason="Registration closed on schedule."
    )
    await schedule_tournament_timers(uow, t)


async def _on_remind_close(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    t = await lock_tournament_of_timer(uow, payload)
    require_status(t, frozenset({S.REGISTRATION_OPEN}), msg("a closing reminder"))
    closes = t.registration_closes_at
    if closes is None or closes <= uow.clock.now():
        raise Conflict(
            msg("Registration for {name} has no upcoming close to remind of.", name=t.name)
        )
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


def register_timers(timers: TimerService) -> None:
    """The registration timers' handlers (the composition root calls this once)."""
    timers.register(OPEN, _on_open)
    timers.register(CLOSE, _on_close)
    timers.register(REMIND_CLOSE, _on_remind_close)
