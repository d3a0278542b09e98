"""Tournament numbers for organizers: entrants, check-in, no-shows, forfeits, disputes and
how long they took, match times, prizes paid; and the funnel over a server's tournaments
(published → registered → paid → checked in → played)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.kernel.actors import Actor
from engine.kernel.errors import NotFound
from engine.kernel.text import N_, msg
from engine.kernel.uow import ServiceContext
from engine.stats._common import require_server_organizer
from storage.models import Dispute, MatchRow, Placing, Registration, Tournament

ENTERED = ("awaiting_payment", "payment_review", "confirmed")
PAID_STATUSES = ("approved", "refund_pending", "refunded")
NOT_PUBLISHED = ("draft",)


@dataclass(frozen=True)
class TournamentStats:
    tournament_id: int
    name: str
    status: str
    entrants: int  # holding a slot or confirmed
    withdrawn: int
    checkin_enabled: bool
    checked_in: int
    matches_played: int
    no_shows: int
    forfeits: int
    disputes: int
    disputes_open: int
    average_dispute_resolution: timedelta | None
    average_match_time: timedelta | None
    prize_coins_paid: int
    prize_minor_paid: int
    prize_minor_owed: int
    currency: str

    @property
    def checkin_rate(self) -> float | None:
        if not self.checkin_enabled or not self.entrants:
            return None
        return self.checked_in / self.entrants


@dataclass(frozen=True)
class Funnel:
    guild_id: int
    published: int  # tournaments past draft
    registered: int  # entries ever made
    paid: int  # entries confirmed (paid, or free)
    checked_in: int
    played: int  # entries that played at least one match
    organizer_id: int | None = None  # None: every tournament of the server

    def steps(self) -> list[tuple[str, int]]:
        return [
            (N_("Published tournaments"), self.published),
            (N_("Registered"), self.registered),
            (N_("Paid or confirmed"), self.paid),
            (N_("Checked in"), self.checked_in),
            (N_("Played a match"), self.played),
        ]


def _average(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=round(sum(v.total_seconds() for v in values) / len(values)))


class TournamentStatsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def tournament(self, actor: Actor, guild_id: int, tournament_id: int) -> TournamentStats:
        async with self._ctx.read() as session:
            await require_server_organizer(session, actor, guild_id)
            t = await session.get(Tournament, tournament_id)
            if t is None or t.guild_id != guild_id:
                raise NotFound(msg("That tournament does not exist. Pick one from the list."))
            return await _tournament_stats(session, t)

    async def funnel(self, actor: Actor, guild_id: int, organizer_id: int | None = None) -> Funnel:
        """The server's funnel, or one organizer's over the tournaments they created."""
        async with self._ctx.read() as session:
            await require_server_organizer(session, actor, guild_id)
            tournaments = select(Tournament.id).where(Tournament.guild_id == guild_id)
            if organizer_id is not None:
                tournaments = tournaments.where(Tournament.created_by == organizer_id)
            mine = tournaments.scalar_subquery()
            published = await session.scalar(
                select(func.count())
                .select_from(Tournament)
                .where(Tournament.id.in_(mine), Tournament.status.not_in(NOT_PUBLISHED))
            )
            registered = await session.scalar(
                select(func.count())
                .select_from(Registration)
                .where(Registration.tournament_id.in_(mine), Registration.status != "waitlisted")
            )
            paid = await session.scalar(
                select(func.count())
                .select_from(Registration)
                .where(
                    Registration.tournament_id.in_(mine),
                    or_(
                        Registration.status == "confirmed",
                        # Entries of finished events keep their status, so count them too.
                        Registration.id.in_(select(Placing.registration_id)),
                    ),
                )
            )
            checked_in = await session.scalar(
                select(func.count())
                .select_from(Registration)
                .where(
                    Registration.tournament_id.in_(mine), Registration.checked_in_at.is_not(None)
                )
            )
            completed = (
                MatchRow.tournament_id.in_(mine),
                MatchRow.status == "completed",
                or_(MatchRow.outcome.is_(None), MatchRow.outcome != "walkover"),
            )
            played_slots = (
                select(MatchRow.registration_a_id.label("rid"))
                .where(*completed)
                .union(select(MatchRow.registration_b_id).where(*completed))
                .subquery()
            )
            played = await session.scalar(
                select(func.count())
                .select_from(played_slots)
                .where(played_slots.c.rid.is_not(None))
            )
            return Funnel(
                guild_id,
                int(published or 0),
                int(registered or 0),
                int(paid or 0),
                int(checked_in or 0),
                int(played or 0),
                organizer_id,
            )


async def _tournament_stats(session: AsyncSession, t: Tournament) -> TournamentStats:
    statuses = dict(
        (
            await session.execute(
                select(Registration.status, func.count())
                .where(Registration.tournament_id == t.id)
                .group_by(Registration.status)
            )
        ).all()
    )
    checked_in = await session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.tournament_id == t.id, Registration.checked_in_at.is_not(None))
    )
    matches = list(
        await session.scalars(
            select(MatchRow).where(MatchRow.tournament_id == t.id, MatchRow.status == "completed")
        )
    )
    played = [m for m in matches if m.outcome != "walkover"]
    forfeits = [m for m in played if m.outcome in ("forfeit", "disqualification")]
    no_shows = [
        m
        for m in forfeits
        if m.checkin_deadline is not None
        and (m.checked_in_a_at is None or m.checked_in_b_at is None)
    ]
    durations = [
        m.completed_at - m.ready_at
        for m in played
        if m.completed_at and m.ready_at and m.outcome in (None, "played", "draw")
    ]
    disputes = list(await session.scalars(select(Dispute).where(Dispute.tournament_id == t.id)))
    resolved = [d.resolved_at - d.created_at for d in disputes if d.resolved_at is not None]
    prizes = (
        await session.execute(
            select(
                func.coalesce(func.sum(Placing.prize_coins), 0),
                func.coalesce(
                    func.sum(Placing.prize_minor).filter(Placing.prize_paid_at.is_not(None)), 0
                ),
                func.coalesce(
                    func.sum(Placing.prize_minor).filter(Placing.prize_paid_at.is_(None)), 0
                ),
            ).where(Placing.tournament_id == t.id)
        )
    ).one()
    return TournamentStats(
        tournament_id=t.id,
        name=t.name,
        status=t.status,
        entrants=sum(int(statuses.get(s, 0)) for s in ENTERED),
        withdrawn=int(statuses.get("withdrawn", 0)),
        checkin_enabled=t.checkin_enabled,
        checked_in=int(checked_in or 0),
        matches_played=len(played),
        no_shows=len(no_shows),
        forfeits=len(forfeits),
        disputes=len(disputes),
        disputes_open=sum(1 for d in disputes if d.resolved_at is None),
        average_dispute_resolution=_average(resolved),
        average_match_time=_average(durations),
        prize_coins_paid=int(prizes[0]),
        prize_minor_paid=int(prizes[1]),
        prize_minor_owed=int(prizes[2]),
        currency=t.currency,
    )
