"""Leaderboards per server and game: Elo rating, titles (tournament wins) and podiums,
all time or inside a season the organizers named.

All-time ratings come from ``rankings`` (kept by match day, indexed by board); a season's
rating is the start rating plus the Elo points won in matches completed inside it, read
from each match's stored delta. Titles and podiums count placings of tournaments whose
bracket finished inside the window.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.entries import START_RATING
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.text import msg
from engine.kernel.typed import parse_day
from engine.kernel.uow import ServiceContext
from engine.stats._common import (
    PROVISIONAL_MATCHES,
    game_of,
    names_of,
    require_server_organizer,
    subject_type_of,
)
from storage.models import (
    BracketState,
    GuildSettings,
    MatchRow,
    Placing,
    Ranking,
    Registration,
    Season,
    Team,
    TeamMember,
    Tournament,
)

MIN_ROWS, MAX_ROWS = 10, 25


class Board(StrEnum):
    RATING = "rating"
    TITLES = "titles"
    PODIUMS = "podiums"

    @property
    def label(self) -> str:
        return {"rating": "Rating", "titles": "Titles", "podiums": "Podiums"}[self.value]


@dataclass(frozen=True)
class SeasonView:
    id: int
    name: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    subject_id: int
    name: str
    value: int
    matches: int
    provisional: bool = False


@dataclass(frozen=True)
class Leaderboard:
    guild_id: int
    game_id: int
    game_name: str
    board: Board
    subject_type: str
    season: SeasonView | None
    rows: list[LeaderboardRow]
    ranked: int  # how many are on the board in all
    yours: LeaderboardRow | None  # the viewer (or their best team), if on the board

    @property
    def title(self) -> str:
        window = self.season.name if self.season else "All time"
        return f"{self.game_name} · {self.board.label} · {window}"


def _season_view(row: Season) -> SeasonView:
    return SeasonView(row.id, row.name, row.starts_at, row.ends_at)


def _ranked(scores: list[tuple[int, int, int]], names: dict[int, str]) -> list[LeaderboardRow]:
    """(subject, value, matches) sorted best first, with shared ranks for ties."""
    rows: list[LeaderboardRow] = []
    previous: int | None = None
    rank = 0
    for index, (subject, value, matches) in enumerate(scores):
        if value != previous:
            rank, previous = index + 1, value
        rows.append(
            LeaderboardRow(
                rank=rank,
                subject_id=subject,
                name=names.get(subject, f"#{subject}"),
                value=value,
                matches=matches,
                provisional=matches < PROVISIONAL_MATCHES,
            )
        )
    return rows


class LeaderboardService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- seasons ---------------------------------------------------------------------------

    async def add_season(
        self, actor: Actor, guild_id: int, name: str, starts_at: datetime, ends_at: datetime
    ) -> SeasonView:
        name = name.strip()
        if not 2 <= len(name) <= 40:
            raise InvalidInput(msg("A season name needs 2 to 40 characters, e.g. “Winter 2026”."))
        if ends_at <= starts_at:
            raise InvalidInput(msg("A season must end after it starts. Check the two dates."))
        async with self._ctx.unit_of_work() as uow:
            await require_server_organizer(uow.session, actor, guild_id)
            clash = await uow.session.scalar(
                select(Season.id).where(Season.guild_id == guild_id, Season.name == name)
            )
            if clash is not None:
                raise Conflict(
                    msg("There is already a season called “{name}”. Pick another name.", name=name)
                )
            row = Season(
                guild_id=guild_id,
                name=name,
                starts_at=starts_at,
                ends_at=ends_at,
                created_by=actor.user_id,
                created_at=uow.clock.now(),
            )
            uow.session.add(row)
            await uow.session.flush()
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="season.create",
                target_type="season",
                target_id=row.id,
                after={
                    "name": name,
                    "starts_at": starts_at.isoformat(),
                    "ends_at": ends_at.isoformat(),
                },
            )
            return _season_view(row)

    async def add_season_days(
        self, actor: Actor, guild_id: int, name: str, first_day: str, last_day: str
    ) -> SeasonView:
        """A season from two typed days, both included, in the server's time zone."""
        async with self._ctx.read() as session:
            timezone = await session.scalar(
                select(GuildSettings.timezone).where(GuildSettings.guild_id == guild_id)
            )
        zone = timezone or "UTC"
        starts_at = parse_day(first_day, zone)
        ends_at = parse_day(last_day, zone, end_of_day=True)
        return await self.add_season(actor, guild_id, name, starts_at, ends_at)

    async def seasons(self, guild_id: int) -> list[SeasonView]:
        async with self._ctx.read() as session:
            rows = await session.scalars(
                select(Season).where(Season.guild_id == guild_id).order_by(Season.starts_at.desc())
            )
            return [_season_view(r) for r in rows]

    # -- boards ----------------------------------------------------------------------------

    async def leaderboard(
        self,
        guild_id: int,
        game_id: int,
        *,
        board: str = Board.RATING,
        season_id: int | None = None,
        limit: int = MIN_ROWS,
        viewer_id: int | None = None,
    ) -> Leaderboard:
        try:
            chosen = Board(board)
        except ValueError:
            raise InvalidInput(
                msg("“{board}” is not a leaderboard. Use rating, titles or podiums.", board=board)
            ) from None
        if not MIN_ROWS <= limit <= MAX_ROWS:
            raise InvalidInput(
                msg(
                    "A leaderboard shows {low} to {high} rows; you asked for {limit}.",
                    low=MIN_ROWS,
                    high=MAX_ROWS,
                    limit=limit,
                )
            )
        async with self._ctx.read() as session:
            game = await game_of(session, guild_id, game_id)
            season = await self._season(session, guild_id, season_id)
            subject_type = subject_type_of(game)
            board_ = _BoardQuery(session, guild_id, game_id, subject_type, season)
            scores, ranked = await board_.top(chosen, limit)
            viewer_subjects = await _viewer_subjects(session, guild_id, subject_type, viewer_id)
            yours = await board_.best_of(chosen, viewer_subjects)
            ids = [s for s, _, _ in scores] + ([yours[0]] if yours else [])
            names = await names_of(session, guild_id, subject_type, ids)
            rows = _ranked(scores, names)
            mine: LeaderboardRow | None = None
            if yours is not None:
                subject, value, matches, rank = yours
                mine = LeaderboardRow(
                    rank,
                    subject,
                    names.get(subject, f"#{subject}"),
                    value,
                    matches,
                    provisional=matches < PROVISIONAL_MATCHES,
                )
            return Leaderboard(
                guild_id=guild_id,
                game_id=game_id,
                game_name=game.name,
                board=chosen,
                subject_type=subject_type,
                season=_season_view(season) if season else None,
                rows=rows,
                ranked=ranked,
                yours=mine,
            )

    @staticmethod
    async def _season(session: AsyncSession, guild_id: int, season_id: int | None) -> Season | None:
        if season_id is None:
            return None
        season = await session.get(Season, season_id)
        if season is None or season.guild_id != guild_id:
            raise NotFound(
                msg("That season does not exist on this server. Pick one from the list.")
            )
        return season


