"""Challenges: organizers set them, members claim them, organizers verify or reject.

Prizes come from the server's challenge pool (``engine.money`` pools, key
``challenges``), funded by organizers from their wallet or as a server grant. A new
challenge is refused when the pool, less what open challenges already promise, cannot
cover its prizes; a payout can never overdraw the pool either way (one conditional
UPDATE). Deadlines are checked when a win happens: after the deadline no claim is taken
and no match wins, while claims sent in time can still be verified. What a challenge did
not pay out stays in the pool for the next one; ``close`` ends a challenge early and
``empty_pool`` (``/challenge withdraw``) hands the coins back once no open challenge
promises them: wallet coins to the wallets they came from, granted coins retired.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from engine.challenges._payout import (
    AlreadyDecided,
    ChallengeView,
    ClaimView,
    award,
    challenge_view,
    claim_view,
    coin_name,
    load_challenge,
    require_challenge_organizer,
)
from engine.challenges.events import (
    ChallengeClaimRejected,
    ChallengeClaimSubmitted,
    ChallengeCreated,
)
from engine.challenges.rules import (
    AUTOMATIC,
    MAX_NOTE,
    MAX_REVIEW_NOTE,
    SERVER_POOL_KEY,
    ChallengeDraft,
    ChallengeStatus,
    ClaimStatus,
    checked_draft,
)
from engine.guilds import is_guild_organizer, refuse_other_server, require_guild_organizer
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.text import Command, Timestamp, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.money import PoolReturn, PoolView, empty_pool, fund_pool, pool_balance
from engine.tournaments import (
    parse_local_time,
    require_any_organizing,
    require_tournament_organizer,
)
from storage.models import Challenge, ChallengeClaim, GuildSettings, StoredFile, Tournament

LIST_LIMIT = 25


class ChallengePool:
    """The server's challenge pool as organizers read it."""

    def __init__(self, balance: int, promised: int, coin_name: str) -> None:
        self.balance = balance
        self.promised = promised  # prizes open challenges may still pay
        self.free = max(0, balance - promised)
        self.coin_name = coin_name


async def _promised(session: AsyncSession, guild_id: int, key: str, now: datetime) -> int:
    total = await session.scalar(
        select(
            func.coalesce(
                func.sum(Challenge.prize * (Challenge.max_winners - Challenge.winners)), 0
            )
        ).where(
            Challenge.guild_id == guild_id,
            Challenge.pool_key == key,
            Challenge.status == ChallengeStatus.OPEN,
            Challenge.deadline > now,
        )
    )
    return int(total or 0)


def _refuse_closed(row: Challenge, now: datetime) -> None:
    if row.status != ChallengeStatus.OPEN:
        raise Conflict(msg("{title} is closed: it takes no more claims.", title=row.title))
    if now >= row.deadline:
        raise Conflict(
            msg(
                "The deadline of {title} passed {when}, so it takes no more claims.",
                title=row.title,
                when=Timestamp(row.deadline, "R"),
            )
        )
    if row.winners >= row.max_winners:
        raise Conflict(msg("All the prizes of {title} are already won.", title=row.title))


