"""Elo bookkeeping of a bracket's results: each played match moves its two sides' ratings,
and a corrected or reset result first takes its own change back (each row keeps its delta)."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm.util import identity_key

from engine.entries import ratings
from engine.kernel.uow import UnitOfWork
from storage.models import (
    MatchRow,
    Registration,
    Tournament,
)


async def update_ratings(
    uow: UnitOfWork,
    tournament: Tournament,
    completed: list[MatchRow],
    unrated: list[tuple[int | None, int | None, int]],
) -> None:
    """Take back the Elo change of every result that was corrected or reset, then count
    the results just played; each row keeps its delta so it can be taken back later."""
    played = [
        r
        for r in completed
        if r.outcome in ("played", "draw") and r.registration_a_id and r.registration_b_id
    ]
    pairs: list[tuple[int | None, int | None]] = [(a, b) for a, b, _ in unrated if a and b]
    pairs += [(r.registration_a_id, r.registration_b_id) for r in played]
    if not pairs:
        return
    subject_of = await _rating_subjects(uow, tournament, {i for pair in pairs for i in pair})
    guild_id, game_id = tournament.guild_id, tournament.game_id
    subject_type = "team" if tournament.participant_type == "team" else "player"
    for first, second, delta in unrated:
        if first and second:
            await ratings.reverse_result(
                uow,
                guild_id=guild_id,
                game_id=game_id,
                subject_type=subject_type,
                subject_a=subject_of[first],
                subject_b=subject_of[second],
                delta=delta,
            )
    for row in played:
        if row.winner_registration_id is None:
            score_a = 0.5
        else:
            score_a = 1.0 if row.winner_registration_id == row.registration_a_id else 0.0
        row.rating_delta = await ratings.record_result(
            uow,
            guild_id=guild_id,
            game_id=game_id,
            subject_type=subject_type,
            subject_a=subject_of[row.registration_a_id],
            subject_b=subject_of[row.registration_b_id],
            score_a=score_a,
        )


async def _rating_subjects(
    uow: UnitOfWork, tournament: Tournament, registration_ids: set[int | None]
) -> dict[int | None, int]:
    """Who a rating belongs to for each registration: the player, or the team. The rows
    a report already loaded (both sides of its match) are taken from the session."""
    team_event = tournament.participant_type == "team"
    known = [_in_session(uow, i) for i in registration_ids if i]
    rows = [r for r in known if r is not None]
    missing = [i for i in registration_ids if i and i not in {r.id for r in rows}]
    if missing:
        rows += (
            await uow.session.scalars(select(Registration).where(Registration.id.in_(missing)))
        ).all()
    return {r.id: (r.team_id if team_event else r.user_id) for r in rows}  # type: ignore[misc]


def _in_session(uow: UnitOfWork, registration_id: int) -> Registration | None:
    """The registration row when this transaction loaded it already (and it is not
    expired), without a statement."""
    row = uow.session.identity_map.get(identity_key(Registration, registration_id))
    if not isinstance(row, Registration) or inspect(row).expired:
        return None
    return row
