"""Player and team records: matches, W/L, map difference, streak, best placing, rating
history, the last five results, badges and the progress toward the next ones, and the
head-to-head record of two players."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.awards import BadgeService, BadgeView, Condition, EarnedBadge
from engine.entries import START_RATING
from engine.kernel.errors import InvalidInput, NotFound
from engine.kernel.text import N_, Message, msg
from engine.kernel.uow import ServiceContext
from engine.stats._common import PROVISIONAL_MATCHES, game_of
from engine.stats._history import (
    Entry,
    Played,
    entries_of_team,
    entries_of_user,
    matches_of,
)
from storage.models import Game, Ranking, Team

LAST_RESULTS = 5
HISTORY_POINTS = 60  # the chart shows the latest ratings, enough to see a trend


@dataclass(frozen=True)
class BadgeProgress:
    badge: BadgeView
    earned: bool
    current: int
    target: int
    unit: str  # "tournaments completed", "matches won", "tournament wins", ...

    @property
    def text(self) -> str:
        if not self.unit:
            return "earned" if self.earned else "not yet"
        return f"{min(self.current, self.target)} of {self.target} {self.unit}"

    @property
    def words(self) -> Message:
        """:attr:`text` in the reader's language."""
        if not self.unit:
            return msg("earned") if self.earned else msg("not yet")
        return msg(
            "{current} of {target} {unit}",
            current=min(self.current, self.target),
            target=self.target,
            unit=Message(self.unit),
        )


@dataclass(frozen=True)
class Record:
    """The numbers every stats view shares."""

    matches: int
    wins: int
    losses: int
    draws: int
    map_difference: int
    streak: str  # "W3", "L1", "" when no match
    tournaments: int
    titles: int
    podiums: int
    runner_ups: int
    unbeaten: int  # completed tournaments with wins and no loss or draw
    best_place: int | None
    best_place_tournament: str | None
    rating: int | None
    rated_matches: int
    rating_history: list[int]
    last_results: list[Played]

    @property
    def win_rate(self) -> float:
        decided = self.wins + self.losses + self.draws
        return self.wins / decided if decided else 0.0

    @property
    def provisional(self) -> bool:
        return self.rated_matches < PROVISIONAL_MATCHES


@dataclass(frozen=True)
class PlayerStats:
    guild_id: int
    user_id: int
    name: str
    game_name: str | None
    record: Record
    badges: list[EarnedBadge] = field(default_factory=list)
    progress: list[BadgeProgress] = field(default_factory=list)


@dataclass(frozen=True)
class TeamStats:
    guild_id: int
    team_id: int
    name: str
    tag: str
    game_name: str | None
    record: Record


@dataclass(frozen=True)
class HeadToHead:
    guild_id: int
    first_id: int
    second_id: int
    first_name: str
    second_name: str
    first_wins: int
    second_wins: int
    draws: int
    maps_first: int
    maps_second: int
    meetings: list[Played]  # from the first player's side, newest first


def _streak(played: list[Played]) -> str:
    if not played:
        return ""
    last = played[-1].outcome
    count = 0
    for match in reversed(played):
        if match.outcome != last:
            break
        count += 1
    return f"{last}{count}"


def _record(
    entries: list[Entry], played: list[Played], rating: int | None, rated_matches: int
) -> Record:
    counts = Counter(p.outcome for p in played)
    diff = sum((p.score_for or 0) - (p.score_against or 0) for p in played)
    placed = [e for e in entries if e.place is not None]
    best = min(placed, key=lambda e: (e.place, e.registration_id), default=None)
    history = [START_RATING]
    for match in played:
        if match.rating_change is not None:
            history.append(history[-1] + match.rating_change)
    return Record(
        matches=len(played),
        wins=counts["W"],
        losses=counts["L"],
        draws=counts["D"],
        map_difference=diff,
        streak=_streak(played),
        tournaments=len({e.tournament_id for e in entries if e.place is not None}),
        titles=sum(1 for e in placed if e.place == 1),
        runner_ups=sum(1 for e in placed if e.place == 2),
        unbeaten=_unbeaten(placed, played),
        podiums=sum(1 for e in placed if e.place is not None and e.place <= 3),
        best_place=best.place if best else None,
        best_place_tournament=best.tournament_name if best else None,
        rating=rating,
        rated_matches=rated_matches,
        rating_history=history[-HISTORY_POINTS:] if len(history) > 1 else [],
        last_results=list(reversed(played[-LAST_RESULTS:])),
    )


def _unbeaten(placed: list[Entry], played: list[Played]) -> int:
    finished = {e.tournament_id for e in placed}
    outcomes: dict[int, set[str]] = {}
    for match in played:
        if match.tournament_id in finished:
            outcomes.setdefault(match.tournament_id, set()).add(match.outcome)
    return sum(1 for seen in outcomes.values() if seen == {"W"})


def _main_game(played: list[Played], solo: bool) -> int | None:
    """The game a subject played most rated matches in (the one the chart follows)."""
    games = Counter(p.game_id for p in played if p.rating_change is not None and p.solo == solo)
    return games.most_common(1)[0][0] if games else None


