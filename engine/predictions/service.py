"""Fan predictions: members pick each match's winner until it locks, and score points.

A pick is taken while the match waits to be played: both sides known, check-in open or
ready, not LIVE and no score reported yet. The first report, or the match going LIVE
(both sides checked in, its time came, or an organizer started it), locks it for good.
The players of a match (every member of a team) cannot predict it. A member may change
their pick until the lock; the last one counts. Points (``scoring.py``) are computed when
read, from the picks and the matches' current results, so a corrected result rescores.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from engine.brackets import MatchState
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, NotFound, PermissionDenied
from engine.kernel.text import Command, msg
from engine.kernel.uow import ServiceContext
from engine.predictions import scoring
from engine.predictions.views import (
    PickResult,
    PredictableMatch,
    PredictionBoard,
    PredictionTally,
    PredictorRow,
)
from storage.models import (
    GuildSettings,
    MatchReport,
    MatchRow,
    Prediction,
    PredictionPost,
    PredictionReward,
    Registration,
    RegistrationMember,
    Tournament,
)

OPEN_FOR_PICKS = (MatchState.CHECKIN.value, MatchState.READY.value)
BOARD_SIZE = 10
NAME_LENGTH = 64


def _reported(match_id: Any) -> Any:
    return exists().where(MatchReport.match_id == match_id)


def is_locked(row: MatchRow, reported: bool) -> bool:
    """Whether picks of ``row`` are closed (see the module's docstring)."""
    return (
        row.status not in OPEN_FOR_PICKS
        or row.live_at is not None
        or reported
        or row.registration_a_id is None
        or row.registration_b_id is None
    )


class PredictionService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # ------------------------------------------------------------------- picking
    async def predict(self, actor: Actor, match_id: int, slot: int) -> PickResult:
        """Pick side ``slot`` (0 or 1) of the match as its winner."""
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            row = await session.get(MatchRow, match_id, with_for_update=True)
            if row is None or (actor.guild_id is not None and row.guild_id != actor.guild_id):
                raise NotFound(msg("That match does not exist in this server."))
            tournament = await session.get(Tournament, row.tournament_id)
            assert tournament is not None
            if not tournament.predictions:
                raise Conflict(
                    msg(
                        "Predictions are not open for “{name}”; an organizer can turn them "
                        "on with {tournament_edit} (predictions: yes).",
                        name=tournament.name,
                        tournament_edit=Command("tournament edit"),
                    )
                )
            await self._refuse_locked(session, row)
            sides = (row.registration_a_id, row.registration_b_id)
            if await self._plays_in(session, row, actor.user_id):
                raise PermissionDenied(
                    msg(
                        "You play in match {code}, so you cannot predict it. Good luck!",
                        code=row.code,
                    )
                )
            if slot not in (0, 1):
                raise NotFound(msg("Pick one of the two sides of match {code}.", code=row.code))
            picked = sides[slot]
            assert picked is not None
            names = await self._names(session, sides)
            now = uow.clock.now()
            name = (actor.display_name or str(actor.user_id))[:NAME_LENGTH]
            existing = await session.scalar(
                select(Prediction).where(
                    Prediction.match_id == row.id, Prediction.user_id == actor.user_id
                )
            )
            before = existing.registration_id if existing else None
            if existing is None:
                session.add(
                    Prediction(
                        guild_id=row.guild_id,
                        tournament_id=row.tournament_id,
                        match_id=row.id,
                        user_id=actor.user_id,
                        display_name=name,
                        registration_id=picked,
                        created_at=now,
                        updated_at=now,
                    )
                )
            else:
                existing.registration_id = picked
                existing.display_name = name
                existing.updated_at = now
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="prediction.pick",
                target_type="match",
                target_id=row.id,
                before={"registration_id": before} if before else None,
                after={"registration_id": picked, "tournament_id": row.tournament_id},
            )
            try:
                await session.flush()
            except IntegrityError:  # the same member's other click won the race
                raise Conflict(
                    msg("Your pick was being saved twice at once; press the button again.")
                ) from None
            return PickResult(
                match_id=row.id,
                code=row.code,
                picked=names[slot],
                against=names[1 - slot],
                changed=before is not None and before != picked,
            )

    async def _refuse_locked(self, session: Any, row: MatchRow) -> None:
        reported = bool(await session.scalar(select(_reported(row.id))))
        if not is_locked(row, reported):
            return
        if row.status == MatchState.SCHEDULED.value or None in (
            row.registration_a_id,
            row.registration_b_id,
        ):
            reason = msg("both sides are not known yet")
        elif row.status in (MatchState.COMPLETED.value, MatchState.CANCELLED.value):
            reason = msg("it is over")
        elif reported or row.status in (
            MatchState.PENDING_RESULT.value,
            MatchState.DISPUTED.value,
        ):
            reason = msg("a score was already reported")
        else:
            reason = msg("it is already being played")
        raise Conflict(
            msg(
                "Predictions for match {code} are locked: {reason}. Your pick, if you made "
                "one, stays as it was.",
                code=row.code,
                reason=reason,
            )
        )

    @staticmethod
    async def _plays_in(session: Any, row: MatchRow, user_id: int) -> bool:
        sides = [r for r in (row.registration_a_id, row.registration_b_id) if r is not None]
        member = await session.scalar(
            select(
                or_(
                    exists().where(
                        RegistrationMember.registration_id.in_(sides),
                        RegistrationMember.user_id == user_id,
                    ),
                    exists().where(Registration.id.in_(sides), Registration.user_id == user_id),
                )
            )
        )
        return bool(member)

    @staticmethod
    async def _names(session: Any, sides: tuple[int | None, int | None]) -> tuple[str, str]:
        ids = [r for r in sides if r is not None]
        rows = await session.execute(
            select(Registration.id, Registration.display_name).where(Registration.id.in_(ids))
        )
        found: dict[int, str] = {rid: name for rid, name in rows}
        return found.get(sides[0] or 0, "TBD"), found.get(sides[1] or 0, "TBD")

    # ------------------------------------------------------------------- reading
    async def predictable(
        self, guild_id: int, user_id: int | None = None, text: str = "", limit: int = 25
    ) -> list[PredictableMatch]:
        """Matches of the server open for picks, soonest first (those the user plays in
        left out), filtered by ``text`` in the code or a side's name."""
        ra, rb = Registration.__table__.alias("ra"), Registration.__table__.alias("rb")
        query = (
            select(MatchRow, Tournament.name, ra.c.display_name, rb.c.display_name)
            .join(Tournament, Tournament.id == MatchRow.tournament_id)
            .join(ra, ra.c.id == MatchRow.registration_a_id)
            .join(rb, rb.c.id == MatchRow.registration_b_id)
            .where(
                MatchRow.guild_id == guild_id,
                Tournament.predictions.is_(True),
                MatchRow.status.in_(OPEN_FOR_PICKS),
                MatchRow.live_at.is_(None),
                ~_reported(MatchRow.id),
            )
            .order_by(MatchRow.ready_at, MatchRow.id)
        )
        needle = text.strip().lower()
        if needle:
            like = f"%{needle}%"
            query = query.where(
                or_(
                    func.lower(MatchRow.code).like(like),
                    func.lower(ra.c.display_name).like(like),
                    func.lower(rb.c.display_name).like(like),
                )
            )
        if user_id is not None:
            query = query.where(
                ~exists().where(
                    RegistrationMember.user_id == user_id,
                    RegistrationMember.registration_id.in_(
                        [MatchRow.registration_a_id, MatchRow.registration_b_id]
                    ),
                )
            )
        async with self._ctx.read() as session:
            rows = (await session.execute(query.limit(limit))).all()
        return [PredictableMatch(m.id, m.code, m.round_title, t, (a, b)) for m, t, a, b in rows]

    async def tally(self, match_id: int, guild_id: int | None = None) -> PredictionTally:
        """How the match's picks stand; ``guild_id`` hides other servers' matches."""
        async with self._ctx.read() as session:
            row = await session.get(MatchRow, match_id)
            if row is None or (guild_id is not None and row.guild_id != guild_id):
                raise NotFound(msg("That match does not exist in this server."))
            tournament = await session.get(Tournament, row.tournament_id)
            assert tournament is not None
            reported = bool(await session.scalar(select(_reported(row.id))))
            names = await self._names(session, (row.registration_a_id, row.registration_b_id))
            counted = dict(
                (
                    await session.execute(
                        select(Prediction.registration_id, func.count())
                        .where(Prediction.match_id == row.id)
                        .group_by(Prediction.registration_id)
                    )
                ).all()
            )
            post = await session.scalar(
                select(PredictionPost).where(PredictionPost.match_id == row.id)
            )
            return PredictionTally(
                match_id=row.id,
                guild_id=row.guild_id,
                tournament_id=row.tournament_id,
                tournament_name=tournament.name,
                code=row.code,
                round_title=row.round_title,
                names=names,
                picks=(
                    counted.get(row.registration_a_id or 0, 0),
                    counted.get(row.registration_b_id or 0, 0),
                ),
                locked=is_locked(row, reported),
                enabled=tournament.predictions,
                channel_id=post.channel_id if post else None,
                message_id=post.message_id if post else None,
            )

    async def my_pick(self, match_id: int, user_id: int) -> int | None:
        """The registration ``user_id`` picked in the match, if any."""
        async with self._ctx.read() as session:
            picked: int | None = await session.scalar(
                select(Prediction.registration_id).where(
                    Prediction.match_id == match_id, Prediction.user_id == user_id
                )
            )
            return picked

    # ---------------------------------------------------------------- the posts
    async def record_post(self, match_id: int, channel_id: int, message_id: int) -> bool:
        """Remember the public post of a match; False when one is recorded already."""
        async with self._ctx.unit_of_work() as uow:
            found = await uow.session.scalar(
                select(PredictionPost.id).where(PredictionPost.match_id == match_id)
            )
            if found is not None:
                return False
            uow.session.add(
                PredictionPost(
                    match_id=match_id,
                    channel_id=channel_id,
                    message_id=message_id,
                    created_at=uow.clock.now(),
                )
            )
            return True

    async def enabled_for(self, match_id: int) -> bool:
        """Whether the match's tournament takes predictions (one read)."""
        async with self._ctx.read() as session:
            enabled = await session.scalar(
                select(Tournament.predictions)
                .join(MatchRow, MatchRow.tournament_id == Tournament.id)
                .where(MatchRow.id == match_id)
            )
            return bool(enabled)

    async def has_post(self, match_id: int) -> bool:
        """Whether the match has a public post (one indexed read: most matches have none,
        and the notices of every report ask)."""
        async with self._ctx.read() as session:
            found = await session.scalar(
                select(PredictionPost.id).where(PredictionPost.match_id == match_id)
            )
            return found is not None

    async def forget_post(self, match_id: int) -> None:
        """A reset match gets a new post when it is ready again."""
        async with self._ctx.unit_of_work() as uow:
            await uow.session.execute(
                delete(PredictionPost).where(PredictionPost.match_id == match_id)
            )

    # -------------------------------------------------------------- leaderboard
    async def leaderboard(
        self, tournament_id: int, *, user_id: int | None = None, limit: int = BOARD_SIZE
    ) -> PredictionBoard:
        async with self._ctx.read() as session:
            tournament = await session.get(Tournament, tournament_id)
            if tournament is None:
                raise NotFound(msg("That tournament does not exist."))
            ranked, scored_matches = await standings(session, tournament_id)
            coin_name = await session.scalar(
                select(GuildSettings.coin_name).where(GuildSettings.guild_id == tournament.guild_id)
            )
            paid = dict(
                (
                    await session.execute(
                        select(PredictionReward.user_id, PredictionReward.coins).where(
                            PredictionReward.tournament_id == tournament_id
                        )
                    )
                ).all()
            )
        rows = tuple(
            PredictorRow(**{**r.__dict__, "reward_coins": paid.get(r.user_id, 0)}) for r in ranked
        )
        yours = next((r for r in rows if r.user_id == user_id), None)
        return PredictionBoard(
            guild_id=tournament.guild_id,
            tournament_id=tournament.id,
            tournament_name=tournament.name,
            rows=rows[:limit],
            predictors=len(rows),
            matches_scored=scored_matches,
            yours=yours,
            rewards=tuple(tournament.prediction_rewards or ()),
            coin_name=coin_name or "coins",
        )


