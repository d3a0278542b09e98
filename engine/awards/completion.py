"""A tournament ends: placings, prizes in coins (teams split among the roster), money
prizes recorded for the organizer to pay, status completed, and the completion event.
Runs inside the transaction of the result that decided the final, and is idempotent."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from engine.brackets import BracketFinished, TournamentCompleted
from engine.formats import Bracket, Placement
from engine.kernel.uow import UnitOfWork
from engine.money import move_coins
from engine.tournaments import apply_status_change
from storage.models import Placing, Registration, RegistrationMember, Tournament
from storage.models.enums import LedgerKind, TournamentStatus


def prize_shares(pool: int, distribution: list[int], placements: list[Placement]) -> dict[Any, int]:
    """Split ``pool`` (coins or minor units) by percent per place.

    Participants tied at place p over k places share the percentages of places p..p+k-1
    equally; integer division leaves any remainder unpaid rather than inventing money.
    """
    if pool <= 0 or not distribution:
        return {}
    by_place: dict[int, list[Any]] = defaultdict(list)
    for placement in placements:
        by_place[placement.place].append(placement.participant_id)
    shares: dict[Any, int] = {}
    for place, tied in by_place.items():
        percents = distribution[place - 1 : place - 1 + len(tied)]
        if not percents:
            continue
        each = pool * sum(percents) // (100 * len(tied))
        for participant in tied:
            shares[participant] = each
    return shares


async def _pay_coins(
    uow: UnitOfWork, tournament: Tournament, registration: Registration, amount: int
) -> None:
    """Coins to a solo player, or split equally in a team; the remainder to the captain."""
    members = [
        m.user_id
        for m in await uow.session.scalars(
            select(RegistrationMember)
            .where(RegistrationMember.registration_id == registration.id)
            .order_by(RegistrationMember.id)
        )
    ] or [registration.user_id]
    each, remainder = divmod(amount, len(members))
    for user_id in members:
        share = each + (remainder if user_id == registration.user_id else 0)
        if share <= 0:
            continue
        await move_coins(
            uow,
            guild_id=tournament.guild_id,
            user_id=user_id,
            amount=share,
            kind=LedgerKind.PRIZE,
            reason=f"Prize: {tournament.name}",
            idempotency_key=f"prize:{tournament.id}:{registration.id}:{user_id}",
            actor_id=None,
        )


async def complete_tournament(
    uow: UnitOfWork, tournament: Tournament, bracket: Bracket, *, actor_id: int | None
) -> None:
    if tournament.status != TournamentStatus.LIVE:
        return
    already = await uow.session.scalar(
        select(Placing.id).where(Placing.tournament_id == tournament.id).limit(1)
    )
    if already is not None:
        return
    placements = bracket.placements()
    coins = prize_shares(tournament.prize_pool_coins, tournament.prize_distribution, placements)
    money = prize_shares(tournament.prize_pool_minor, tournament.prize_distribution, placements)
    registrations = {
        r.id: r
        for r in await uow.session.scalars(
            select(Registration).where(Registration.tournament_id == tournament.id)
        )
    }
    summary: list[dict[str, Any]] = []
    for placement in placements:
        registration = registrations[int(placement.participant_id)]
        prize_coins = coins.get(placement.participant_id, 0)
        prize_minor = money.get(placement.participant_id, 0)
        uow.session.add(
            Placing(
                tournament_id=tournament.id,
                registration_id=registration.id,
                place=placement.place,
                prize_coins=prize_coins,
                prize_minor=prize_minor,
            )
        )
        if prize_coins:
            await _pay_coins(uow, tournament, registration, prize_coins)
        summary.append(
            {
                "registration_id": registration.id,
                "place": placement.place,
                "name": registration.display_name,
                "user_id": registration.user_id,
                "team_id": registration.team_id,
                "prize_coins": prize_coins,
                "prize_minor": prize_minor,
            }
        )
    await apply_status_change(
        uow, tournament, TournamentStatus.COMPLETED, actor_id, reason="The final was decided."
    )
    uow.audit(
        guild_id=tournament.guild_id,
        actor_id=actor_id,
        action="tournament.complete",
        target_type="tournament",
        target_id=tournament.id,
        after={"placings": summary},
    )
    uow.emit(
        TournamentCompleted(
            guild_id=tournament.guild_id,
            tournament_id=tournament.id,
            name=tournament.name,
            placings=summary,
        )
    )


async def complete_finished_bracket(uow: UnitOfWork, moment: BracketFinished) -> None:
    """Reaction: the bracket's last result is in (registered by the composition root)."""
    await complete_tournament(uow, moment.tournament, moment.bracket, actor_id=moment.actor_id)