async def _viewer_subjects(
    session: AsyncSession, guild_id: int, subject_type: str, viewer_id: int | None
) -> list[int]:
    if viewer_id is None:
        return []
    if subject_type == "player":
        return [viewer_id]
    rows = await session.scalars(
        select(TeamMember.team_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.user_id == viewer_id, Team.guild_id == guild_id)
    )
    return list(rows)


class _BoardQuery:
    """The queries behind one board: the top rows, and the rank of given subjects."""

    def __init__(
        self,
        session: AsyncSession,
        guild_id: int,
        game_id: int,
        subject_type: str,
        season: Season | None,
    ) -> None:
        self.session = session
        self.guild_id = guild_id
        self.game_id = game_id
        self.subject_type = subject_type
        self.season = season

    async def top(self, board: Board, limit: int) -> tuple[list[tuple[int, int, int]], int]:
        if board is Board.RATING and self.season is None:
            return await self._rating_top(limit)
        totals = await self._totals(board)
        ordered = sorted(totals.items(), key=lambda kv: (-kv[1][0], kv[0]))
        return [(s, v, m) for s, (v, m) in ordered[:limit]], len(ordered)

    async def best_of(self, board: Board, subjects: list[int]) -> tuple[int, int, int, int] | None:
        """(subject, value, matches, rank) of the best-placed of ``subjects``."""
        if not subjects:
            return None
        if board is Board.RATING and self.season is None:
            return await self._rating_rank(subjects)
        totals = await self._totals(board)
        mine = [(s, totals[s]) for s in subjects if s in totals]
        if not mine:
            return None
        subject, (value, matches) = max(mine, key=lambda kv: kv[1][0])
        rank = 1 + sum(1 for v, _ in totals.values() if v > value)
        return subject, value, matches, rank

    # -- all-time rating: the rankings table, by index --------------------------------------

    def _ranking_filter(self) -> list[ColumnElement[bool]]:
        return [
            Ranking.guild_id == self.guild_id,
            Ranking.game_id == self.game_id,
            Ranking.subject_type == self.subject_type,
            Ranking.matches_played > 0,
        ]

    async def _rating_top(self, limit: int) -> tuple[list[tuple[int, int, int]], int]:
        rows = await self.session.execute(
            select(Ranking.subject_id, Ranking.rating, Ranking.matches_played)
            .where(*self._ranking_filter())
            .order_by(Ranking.rating.desc(), Ranking.subject_id)
            .limit(limit)
        )
        ranked = await self.session.scalar(
            select(func.count()).select_from(Ranking).where(*self._ranking_filter())
        )
        return [(s, r, m) for s, r, m in rows], int(ranked or 0)

    async def _rating_rank(self, subjects: list[int]) -> tuple[int, int, int, int] | None:
        row = (
            await self.session.execute(
                select(Ranking.subject_id, Ranking.rating, Ranking.matches_played)
                .where(*self._ranking_filter(), Ranking.subject_id.in_(subjects))
                .order_by(Ranking.rating.desc())
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        subject, rating, matches = row
        better = await self.session.scalar(
            select(func.count())
            .select_from(Ranking)
            .where(*self._ranking_filter(), Ranking.rating > rating)
        )
        return subject, rating, matches, int(better or 0) + 1

    # -- everything else is an aggregate over the game's tournaments ------------------------

    def _subject_column(self) -> Any:
        return Registration.team_id if self.subject_type == "team" else Registration.user_id

    async def _totals(self, board: Board) -> dict[int, tuple[int, int]]:
        """subject -> (value, matches) for season ratings, titles and podiums."""
        if board is Board.RATING:
            return await self._season_ratings()
        best = 1 if board is Board.TITLES else 3
        subject = self._subject_column()
        query = (
            select(subject, func.count(Placing.id))
            .select_from(Placing)
            .join(Registration, Registration.id == Placing.registration_id)
            .join(Tournament, Tournament.id == Placing.tournament_id)
            .where(
                Tournament.guild_id == self.guild_id,
                Tournament.game_id == self.game_id,
                Placing.place <= best,
                subject.is_not(None),
            )
            .group_by(subject)
        )
        if self.season is not None:
            query = query.join(BracketState, BracketState.tournament_id == Tournament.id).where(
                BracketState.completed_at >= self.season.starts_at,
                BracketState.completed_at < self.season.ends_at,
            )
        return {int(s): (int(n), int(n)) for s, n in await self.session.execute(query)}

    async def _season_ratings(self) -> dict[int, tuple[int, int]]:
        assert self.season is not None
        totals: dict[int, list[int]] = defaultdict(lambda: [START_RATING, 0])
        subject = self._subject_column()
        for slot, sign in ((MatchRow.registration_a_id, 1), (MatchRow.registration_b_id, -1)):
            rows = await self.session.execute(
                select(subject, func.sum(MatchRow.rating_delta), func.count(MatchRow.id))
                .select_from(MatchRow)
                .join(Registration, Registration.id == slot)
                .join(Tournament, Tournament.id == MatchRow.tournament_id)
                .where(
                    and_(
                        Tournament.guild_id == self.guild_id,
                        Tournament.game_id == self.game_id,
                        MatchRow.rating_delta.is_not(None),
                        MatchRow.completed_at >= self.season.starts_at,
                        MatchRow.completed_at < self.season.ends_at,
                        subject.is_not(None),
                    )
                )
                .group_by(subject)
            )
            for who, delta, played in rows:
                totals[int(who)][0] += sign * int(delta or 0)
                totals[int(who)][1] += int(played)
        return {s: (v[0], v[1]) for s, v in totals.items()}
