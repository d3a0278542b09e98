"""How /tournament start orders the field: random, ranked or manual."""

from __future__ import annotations

import random

from sqlalchemy import select

from engine.formats import Participant
from engine.kernel.errors import InvalidInput
from engine.kernel.text import msg
from engine.kernel.uow import UnitOfWork
from engine.tournaments import SEEDING_METHODS
from storage.models import Ranking, Registration, Tournament


async def ratings_for(
    uow: UnitOfWork, tournament: Tournament, entries: list[Registration]
) -> dict[int, Ranking]:
    """Ranking rows by registration id (team rankings for team events)."""
    team_event = tournament.participant_type == "team"
    subject_of = {e.id: (e.team_id if team_event else e.user_id) for e in entries}
    rows = await uow.session.scalars(
        select(Ranking).where(
            Ranking.guild_id == tournament.guild_id,
            Ranking.game_id == tournament.game_id,
            Ranking.subject_type == ("team" if team_event else "player"),
            Ranking.subject_id.in_([s for s in subject_of.values() if s is not None]),
        )
    )
    by_subject = {r.subject_id: r for r in rows}
    return {
        reg_id: by_subject[subject]
        for reg_id, subject in subject_of.items()
        if subject in by_subject
    }


def _ranked_key(ranking: Ranking | None, tiebreak: float) -> tuple:
    # Organizer-set ranks first (1 = best), then rating; the unranked go last, ties random.
    if ranking is None:
        return (2, 0, tiebreak)
    if ranking.manual_rank is not None:
        return (0, ranking.manual_rank, tiebreak)
    return (1, -ranking.rating, tiebreak)


async def order_participants(
    uow: UnitOfWork, tournament: Tournament, entries: list[Registration], seed: int
) -> list[Participant]:
    """Seeds 1..n for the confirmed entries, by the tournament's seeding method."""
    method = tournament.seeding or "random"
    if method not in SEEDING_METHODS:
        raise InvalidInput(
            msg("Unknown seeding method {method!r}; use random, ranked or manual.", method=method)
        )
    rng = random.Random(seed)
    tiebreak = {e.id: rng.random() for e in entries}
    rankings = await ratings_for(uow, tournament, entries)
    if method == "random":
        ordered = sorted(entries, key=lambda e: tiebreak[e.id])
    elif method == "ranked":
        ordered = sorted(entries, key=lambda e: _ranked_key(rankings.get(e.id), tiebreak[e.id]))
    else:
        # Manual: the organizer's order; anyone they did not place goes last, by sign-up.
        ordered = sorted(entries, key=lambda e: (e.seed is None, e.seed or 0, e.id))
    return [
        Participant(
            id=entry.id,
            name=entry.display_name,
            seed=position,
            rating=float(rankings[entry.id].rating) if entry.id in rankings else None,
        )
        for position, entry in enumerate(ordered, start=1)
    ]
