"""Coins for a tournament's top predictors, paid from its prediction pool.

Organizers fund the pool (``predictions:<tournament id>``, engine.money's coin pools) with
``/predict fund``; ``prediction_rewards`` (e.g. 100/50/25) says what places 1, 2, 3… get.
When the bracket finishes, in the same transaction as the tournament's completion, the
leaderboard's top N are paid in rank order, each once (a ``PredictionReward`` row and the
ledger's idempotency key ``predictions:<tournament>:<user>``): a pool never goes below zero,
and when it is short the payouts stop at the first place it cannot pay, the rest are
listed unpaid and the organizers are told (``PredictionRewardsPaid.unpaid``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from engine.brackets import BracketFinished
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict
from engine.kernel.text import msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.money import PoolExhausted, PoolView, fund_pool, pay_from_pool, pool_balance
from engine.predictions.events import PredictionRewardsPaid
from engine.predictions.service import standings
from engine.tournaments import require_tournament_organizer
from storage.models import PredictionReward, Tournament
from storage.models.enums import TournamentStatus


def pool_key(tournament_id: int) -> str:
    return f"predictions:{tournament_id}"


@dataclass(frozen=True)
class RewardsOutcome:
    paid: tuple[dict[str, int], ...]
    unpaid: tuple[dict[str, int], ...]
    pool_left: int


async def pay_prediction_rewards(uow: UnitOfWork, moment: BracketFinished) -> None:
    """Reaction: the bracket finished; pay the top predictors what the pool holds."""
    await _pay(uow, moment.tournament, moment.actor_id)


async def _pay(uow: UnitOfWork, tournament: Tournament, actor_id: int | None) -> RewardsOutcome:
    rewards = list(tournament.prediction_rewards or ())
    nothing = RewardsOutcome((), (), 0)
    if not tournament.predictions or not rewards:
        return nothing
    session = uow.session
    ranked, _ = await standings(session, tournament.id)
    ranked = [r for r in ranked if r.points > 0][: len(rewards)]
    if not ranked:
        return nothing
    done = set(
        await session.scalars(
            select(PredictionReward.user_id).where(PredictionReward.tournament_id == tournament.id)
        )
    )
    paid: list[dict[str, int]] = []
    unpaid: list[dict[str, int]] = []
    for row, coins in zip(ranked, rewards, strict=False):
        line = {"user_id": row.user_id, "place": row.rank, "coins": coins}
        if row.user_id in done:
            continue
        if unpaid:
            unpaid.append(line)  # rank order: nobody below a place the pool could not pay
            continue
        try:
            await pay_from_pool(
                uow,
                guild_id=tournament.guild_id,
                key=pool_key(tournament.id),
                user_id=row.user_id,
                amount=coins,
                idempotency_key=f"predictions:{tournament.id}:{row.user_id}",
                reason=f"Predictions reward, place {row.rank} in {tournament.name}"[:200],
            )
        except PoolExhausted:
            unpaid.append(line)
            continue
        session.add(
            PredictionReward(
                guild_id=tournament.guild_id,
                tournament_id=tournament.id,
                user_id=row.user_id,
                place=row.rank,
                coins=coins,
                created_at=uow.clock.now(),
            )
        )
        paid.append(line)
    if not paid and not unpaid:
        return nothing
    left = await pool_balance(session, tournament.guild_id, pool_key(tournament.id))
    uow.audit(
        guild_id=tournament.guild_id,
        actor_id=actor_id,
        action="prediction.rewards",
        target_type="tournament",
        target_id=tournament.id,
        after={"paid": paid, "unpaid": unpaid, "pool_left": left},
    )
    uow.emit(
        PredictionRewardsPaid(
            guild_id=tournament.guild_id,
            tournament_id=tournament.id,
            owner_id=tournament.created_by,
            paid=paid,
            unpaid=unpaid,
            pool_left=left,
        )
    )
    return RewardsOutcome(tuple(paid), tuple(unpaid), left)


class PredictionPool:
    """The organizers' side of a tournament's prediction pool."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def fund(
        self, actor: Actor, tournament_id: int, amount: int, *, from_wallet: bool = True
    ) -> PoolView:
        """Add coins to the tournament's prediction pool: from the organizer's wallet, or
        as a server grant."""
        async with self._ctx.unit_of_work() as uow:
            await require_tournament_organizer(uow.session, actor, tournament_id)
            tournament = await uow.session.get(Tournament, tournament_id)
            assert tournament is not None
            return await fund_pool(
                uow,
                actor_id=actor.user_id,
                guild_id=tournament.guild_id,
                key=pool_key(tournament_id),
                amount=amount,
                from_wallet=from_wallet,
                idempotency_key=f"pool:{uuid.uuid4().hex}",
            )

    async def payout(self, actor: Actor, tournament_id: int) -> RewardsOutcome:
        """Pay the places a short pool left unpaid (after funding it again); those already
        paid are never paid twice."""
        async with self._ctx.unit_of_work() as uow:
            await require_tournament_organizer(uow.session, actor, tournament_id)
            tournament = await uow.session.get(Tournament, tournament_id, with_for_update=True)
            assert tournament is not None
            if tournament.status != TournamentStatus.COMPLETED:
                raise Conflict(
                    msg(
                        "“{name}” has not ended yet; its top predictors are paid when it does.",
                        name=tournament.name,
                    )
                )
            outcome = await _pay(uow, tournament, actor.user_id)
            if not outcome.paid and not outcome.unpaid:
                raise Conflict(
                    msg(
                        "Nobody is waiting for a predictions reward in “{name}”.",
                        name=tournament.name,
                    )
                )
            return outcome

    async def balance(self, guild_id: int, tournament_id: int) -> int:
        async with self._ctx.read() as session:
            return await pool_balance(session, guild_id, pool_key(tournament_id))
