"""Automatic challenges, judged in the transaction that records a match result.

``brackets.MatchesCompleted`` reaches :func:`judge_completed_matches` (registered in
``engine.services``); for each played match it checks the server's open automatic
challenges (the tournament's own and the server-wide ones) and pays each winner at once,
up to the challenge's number of winners and before its deadline. A win the pool cannot
pay right now is kept as a pending claim for an organizer to verify after funding it.
Nothing here can fail the result itself: each win is its own savepoint.
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError

from engine.brackets import MatchesCompleted
from engine.challenges._payout import award
from engine.challenges.events import ChallengeClaimSubmitted
from engine.challenges.rules import (
    AUTOMATIC,
    ChallengeStatus,
    ClaimStatus,
    Judge,
    MatchFacts,
    clean_sweep,
    upset,
)
from engine.kernel.errors import Conflict
from engine.kernel.uow import UnitOfWork
from engine.money import PoolExhausted
from storage.models import Challenge, ChallengeClaim, MatchRow, Registration

log = logging.getLogger(__name__)

PLAYED = "played"


# Built once: every result runs it (building it again cost more than running it).
_OPEN_AUTOMATIC = (
    select(Challenge)
    .where(
        Challenge.guild_id == bindparam("guild_id"),
        Challenge.status == ChallengeStatus.OPEN,
        Challenge.judge.in_([str(j) for j in AUTOMATIC]),
        Challenge.deadline > bindparam("now"),
        Challenge.winners < Challenge.max_winners,
        or_(
            Challenge.tournament_id == bindparam("tournament_id"),
            Challenge.tournament_id.is_(None),
        ),
    )
    .order_by(Challenge.id)
)


async def judge_completed_matches(uow: UnitOfWork, moment: MatchesCompleted) -> int:
    """Pay the automatic challenges these results win; returns how many wins were paid."""
    tournament = moment.tournament
    now = uow.clock.now()
    # Nothing pending in the result's transaction touches a challenge: read them without
    # flushing it (the result's rows go out together later, in one flush).
    with uow.session.no_autoflush:
        challenges = list(
            await uow.session.scalars(
                _OPEN_AUTOMATIC,
                {"guild_id": tournament.guild_id, "tournament_id": tournament.id, "now": now},
            )
        )
    if not challenges:
        return 0
    paid = 0
    for row in moment.matches:
        if row.outcome != PLAYED or row.winner_registration_id is None:
            continue
        loser_id = (
            row.registration_b_id
            if row.winner_registration_id == row.registration_a_id
            else row.registration_a_id
        )
        regs = {
            r.id: r
            for r in await uow.session.scalars(
                select(Registration).where(
                    Registration.id.in_([row.winner_registration_id, loser_id or 0])
                )
            )
        }
        winner = regs.get(row.winner_registration_id)
        if winner is None:
            continue
        loser = regs.get(loser_id) if loser_id is not None else None
        facts = _facts(row, winner, loser)
        for challenge in challenges:
            if challenge.created_at > (row.completed_at or now):
                continue
            if await _wins(uow, challenge, row, winner, facts):
                paid += await _auto_win(uow, challenge, winner.user_id, row.id)
    return paid


def _facts(row: MatchRow, winner: Registration, loser: Registration | None) -> MatchFacts:
    won_as_a = row.winner_registration_id == row.registration_a_id
    return MatchFacts(
        played=row.outcome == PLAYED,
        winner_score=row.score_a if won_as_a else row.score_b,
        loser_score=row.score_b if won_as_a else row.score_a,
        winner_seed=winner.seed,
        loser_seed=loser.seed if loser is not None else None,
    )


async def _wins(
    uow: UnitOfWork, challenge: Challenge, row: MatchRow, winner: Registration, facts: MatchFacts
) -> bool:
    if challenge.judge == Judge.CLEAN_SWEEP:
        return clean_sweep(facts)
    if challenge.judge == Judge.UPSET:
        return upset(facts)
    if challenge.judge == Judge.FIRST_TO and facts.played:
        return await _played_wins(uow, challenge, winner) >= (challenge.target or 1)
    return False


async def _played_wins(uow: UnitOfWork, challenge: Challenge, winner: Registration) -> int:
    """Wins by playing since the challenge was set: in its tournament, or for a
    server-wide challenge, the member's wins (as player or captain) in any tournament."""
    query = select(func.count(MatchRow.id)).where(
        MatchRow.outcome == PLAYED,
        MatchRow.completed_at >= challenge.created_at,
    )
    if challenge.tournament_id is not None:
        query = query.where(
            MatchRow.tournament_id == challenge.tournament_id,
            MatchRow.winner_registration_id == winner.id,
        )
    else:
        query = query.join(Registration, Registration.id == MatchRow.winner_registration_id).where(
            MatchRow.guild_id == challenge.guild_id, Registration.user_id == winner.user_id
        )
    return int(await uow.session.scalar(query) or 0)


async def _auto_win(uow: UnitOfWork, challenge: Challenge, user_id: int, match_id: int) -> int:
    """Record and pay one automatic win; 0 when it was not paid (already a winner, no place
    left, or the pool ran dry: then the claim waits for an organizer)."""
    session = uow.session
    exists = await session.scalar(
        select(ChallengeClaim.id).where(
            ChallengeClaim.challenge_id == challenge.id, ChallengeClaim.user_id == user_id
        )
    )
    if exists is not None:
        return 0  # one win per member and challenge
    claim = ChallengeClaim(
        challenge_id=challenge.id,
        guild_id=challenge.guild_id,
        user_id=user_id,
        status=ClaimStatus.PENDING,
        note=None,
        match_id=match_id,
        created_at=uow.clock.now(),
    )
    try:
        async with session.begin_nested():
            session.add(claim)
            await session.flush()
            try:
                async with session.begin_nested():
                    await award(uow, challenge, claim, actor_id=None, how="match")
            except PoolExhausted:
                log.info("challenge %s: pool too low to pay user %s", challenge.id, user_id)
                uow.emit(
                    ChallengeClaimSubmitted(
                        guild_id=challenge.guild_id,
                        challenge_id=challenge.id,
                        claim_id=claim.id,
                        title=challenge.title,
                        user_id=user_id,
                        organizer_id=challenge.created_by,
                        automatic=True,
                    )
                )
                return 0
    except (Conflict, IntegrityError):
        return 0  # every place was taken, or a claim was made meanwhile: nothing is kept
    return 1
