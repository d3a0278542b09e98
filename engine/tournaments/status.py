"""A tournament's status moves in one place: the change, its audit entry, its event and
the timers it implies (docs/architecture.md, "Durable time")."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.kernel.errors import NotFound
from engine.kernel.text import msg
from engine.kernel.uow import UnitOfWork
from engine.tournaments import rules
from engine.tournaments.events import (
    TournamentStatusChanged,
)
from engine.tournaments.schedule import schedule_tournament_timers
from storage.models import (
    Tournament,
)
from storage.models.enums import TournamentStatus

S = TournamentStatus


# States whose dates drive timers (open, close, check-in, start).
SCHEDULED_STATES = frozenset({S.PUBLISHED, S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED})


async def apply_status_change(
    uow: UnitOfWork,
    row: Tournament,
    target: TournamentStatus,
    actor_id: int | None,
    *,
    reason: str | None = None,
    cancelled_registrations: int = 0,
    refunded_payments: int = 0,
) -> None:
    """Move a locked tournament row to ``target`` inside the caller's transaction.

    The single place the transition table is enforced, audited and announced; match day
    calls it for live and completed.
    """
    rules.check_transition(row.name, row.status, target)
    old = row.status
    row.status = target.value
    row.updated_at = uow.clock.now()
    await replan_timers(uow, row)
    uow.audit(
        guild_id=row.guild_id,
        actor_id=actor_id,
        action="tournament.status",
        target_type="tournament",
        target_id=row.id,
        before={"status": old},
        after={"status": target.value, "reason": reason},
    )
    uow.emit(
        TournamentStatusChanged(
            guild_id=row.guild_id,
            tournament_id=row.id,
            name=row.name,
            old_status=old,
            new_status=target.value,
            actor_id=actor_id,
            reason=reason,
            cancelled_registrations=cancelled_registrations,
            refunded_payments=refunded_payments,
        )
    )


async def lock_tournament(session: AsyncSession, tournament_id: int) -> Tournament:
    """Every registration change of a tournament takes this lock first (one at a time)."""
    tournament = await session.scalar(
        select(Tournament)
        .where(Tournament.id == tournament_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if tournament is None:
        raise NotFound(msg("That tournament does not exist. Pick one from the list."))
    return tournament


async def replan_timers(uow: UnitOfWork, row: Tournament) -> None:
    """Scheduled open/close/check-in/start follow the tournament's dates and status, in
    the same transaction as the change (docs/architecture.md, "Durable time")."""
    await schedule_tournament_timers(uow, row)
