"""Closing a match's open disputes: by an organizer's decision, or because the match was
settled or reset by the bracket itself (a walkover, a corrected earlier result)."""

from __future__ import annotations

from sqlalchemy import select

from engine.brackets import MatchClosedByBracket
from engine.kernel.actors import SYSTEM_USER_ID
from engine.kernel.uow import UnitOfWork
from engine.matchday.events import DisputeResolved
from storage.models import Dispute, MatchRow

OPEN_DISPUTE_STATES = ("open", "escalated")


async def close_disputes(
    uow: UnitOfWork, row: MatchRow, *, actor_id: int, resolution: str
) -> list[int]:
    """Resolve every open dispute of a match that an organizer just decided."""
    disputes = (
        await uow.session.scalars(
            select(Dispute)
            .where(Dispute.match_id == row.id, Dispute.status.in_(OPEN_DISPUTE_STATES))
            .with_for_update()
        )
    ).all()
    now = uow.clock.now()
    for dispute in disputes:
        dispute.status = "resolved"
        dispute.resolution = resolution
        dispute.resolved_by = actor_id
        dispute.resolved_at = now
        uow.emit(
            DisputeResolved(
                guild_id=row.guild_id,
                tournament_id=row.tournament_id,
                dispute_id=dispute.id,
                match_id=row.id,
                code=row.code,
                thread_id=dispute.thread_id,
                match_thread_id=row.thread_id,
                resolved_by=actor_id,
                resolution=resolution,
                scores=[row.score_a, row.score_b] if row.score_a is not None else None,  # type: ignore[list-item]
                winner_registration_id=row.winner_registration_id,
                outcome=row.outcome,
            )
        )
        uow.audit(
            guild_id=row.guild_id,
            actor_id=actor_id,
            action="dispute.resolve",
            target_type="dispute",
            target_id=dispute.id,
            before={"status": "open"},
            after={"status": "resolved", "resolution": resolution},
        )
    return [d.id for d in disputes]


async def close_disputes_of_settled_match(uow: UnitOfWork, moment: MatchClosedByBracket) -> None:
    """Reaction: the bracket reset or walked over a match, so its disputes are moot."""
    await close_disputes(uow, moment.match, actor_id=SYSTEM_USER_ID, resolution=moment.resolution)
