"""Elo ratings per player (solo events) or team (team events) and game.

Updated in the same transaction as the match result, so ranked seeding and fee waivers
always read ratings that agree with the results.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select

from engine.kernel.uow import UnitOfWork
from storage.models import Ranking

K_FACTOR = 32
START_RATING = 1500


def expected_score(rating: int, opponent: int) -> float:
    return 1 / (1 + 10 ** ((opponent - rating) / 400))


def elo_update(rating_a: int, rating_b: int, score_a: float, k: int = K_FACTOR) -> tuple[int, int]:
    """New ratings after one match; ``score_a`` is 1 (A won), 0.5 (draw) or 0 (B won)."""
    delta = round(k * (score_a - expected_score(rating_a, rating_b)))
    return rating_a + delta, rating_b - delta


# Built once (every played result runs it): a reused statement keeps its cache key.
_RANKINGS = (
    select(Ranking)
    .where(
        Ranking.guild_id == bindparam("guild_id"),
        Ranking.game_id == bindparam("game_id"),
        Ranking.subject_type == bindparam("subject_type"),
        Ranking.subject_id.in_(bindparam("subject_ids", expanding=True)),
    )
    .with_for_update()
)


async def _rankings(
    uow: UnitOfWork, guild_id: int, game_id: int, subject_type: str, *subject_ids: int
) -> list[Ranking]:
    """The rankings of the subjects (made at the start rating when missing), read in one
    statement without flushing the transaction's other pending changes: they, and the
    rankings made here, go out together at the end (a new ranking is inserted once, with
    its rating after the result). Rankings made earlier in the transaction and not
    flushed yet are taken from the session."""
    with uow.session.no_autoflush:
        found = await uow.session.scalars(
            _RANKINGS,
            {
                "guild_id": guild_id,
                "game_id": game_id,
                "subject_type": subject_type,
                "subject_ids": sorted(set(subject_ids)),
            },
        )
        by_subject = {row.subject_id: row for row in found}
    for row in uow.session.new:
        if (
            isinstance(row, Ranking)
            and row.subject_id in subject_ids
            and (row.guild_id, row.game_id, row.subject_type) == (guild_id, game_id, subject_type)
        ):
            by_subject.setdefault(row.subject_id, row)
    missing = [i for i in dict.fromkeys(subject_ids) if i not in by_subject]
    for subject_id in missing:
        by_subject[subject_id] = Ranking(
            guild_id=guild_id,
            game_id=game_id,
            subject_type=subject_type,
            subject_id=subject_id,
            rating=START_RATING,
            matches_played=0,
            updated_at=uow.clock.now(),
        )
        uow.session.add(by_subject[subject_id])
    return [by_subject[i] for i in subject_ids]


async def record_result(
    uow: UnitOfWork,
    *,
    guild_id: int,
    game_id: int,
    subject_type: str,
    subject_a: int,
    subject_b: int,
    score_a: float,
) -> int:
    """Apply one played match to both ratings; returns the points A gained (B lost)."""
    first, second = await _rankings(uow, guild_id, game_id, subject_type, subject_a, subject_b)
    before = first.rating
    first.rating, second.rating = elo_update(first.rating, second.rating, score_a)
    _touch(uow, first, second, played=1)
    return first.rating - before


async def reverse_result(
    uow: UnitOfWork,
    *,
    guild_id: int,
    game_id: int,
    subject_type: str,
    subject_a: int,
    subject_b: int,
    delta: int,
) -> None:
    """Take back a result recorded earlier (it was corrected, or its match reset)."""
    first, second = await _rankings(uow, guild_id, game_id, subject_type, subject_a, subject_b)
    first.rating -= delta
    second.rating += delta
    _touch(uow, first, second, played=-1)


def _touch(uow: UnitOfWork, *rows: Ranking, played: int) -> None:
    now = uow.clock.now()
    for row in rows:
        row.matches_played = max(0, row.matches_played + played)
        row.updated_at = now
