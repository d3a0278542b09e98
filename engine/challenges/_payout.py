"""Shared by claims and automatic judging: the views, who may decide, and paying a winner
(once per winner, never past the number of winners, from the pool, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from engine.challenges.events import ChallengeWon
from engine.challenges.rules import ChallengeStatus, ClaimStatus
from engine.guilds import refuse_other_server, require_guild_organizer
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, NotFound
from engine.kernel.text import Command, msg
from engine.kernel.uow import UnitOfWork
from engine.money import LedgerEntryView, pay_from_pool
from engine.tournaments import require_tournament_organizer
from storage.models import Challenge, ChallengeClaim, GuildSettings, Tournament
from storage.models.enums import LedgerKind


class AlreadyDecided(Conflict):
    """The claim was no longer pending when the decision reached it."""


@dataclass(frozen=True)
class ChallengeView:
    id: int
    guild_id: int
    tournament_id: int | None
    tournament_name: str | None
    title: str
    rules: str
    prize: int
    max_winners: int
    winners: int
    judge: str
    target: int | None
    deadline: datetime
    status: str
    created_by: int
    created_at: datetime
    coin_name: str

    def is_open(self, now: datetime) -> bool:
        return (
            self.status == ChallengeStatus.OPEN
            and now < self.deadline
            and self.winners < self.max_winners
        )


@dataclass(frozen=True)
class ClaimView:
    id: int
    challenge_id: int
    challenge_title: str
    guild_id: int
    user_id: int
    status: str
    note: str | None
    has_evidence: bool
    match_id: int | None
    prize: int
    coin_name: str
    created_at: datetime
    review_note: str | None = None
    # After a payout: the winner's balance; ``replayed`` when it had been paid before.
    balance_after: int | None = None
    replayed: bool = False


async def coin_name(session: AsyncSession, guild_id: int) -> str:
    name = await session.scalar(
        select(GuildSettings.coin_name).where(GuildSettings.guild_id == guild_id)
    )
    return name or "coins"


async def challenge_view(session: AsyncSession, row: Challenge) -> ChallengeView:
    tournament_name = None
    if row.tournament_id is not None:
        tournament_name = await session.scalar(
            select(Tournament.name).where(Tournament.id == row.tournament_id)
        )
    return ChallengeView(
        id=row.id,
        guild_id=row.guild_id,
        tournament_id=row.tournament_id,
        tournament_name=tournament_name,
        title=row.title,
        rules=row.rules,
        prize=row.prize,
        max_winners=row.max_winners,
        winners=row.winners,
        judge=row.judge,
        target=row.target,
        deadline=row.deadline,
        status=row.status,
        created_by=row.created_by,
        created_at=row.created_at,
        coin_name=await coin_name(session, row.guild_id),
    )


def claim_view(
    claim: ChallengeClaim,
    challenge: Challenge,
    coins: str,
    *,
    balance_after: int | None = None,
    replayed: bool = False,
) -> ClaimView:
    return ClaimView(
        id=claim.id,
        challenge_id=challenge.id,
        challenge_title=challenge.title,
        guild_id=claim.guild_id,
        user_id=claim.user_id,
        status=claim.status,
        note=claim.note,
        has_evidence=claim.evidence_sha256 is not None,
        match_id=claim.match_id,
        prize=challenge.prize,
        coin_name=coins,
        created_at=claim.created_at,
        review_note=claim.review_note,
        balance_after=balance_after,
        replayed=replayed,
    )


async def load_challenge(
    session: AsyncSession, challenge_id: int, guild_id: int | None
) -> Challenge:
    row = await session.scalar(
        select(Challenge)
        .where(Challenge.id == challenge_id)
        .execution_options(populate_existing=True)
    )
    if row is None or (guild_id is not None and row.guild_id != guild_id):
        raise NotFound(
            msg(
                "There is no challenge #{id} in this server. See the open ones with {list}.",
                id=challenge_id,
                list=Command("challenge list"),
            )
        )
    return row


async def require_challenge_organizer(session: AsyncSession, actor: Actor, row: Challenge) -> None:
    """A tournament's challenge is decided by who runs the tournament; a server's by its
    organizers."""
    refuse_other_server(actor, row.guild_id)
    if row.tournament_id is not None:
        await require_tournament_organizer(session, actor, row.tournament_id)
    else:
        await require_guild_organizer(session, actor, row.guild_id)


def payout_key(challenge_id: int, user_id: int) -> str:
    """The ledger key of a winner's prize: a winner is paid once, however often a verify
    is clicked or a result is corrected and confirmed again."""
    return f"challenge:{challenge_id}:winner:{user_id}"


async def award(
    uow: UnitOfWork,
    challenge: Challenge,
    claim: ChallengeClaim,
    *,
    actor_id: int | None,
    how: str,
) -> LedgerEntryView:
    """Turn a pending claim into a paid win, in the caller's transaction: one conditional
    UPDATE on the claim (pending → won), one on the challenge (a winner's place left),
    then the prize from the pool. Raises ``Conflict`` (all places taken, the claim already
    decided) or ``PoolExhausted``; the caller's transaction then changes nothing."""
    session = uow.session
    now = uow.clock.now()
    won = await session.execute(
        update(ChallengeClaim)
        .where(ChallengeClaim.id == claim.id, ChallengeClaim.status == ClaimStatus.PENDING)
        .values(status=ClaimStatus.WON, reviewer_id=actor_id, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadyDecided(msg("That claim was already decided by another organizer."))
    winners = await session.scalar(
        update(Challenge)
        .where(
            Challenge.id == challenge.id,
            Challenge.status == ChallengeStatus.OPEN,
            Challenge.winners < Challenge.max_winners,
        )
        .values(winners=Challenge.winners + 1)
        .returning(Challenge.winners)
        .execution_options(synchronize_session=False)
    )
    if winners is None:
        raise Conflict(
            msg(
                "{title} has no prize left to win: it is closed or all its winners are "
                "paid. Reject the claim instead.",
                title=challenge.title,
            )
        )
    entry = await pay_from_pool(
        uow,
        guild_id=challenge.guild_id,
        key=challenge.pool_key,
        user_id=claim.user_id,
        amount=challenge.prize,
        idempotency_key=payout_key(challenge.id, claim.user_id),
        reason=f"Challenge: {challenge.title}"[:200],
        kind=LedgerKind.CHALLENGE,
        actor_id=actor_id,
    )
    await session.execute(
        update(ChallengeClaim)
        .where(ChallengeClaim.id == claim.id)
        .values(ledger_entry_id=entry.id)
        .execution_options(synchronize_session=False)
    )
    coins = await coin_name(session, challenge.guild_id)
    uow.audit(
        guild_id=challenge.guild_id,
        actor_id=actor_id,
        action="challenge.win",
        target_type="challenge",
        target_id=challenge.id,
        before={"claim_id": claim.id, "status": ClaimStatus.PENDING, "winners": winners - 1},
        after={
            "claim_id": claim.id,
            "status": ClaimStatus.WON,
            "user_id": claim.user_id,
            "prize": challenge.prize,
            "winners": winners,
            "ledger_entry_id": entry.id,
            "how": how,
            "tournament_id": challenge.tournament_id,
        },
    )
    uow.emit(
        ChallengeWon(
            guild_id=challenge.guild_id,
            challenge_id=challenge.id,
            claim_id=claim.id,
            title=challenge.title,
            user_id=claim.user_id,
            prize=challenge.prize,
            balance_after=entry.balance_after,
            how=how,
            winners=winners,
            max_winners=challenge.max_winners,
            match_id=claim.match_id,
            coin_name=coins,
        )
    )
    return entry