class ChallengeService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # Organizers: the pool and the challenges --------------------------------------------

    async def fund(
        self, actor: Actor, guild_id: int, amount: int, *, from_wallet: bool
    ) -> PoolView:
        """Add coins to the server's challenge pool: from the organizer's own wallet, or
        as a server grant (new coins, as with a coin grant)."""
        async with self._ctx.unit_of_work() as uow:
            await require_guild_organizer(uow.session, actor, guild_id)
            return await fund_pool(
                uow,
                actor_id=actor.user_id,
                guild_id=guild_id,
                key=SERVER_POOL_KEY,
                amount=amount,
                from_wallet=from_wallet,
                idempotency_key=f"challenge-fund:{uow.random.getrandbits(64):016x}",
            )

    async def pool(self, guild_id: int) -> ChallengePool:
        async with self._ctx.read() as session:
            return ChallengePool(
                await pool_balance(session, guild_id, SERVER_POOL_KEY),
                await _promised(session, guild_id, SERVER_POOL_KEY, self._ctx.clock.now()),
                await coin_name(session, guild_id),
            )

    async def empty_pool(self, actor: Actor, guild_id: int) -> PoolReturn:
        """Take what the pool holds back out: wallet coins go back to whoever put them in,
        granted coins go away. Refused while open challenges still promise prizes."""
        async with self._ctx.unit_of_work() as uow:
            await require_guild_organizer(uow.session, actor, guild_id)
            promised = await _promised(uow.session, guild_id, SERVER_POOL_KEY, uow.clock.now())
            if promised:
                raise Conflict(
                    msg(
                        "Open challenges still promise {promised} coins from the pool. "
                        "Close them with {close} first.",
                        promised=promised,
                        close=Command("challenge close"),
                    )
                )
            return await empty_pool(
                uow, guild_id=guild_id, key=SERVER_POOL_KEY, actor_id=actor.user_id
            )

    async def create(self, actor: Actor, guild_id: int, draft: ChallengeDraft) -> ChallengeView:
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            now = uow.clock.now()
            if draft.tournament_id is not None:
                tournament = await session.get(Tournament, draft.tournament_id)
                if tournament is None or tournament.guild_id != guild_id:
                    raise NotFound(msg("That tournament is not in this server."))
                await require_tournament_organizer(session, actor, tournament)
            else:
                await require_guild_organizer(session, actor, guild_id)
            if isinstance(draft.deadline, str):
                settings = await session.get(GuildSettings, guild_id)
                timezone = settings.timezone if settings is not None else "UTC"
                draft = replace(draft, deadline=parse_local_time(draft.deadline, timezone))
            clean = checked_draft(draft, now)
            await self._refuse_uncovered(session, guild_id, clean, now)
            row = Challenge(
                guild_id=guild_id,
                tournament_id=clean.tournament_id,
                title=clean.title,
                rules=clean.rules,
                prize=clean.prize,
                max_winners=clean.max_winners,
                winners=0,
                judge=clean.judge,
                target=clean.target,
                deadline=clean.deadline,
                status=ChallengeStatus.OPEN,
                pool_key=SERVER_POOL_KEY,
                created_by=actor.user_id,
                created_at=now,
            )
            session.add(row)
            await session.flush()
            view = await challenge_view(session, row)
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="challenge.create",
                target_type="challenge",
                target_id=row.id,
                after={
                    "title": row.title,
                    "prize": row.prize,
                    "max_winners": row.max_winners,
                    "judge": row.judge,
                    "target": row.target,
                    "deadline": row.deadline.isoformat(),
                    "tournament_id": row.tournament_id,
                },
            )
            uow.emit(
                ChallengeCreated(
                    guild_id=guild_id,
                    challenge_id=row.id,
                    title=row.title,
                    prize=row.prize,
                    max_winners=row.max_winners,
                    judge=row.judge,
                    target=row.target,
                    deadline=row.deadline.isoformat(),
                    tournament_id=row.tournament_id,
                    coin_name=view.coin_name,
                )
            )
            return view

    async def _refuse_uncovered(
        self, session: AsyncSession, guild_id: int, draft: ChallengeDraft, now: datetime
    ) -> None:
        balance = await pool_balance(session, guild_id, SERVER_POOL_KEY)
        promised = await _promised(session, guild_id, SERVER_POOL_KEY, now)
        needed = draft.prize * draft.max_winners
        if needed > balance - promised:
            raise InvalidInput(
                msg(
                    "The prize is larger than the challenge pool can cover: {needed} {coins} "
                    "({prize} for each of {winners} winners), and the pool has {free} "
                    "{coins} free ({balance} held, {promised} promised to open challenges). "
                    "Add coins with {fund} or lower the prize.",
                    needed=needed,
                    prize=draft.prize,
                    winners=draft.max_winners,
                    free=max(0, balance - promised),
                    balance=balance,
                    promised=promised,
                    coins=await coin_name(session, guild_id),
                    fund=Command("challenge fund"),
                )
            )

    async def close(self, actor: Actor, challenge_id: int) -> ChallengeView:
        """End a challenge before its deadline: no more claims or wins; what it did not pay
        stays in the pool for the next challenge."""
        async with self._ctx.unit_of_work() as uow:
            row = await load_challenge(uow.session, challenge_id, actor.guild_id)
            await require_challenge_organizer(uow.session, actor, row)
            if row.status != ChallengeStatus.OPEN:
                raise Conflict(msg("{title} is already closed.", title=row.title))
            row.status = ChallengeStatus.CLOSED
            row.closed_at = uow.clock.now()
            await uow.session.flush()
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="challenge.close",
                target_type="challenge",
                target_id=row.id,
                before={"status": ChallengeStatus.OPEN},
                after={
                    "status": ChallengeStatus.CLOSED,
                    "winners": row.winners,
                    "tournament_id": row.tournament_id,
                },
            )
            return await challenge_view(uow.session, row)

    # Reading ------------------------------------------------------------------------------

    async def list_challenges(
        self, guild_id: int, *, include_closed: bool = False, tournament_id: int | None = None
    ) -> list[ChallengeView]:
        """Open challenges first (soonest deadline first), then, if asked, the others."""
        now = self._ctx.clock.now()
        async with self._ctx.read() as session:
            query = select(Challenge).where(Challenge.guild_id == guild_id)
            if tournament_id is not None:
                query = query.where(Challenge.tournament_id == tournament_id)
            if not include_closed:
                query = query.where(
                    Challenge.status == ChallengeStatus.OPEN, Challenge.deadline > now
                )
            rows = await session.scalars(query.order_by(Challenge.deadline, Challenge.id))
            views = [await challenge_view(session, row) for row in rows]
        views.sort(key=lambda v: (not v.is_open(now), v.deadline, v.id))
        return views[:LIST_LIMIT]

    async def get(self, guild_id: int, challenge_id: int) -> ChallengeView:
        async with self._ctx.read() as session:
            return await challenge_view(
                session, await load_challenge(session, challenge_id, guild_id)
            )

    async def claims(
        self,
        guild_id: int,
        *,
        challenge_id: int | None = None,
        status: str | None = None,
        limit: int = LIST_LIMIT,
    ) -> list[ClaimView]:
        """Claims of the server (or one challenge), oldest first."""
        async with self._ctx.read() as session:
            query = (
                select(ChallengeClaim, Challenge)
                .join(Challenge, Challenge.id == ChallengeClaim.challenge_id)
                .where(ChallengeClaim.guild_id == guild_id)
            )
            if challenge_id is not None:
                query = query.where(ChallengeClaim.challenge_id == challenge_id)
            if status is not None:
                query = query.where(ChallengeClaim.status == status)
            rows = (await session.execute(query.order_by(ChallengeClaim.id).limit(limit))).all()
            coins = await coin_name(session, guild_id)
            return [claim_view(claim, challenge, coins) for claim, challenge in rows]

    async def review_queue(self, actor: Actor, guild_id: int) -> list[ClaimView]:
        """The pending claims this organizer may decide, oldest first: a tournament's for
        who runs it, the server-wide ones for the server's organizers."""
        async with self._ctx.read() as session:
            runs = await require_any_organizing(session, actor, guild_id)
            server_wide = await is_guild_organizer(session, actor, guild_id)
            rows = (
                await session.execute(
                    select(ChallengeClaim, Challenge)
                    .join(Challenge, Challenge.id == ChallengeClaim.challenge_id)
                    .where(
                        ChallengeClaim.guild_id == guild_id,
                        ChallengeClaim.status == ClaimStatus.PENDING,
                    )
                    .order_by(ChallengeClaim.id)
                )
            ).all()
            coins = await coin_name(session, guild_id)
            return [
                claim_view(claim, challenge, coins)
                for claim, challenge in rows
                if (
                    server_wide
                    if challenge.tournament_id is None
                    else runs is None or challenge.tournament_id in runs
                )
            ]

    async def evidence(self, actor: Actor, claim_id: int) -> tuple[bytes, str] | None:
        """A claim's screenshot (bytes, content type), for who may decide the claim; None
        when the claim came with a note only."""
        async with self._ctx.read() as session:
            claim = await session.get(ChallengeClaim, claim_id)
            if claim is None or claim.guild_id != actor.guild_id:
                raise NotFound(msg("There is no claim #{id} in this server.", id=claim_id))
            row = await load_challenge(session, claim.challenge_id, claim.guild_id)
            await require_challenge_organizer(session, actor, row)
            if claim.evidence_sha256 is None:
                return None
            sha256 = claim.evidence_sha256
            content_type = await session.scalar(
                select(StoredFile.content_type).where(StoredFile.sha256 == sha256)
            )
        try:
            data = await asyncio.to_thread(self._ctx.files.read, sha256)
        except FileNotFoundError:
            raise NotFound(
                msg(
                    "The screenshot of this claim is missing from the file store. Ask the "
                    "member to claim again, or check the storage directory."
                )
            ) from None
        return data, content_type or "application/octet-stream"

    async def winners(self, guild_id: int) -> list[ClaimView]:
        return await self.claims(guild_id, status=ClaimStatus.WON, limit=200)

    # Members: claims ---------------------------------------------------------------------

    async def claim(
        self,
        actor: Actor,
        challenge_id: int,
        *,
        note: str | None = None,
        evidence: bytes | None = None,
        evidence_name: str | None = None,
    ) -> ClaimView:
        """A member claims a review challenge with evidence (an image, a note or link)."""
        guild_id = actor.guild_id
        note = (note or "").strip() or None
        async with self._ctx.read() as session:
            row = await load_challenge(session, challenge_id, guild_id)
            refuse_other_server(actor, row.guild_id)
            await self._refuse_claim(session, actor, row)
        if note is not None and len(note) > MAX_NOTE:
            raise InvalidInput(msg("Keep the note to {max} characters.", max=MAX_NOTE))
        if note is None and evidence is None:
            raise InvalidInput(
                msg(
                    "A claim needs evidence: attach a screenshot, or write a note with a "
                    "link to a clip or match page."
                )
            )
        image = None
        if evidence is not None:
            image = await self._ctx.uploads.check_image(
                evidence, what="evidence", name=evidence_name
            )
        async with self._ctx.unit_of_work() as uow:
            row = await load_challenge(uow.session, challenge_id, guild_id)
            await self._refuse_claim(uow.session, actor, row)
            sha256 = None
            if image is not None:
                sha256 = await self._ctx.uploads.store(
                    uow, image, guild_id=row.guild_id, user_id=actor.user_id
                )
            claim = ChallengeClaim(
                challenge_id=row.id,
                guild_id=row.guild_id,
                user_id=actor.user_id,
                status=ClaimStatus.PENDING,
                note=note,
                evidence_sha256=sha256,
                created_at=uow.clock.now(),
            )
            try:
                async with uow.session.begin_nested():
                    uow.session.add(claim)
                    await uow.session.flush()
            except IntegrityError:
                raise _already_claimed(row.title) from None
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="challenge.claim",
                target_type="challenge",
                target_id=row.id,
                after={
                    "claim_id": claim.id,
                    "evidence": sha256,
                    "note": note,
                    "tournament_id": row.tournament_id,
                },
            )
            uow.emit(
                ChallengeClaimSubmitted(
                    guild_id=row.guild_id,
                    challenge_id=row.id,
                    claim_id=claim.id,
                    title=row.title,
                    user_id=actor.user_id,
                    organizer_id=row.created_by,
                )
            )
            return claim_view(claim, row, await coin_name(uow.session, row.guild_id))

    async def _refuse_claim(self, session: AsyncSession, actor: Actor, row: Challenge) -> None:
        if row.judge in AUTOMATIC:
            raise Conflict(
                msg(
                    "{title} is judged from match results: wins count by themselves, so "
                    "there is nothing to claim.",
                    title=row.title,
                )
            )
        _refuse_closed(row, self._ctx.clock.now())
        mine = await session.scalar(
            select(ChallengeClaim.id).where(
                ChallengeClaim.challenge_id == row.id, ChallengeClaim.user_id == actor.user_id
            )
        )
        if mine is not None:
            raise _already_claimed(row.title)

    # Organizers: decisions -----------------------------------------------------------------

    async def verify(self, actor: Actor, claim_id: int) -> ClaimView:
        """Accept a claim and pay its prize from the pool, once. Verifying a claim that was
        already paid changes nothing and says so (``replayed``)."""
        async with self._ctx.unit_of_work() as uow:
            claim, row = await self._decision(uow, actor, claim_id)
            coins = await coin_name(uow.session, row.guild_id)
            if claim.status == ClaimStatus.WON:
                return claim_view(claim, row, coins, replayed=True)
            if claim.status == ClaimStatus.REJECTED:
                raise Conflict(msg("That claim was already rejected, so it cannot be paid."))
            if row.status != ChallengeStatus.OPEN:
                raise Conflict(msg("{title} is closed: it pays no more prizes.", title=row.title))
            try:
                entry = await award(uow, row, claim, actor_id=actor.user_id, how="review")
            except AlreadyDecided:
                # Another organizer's verification committed while we waited for the row.
                claim = await self._reload(uow.session, claim_id)
                if claim.status == ClaimStatus.WON:
                    return claim_view(claim, row, coins, replayed=True)
                raise
            claim = await self._reload(uow.session, claim_id)
            return claim_view(claim, row, coins, balance_after=entry.balance_after)

    async def reject(self, actor: Actor, claim_id: int, reason: str) -> ClaimView:
        reason = (reason or "").strip()
        if not 1 <= len(reason) <= MAX_REVIEW_NOTE:
            raise InvalidInput(
                msg("Give the player a reason of 1 to {max} characters.", max=MAX_REVIEW_NOTE)
            )
        async with self._ctx.unit_of_work() as uow:
            claim, row = await self._decision(uow, actor, claim_id)
            done = await uow.session.execute(
                update(ChallengeClaim)
                .where(ChallengeClaim.id == claim.id, ChallengeClaim.status == ClaimStatus.PENDING)
                .values(
                    status=ClaimStatus.REJECTED,
                    reviewer_id=actor.user_id,
                    review_note=reason,
                    decided_at=uow.clock.now(),
                )
                .execution_options(synchronize_session=False)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                claim = await self._reload(uow.session, claim_id)
                raise Conflict(
                    msg("That claim was already decided ({status}).", status=claim.status)
                )
            claim = await self._reload(uow.session, claim_id)
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="challenge.reject",
                target_type="challenge",
                target_id=row.id,
                before={"claim_id": claim.id, "status": ClaimStatus.PENDING},
                after={
                    "claim_id": claim.id,
                    "status": ClaimStatus.REJECTED,
                    "reason": reason,
                    "tournament_id": row.tournament_id,
                },
            )
            uow.emit(
                ChallengeClaimRejected(
                    guild_id=row.guild_id,
                    challenge_id=row.id,
                    claim_id=claim.id,
                    title=row.title,
                    user_id=claim.user_id,
                    reviewer_id=actor.user_id,
                    reason=reason,
                )
            )
            return claim_view(claim, row, await coin_name(uow.session, row.guild_id))

    async def _decision(
        self, uow: UnitOfWork, actor: Actor, claim_id: int
    ) -> tuple[ChallengeClaim, Challenge]:
        claim = await uow.session.get(ChallengeClaim, claim_id)
        if claim is None or (actor.guild_id is not None and claim.guild_id != actor.guild_id):
            raise NotFound(
                msg(
                    "There is no claim #{id} in this server. Pending claims are offered in "
                    "the claim option.",
                    id=claim_id,
                )
            )
        row = await load_challenge(uow.session, claim.challenge_id, claim.guild_id)
        await require_challenge_organizer(uow.session, actor, row)
        return claim, row

    @staticmethod
    async def _reload(session: AsyncSession, claim_id: int) -> ChallengeClaim:
        claim = await session.scalar(
            select(ChallengeClaim)
            .where(ChallengeClaim.id == claim_id)
            .execution_options(populate_existing=True)
        )
        assert claim is not None
        return claim


def _already_claimed(title: str) -> Conflict:
    return Conflict(
        msg(
            "You already claimed {title}; one claim per member. The organizers will tell "
            "you what they decide.",
            title=title,
        )
    )