async def _rating(
    session: AsyncSession, guild_id: int, game_id: int | None, subject_type: str, subject_id: int
) -> tuple[int | None, int]:
    if game_id is None:
        return None, 0
    row = (
        await session.execute(
            select(Ranking.rating, Ranking.matches_played).where(
                Ranking.guild_id == guild_id,
                Ranking.game_id == game_id,
                Ranking.subject_type == subject_type,
                Ranking.subject_id == subject_id,
            )
        )
    ).first()
    return (row[0], row[1]) if row else (None, 0)


def _progress(
    definitions: list[BadgeView], earned: list[EarnedBadge], record: Record
) -> list[BadgeProgress]:
    held = {e.badge.id for e in earned}
    current = {
        Condition.PARTICIPATED_N: (record.tournaments, N_("tournaments completed")),
        Condition.WINS_N: (record.wins, N_("matches won")),
        Condition.CHAMPION: (record.titles, N_("tournament wins")),
        Condition.PODIUM: (record.podiums, N_("podium finishes")),
        Condition.RUNNER_UP: (record.runner_ups, N_("second places")),
        Condition.UNDEFEATED: (record.unbeaten, N_("tournaments without a loss")),
    }
    progress: list[BadgeProgress] = []
    for badge in definitions:
        condition = Condition(badge.condition)
        value, unit = current.get(condition, (0, ""))  # a comeback cannot be counted
        target = badge.threshold or 1
        got = badge.id in held
        progress.append(
            BadgeProgress(badge, got, target if got else min(value, target), target, unit)
        )
    # Closest to done first among those still to earn; earned ones after.
    return sorted(progress, key=lambda p: (p.earned, -(p.current / p.target), p.badge.id))


class PlayerStatsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._badges = BadgeService(ctx)

    async def player(self, guild_id: int, user_id: int, game_id: int | None = None) -> PlayerStats:
        async with self._ctx.read() as session:
            game = await game_of(session, guild_id, game_id) if game_id is not None else None
            entries = await entries_of_user(session, guild_id, user_id, game_id)
            played = await matches_of(session, entries)
            rating_game = game_id or _main_game(played, solo=True)
            rating, rated = await _rating(session, guild_id, rating_game, "player", user_id)
            solo_played = [p for p in played if p.solo and p.game_id == rating_game]
            record = _record(entries, played, rating, rated)
            history = _record([], solo_played, rating, rated).rating_history
            record = _with_history(record, history)
            # Badges count the whole server, whatever game the stats are cut to.
            career = record
            if game_id is not None:
                everything = await entries_of_user(session, guild_id, user_id, None)
                career = _record(everything, await matches_of(session, everything), None, 0)
            name = entries[-1].display_name if entries else ""
            game_name = game.name if game else await _game_name(session, rating_game)
        badges = await self._badges.badges_of(guild_id, user_id)
        definitions = await self._badges.definitions(guild_id)
        return PlayerStats(
            guild_id=guild_id,
            user_id=user_id,
            name=name,
            game_name=game_name,
            record=record,
            badges=badges,
            progress=_progress(definitions, badges, career),
        )

    async def badge_progress(self, guild_id: int, user_id: int) -> list[BadgeProgress]:
        """Progress toward every badge (for /profile show)."""
        return (await self.player(guild_id, user_id)).progress

    async def team(self, guild_id: int, team_id: int, game_id: int | None = None) -> TeamStats:
        async with self._ctx.read() as session:
            team = await session.get(Team, team_id)
            if team is None or team.guild_id != guild_id:
                raise NotFound(msg("That team does not exist on this server."))
            game = await game_of(session, guild_id, game_id) if game_id is not None else None
            entries = await entries_of_team(session, guild_id, team_id, game_id)
            played = await matches_of(session, entries)
            rating_game = game_id or _main_game(played, solo=False)
            rating, rated = await _rating(session, guild_id, rating_game, "team", team_id)
            record = _record(entries, played, rating, rated)
            rated_played = [p for p in played if p.game_id == rating_game]
            record = _with_history(record, _record([], rated_played, None, 0).rating_history)
            game_name = game.name if game else await _game_name(session, rating_game)
            return TeamStats(guild_id, team_id, team.name, team.tag, game_name, record)

    async def head_to_head(self, guild_id: int, first_id: int, second_id: int) -> HeadToHead:
        if first_id == second_id:
            raise InvalidInput(msg("Pick two different players to compare."))
        async with self._ctx.read() as session:
            first_entries = await entries_of_user(session, guild_id, first_id, None)
            second_entries = await entries_of_user(session, guild_id, second_id, None)
            theirs = {e.registration_id for e in second_entries}
            meetings = [
                p
                for p in await matches_of(session, first_entries)
                if p.opponent_registration_id in theirs
            ]
        counts = Counter(p.outcome for p in meetings)
        return HeadToHead(
            guild_id=guild_id,
            first_id=first_id,
            second_id=second_id,
            first_name=first_entries[-1].display_name if first_entries else "",
            second_name=second_entries[-1].display_name if second_entries else "",
            first_wins=counts["W"],
            second_wins=counts["L"],
            draws=counts["D"],
            maps_first=sum(p.score_for or 0 for p in meetings),
            maps_second=sum(p.score_against or 0 for p in meetings),
            meetings=list(reversed(meetings)),
        )


def _with_history(record: Record, history: list[int]) -> Record:
    return replace(record, rating_history=history)


async def _game_name(session: AsyncSession, game_id: int | None) -> str | None:
    if game_id is None:
        return None
    game = await session.get(Game, game_id)
    return game.name if game else None