async def standings(session: Any, tournament_id: int) -> tuple[list[PredictorRow], int]:
    """Every predictor of the tournament ranked by points, then correct picks, then the
    fewest scored picks, then who predicted first; and how many matches were scored."""
    ra, rb = Registration.__table__.alias("ra"), Registration.__table__.alias("rb")
    rows = await session.execute(
        select(
            Prediction.user_id,
            Prediction.display_name,
            Prediction.registration_id,
            Prediction.created_at,
            Prediction.updated_at,
            MatchRow.id,
            MatchRow.status,
            MatchRow.outcome,
            MatchRow.winner_registration_id,
            MatchRow.registration_a_id,
            MatchRow.registration_b_id,
            ra.c.seed,
            rb.c.seed,
        )
        .join(MatchRow, MatchRow.id == Prediction.match_id)
        .outerjoin(ra, ra.c.id == MatchRow.registration_a_id)
        .outerjoin(rb, rb.c.id == MatchRow.registration_b_id)
        .where(Prediction.tournament_id == tournament_id)
        .order_by(Prediction.updated_at, Prediction.id)
    )
    totals: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"points": 0, "correct": 0, "scored": 0, "upsets": 0}
    )
    first: dict[int, datetime] = {}
    names: dict[int, str] = {}
    scored_matches: set[int] = set()
    for user, name, picked, created, _, mid, status, outcome, winner, a, b, seed_a, seed_b in rows:
        names[user] = name  # ordered by time: the latest name wins
        first[user] = min(first.get(user, created), created)
        total = totals[user]
        if status != MatchState.COMPLETED.value or not scoring.counts(outcome, winner):
            continue
        if picked not in (a, b):
            continue  # the pairing changed after a correction: the pick no longer applies
        scored_matches.add(mid)
        total["scored"] += 1
        winner_seed, loser_seed = (seed_a, seed_b) if winner == a else (seed_b, seed_a)
        points = scoring.pick_points(picked, winner, winner_seed, loser_seed)
        if points:
            total["correct"] += 1
            total["points"] += points
            total["upsets"] += 1 if scoring.upset_bonus(winner_seed, loser_seed) else 0
    order = sorted(
        totals,
        key=lambda u: (
            -totals[u]["points"],
            -totals[u]["correct"],
            totals[u]["scored"],
            first[u],
            u,
        ),
    )
    ranked = [
        PredictorRow(rank=i + 1, user_id=u, name=names[u], **totals[u]) for i, u in enumerate(order)
    ]
    return ranked, len(scored_matches)
