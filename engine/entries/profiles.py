"""Player profiles (in-game ids per game) and rankings.

Registration fills each member's in-game id from the profile; fee waivers and ranked
seeding read the rankings (organizer-set rank first, then rating).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from engine.entries.events import ManualRankSet, ProfileUpdated
from engine.guilds import require_guild_organizer
from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput, NotFound
from engine.kernel.text import Command, Text, User, msg
from engine.kernel.typed import row_id
from engine.kernel.uow import ServiceContext, UnitOfWork
from storage.models import Game, PlayerProfile, Ranking, Team

SUBJECT_TYPES = ("player", "team")
INGAME_ID_MAX = 64
MANUAL_RANK_MAX = 10_000


@dataclass(frozen=True)
class GameChoice:
    id: int
    name: str
    ingame_id_label: str


@dataclass(frozen=True)
class ProfileEntry:
    game_id: int
    game_name: str
    ingame_id_label: str
    ingame_id: str | None
    rating: int | None
    manual_rank: int | None
    matches_played: int


@dataclass(frozen=True)
class ProfileView:
    guild_id: int
    user_id: int
    entries: tuple[ProfileEntry, ...]

    def ingame_id(self, game_id: int) -> str | None:
        return next((e.ingame_id for e in self.entries if e.game_id == game_id), None)


@dataclass(frozen=True)
class RankingView:
    guild_id: int
    game_id: int
    game_name: str
    subject_type: str
    subject_id: int
    rating: int
    manual_rank: int | None
    subject_label: Text  # the team's name, or the player (a User marker)


async def resolve_game(session: AsyncSession, guild_id: int, game: str | int) -> Game:
    """A game of this guild by id or by (case-insensitive) name."""
    row: Game | None = None
    text = str(game).strip()
    if (wanted := row_id(text)) is not None:
        row = await session.get(Game, wanted)
        if row is not None and row.guild_id != guild_id:
            row = None
    if row is None:
        row = await session.scalar(
            select(Game).where(Game.guild_id == guild_id, func.lower(Game.name) == text.lower())
        )
    if row is None:
        raise NotFound(
            msg(
                "There is no game called “{text}” on this server. Pick one from the "
                "list, or ask an organizer to add it with {game_add}.",
                text=text,
                game_add=Command("game add"),
            )
        )
    return row


def ranking_order() -> tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...]:
    """Organizer-set rank first (ascending, where set), then rating, then subject id."""
    return (
        Ranking.manual_rank.is_(None),
        Ranking.manual_rank,
        Ranking.rating.desc(),
        Ranking.subject_id,
    )


async def ranked_position(
    session: AsyncSession, guild_id: int, game_id: int, subject_type: str, subject_id: int, top: int
) -> int | None:
    """The subject's 1-based place among the top ``top`` of the game's ranking, or None."""
    if top <= 0:
        return None
    ids = (
        await session.scalars(
            select(Ranking.subject_id)
            .where(
                Ranking.guild_id == guild_id,
                Ranking.game_id == game_id,
                Ranking.subject_type == subject_type,
            )
            .order_by(*ranking_order())
            .limit(top)
        )
    ).all()
    return ids.index(subject_id) + 1 if subject_id in ids else None


async def _ranking_row(
    session: AsyncSession, guild_id: int, game_id: int, subject_type: str, subject_id: int
) -> Ranking | None:
    return await session.scalar(
        select(Ranking)
        .where(
            Ranking.guild_id == guild_id,
            Ranking.game_id == game_id,
            Ranking.subject_type == subject_type,
            Ranking.subject_id == subject_id,
        )
        .with_for_update()
    )


async def _check_subject(
    session: AsyncSession, guild_id: int, subject_type: str, subject_id: int
) -> Text:
    """How to name the ranked subject in a reply."""
    if subject_type not in SUBJECT_TYPES:
        raise InvalidInput(msg("A ranking is kept for a player or a team; pick one of them."))
    if subject_type == "player":
        return msg("{player}", player=User(subject_id))
    team = await session.get(Team, subject_id)
    if team is None or team.guild_id != guild_id or team.disbanded_at is not None:
        raise NotFound(
            msg(
                "That team does not exist on this server. Check {team_roster}.",
                team_roster=Command("team roster"),
            )
        )
    return f"[{team.tag}] {team.name}"


async def set_manual_rank_in(
    uow: UnitOfWork,
    actor: Actor,
    game: str | int,
    subject_type: str,
    subject_id: int,
    rank: int | None,
) -> RankingView:
    """Organizer-set rank of a player or team (None clears it), inside the caller's uow."""
    if actor.guild_id is None:
        raise InvalidInput(msg("Rankings belong to a server; use this command inside one."))
    session = uow.session
    await require_guild_organizer(session, actor, actor.guild_id)
    if rank is not None and not 1 <= rank <= MANUAL_RANK_MAX:
        raise InvalidInput(
            msg(
                "A rank is a whole number from 1 to {manual_rank_max}; 1 is the best.",
                manual_rank_max=MANUAL_RANK_MAX,
            )
        )
    row_game = await resolve_game(session, actor.guild_id, game)
    label = await _check_subject(session, actor.guild_id, subject_type, subject_id)
    now = uow.clock.now()
    row = await _ranking_row(session, actor.guild_id, row_game.id, subject_type, subject_id)
    before = None if row is None else {"manual_rank": row.manual_rank, "rating": row.rating}
    if row is None:
        row = Ranking(
            guild_id=actor.guild_id,
            game_id=row_game.id,
            subject_type=subject_type,
            subject_id=subject_id,
            rating=1500,
            matches_played=0,
            manual_rank=rank,
            updated_at=now,
        )
        try:
            # A concurrent first ranking of the same subject loses here and updates instead.
            async with session.begin_nested():
                session.add(row)
                await session.flush()
        except IntegrityError:
            row = await _ranking_row(session, actor.guild_id, row_game.id, subject_type, subject_id)
            assert row is not None
    row.manual_rank = rank
    row.updated_at = now
    await session.flush()
    uow.audit(
        guild_id=actor.guild_id,
        actor_id=actor.user_id,
        action="ranking.manual_rank",
        target_type=subject_type,
        target_id=subject_id,
        before=before,
        after={"game_id": row_game.id, "manual_rank": rank, "rating": row.rating},
    )
    uow.emit(
        ManualRankSet(
            guild_id=actor.guild_id,
            actor_id=actor.user_id,
            game_id=row_game.id,
            subject_type=subject_type,
            subject_id=subject_id,
            manual_rank=rank,
        )
    )
    return RankingView(
        actor.guild_id,
        row_game.id,
        row_game.name,
        subject_type,
        subject_id,
        row.rating,
        rank,
        label,
    )


def _clean_ingame_id(raw: str, label: str) -> str:
    value = raw.strip()
    if not value or len(value) > INGAME_ID_MAX or any(c in value for c in "\n\r\t"):
        raise InvalidInput(
            msg(
                "Your {label} must be 1 to {ingame_id_max} characters on one line. Copy "
                "it from the game and try again.",
                label=label,
                ingame_id_max=INGAME_ID_MAX,
            )
        )
    return value


class ProfileService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def set_ingame_id(self, actor: Actor, game: str | int, ingame_id: str) -> ProfileEntry:
        """``/profile set``: store (or change) the actor's in-game id for one game."""
        if actor.guild_id is None:
            raise InvalidInput(
                msg(
                    "Profiles belong to a server; use {profile_set} inside one.",
                    profile_set=Command("profile set"),
                )
            )
        async with self._ctx.unit_of_work() as uow:
            row_game = await resolve_game(uow.session, actor.guild_id, game)
            value = _clean_ingame_id(ingame_id, row_game.ingame_id_label)
            profile = await self._profile_row(uow.session, actor, row_game.id)
            before = None if profile is None else {"ingame_id": profile.ingame_id}
            now = uow.clock.now()
            if profile is None:
                profile = PlayerProfile(
                    guild_id=actor.guild_id, user_id=actor.user_id, game_id=row_game.id
                )
                uow.session.add(profile)
            profile.ingame_id = value
            profile.updated_at = now
            await uow.session.flush()
            uow.audit(
                guild_id=actor.guild_id,
                actor_id=actor.user_id,
                action="profile.set",
                target_type="player",
                target_id=actor.user_id,
                before=before,
                after={"game_id": row_game.id, "ingame_id": value},
            )
            uow.emit(
                ProfileUpdated(
                    guild_id=actor.guild_id,
                    user_id=actor.user_id,
                    game_id=row_game.id,
                    game_name=row_game.name,
                    ingame_id=value,
                )
            )
            ranking = await _ranking_row(
                uow.session, actor.guild_id, row_game.id, "player", actor.user_id
            )
            return _entry(row_game, value, ranking)

    async def _profile_row(
        self, session: AsyncSession, actor: Actor, game_id: int
    ) -> PlayerProfile | None:
        return await session.scalar(
            select(PlayerProfile)
            .where(
                PlayerProfile.guild_id == actor.guild_id,
                PlayerProfile.user_id == actor.user_id,
                PlayerProfile.game_id == game_id,
            )
            .with_for_update()
        )

    async def show(self, guild_id: int, user_id: int) -> ProfileView:
        """``/profile show``: in-game ids and standings per game."""
        async with self._ctx.read() as session:
            games = {
                g.id: g
                for g in (
                    await session.scalars(
                        select(Game).where(Game.guild_id == guild_id).order_by(Game.name)
                    )
                ).all()
            }
            profiles = {
                p.game_id: p.ingame_id
                for p in (
                    await session.scalars(
                        select(PlayerProfile).where(
                            PlayerProfile.guild_id == guild_id, PlayerProfile.user_id == user_id
                        )
                    )
                ).all()
            }
            rankings = {
                r.game_id: r
                for r in (
                    await session.scalars(
                        select(Ranking).where(
                            Ranking.guild_id == guild_id,
                            Ranking.subject_type == "player",
                            Ranking.subject_id == user_id,
                        )
                    )
                ).all()
            }
        entries = tuple(
            _entry(game, profiles.get(gid), rankings.get(gid))
            for gid, game in games.items()
            if gid in profiles or gid in rankings
        )
        return ProfileView(guild_id=guild_id, user_id=user_id, entries=entries)

    async def games(self, guild_id: int, prefix: str = "", limit: int = 25) -> list[GameChoice]:
        """The server's games whose name contains ``prefix`` (for autocomplete)."""
        query = select(Game).where(Game.guild_id == guild_id)
        if prefix.strip():
            query = query.where(
                func.lower(Game.name).contains(prefix.strip().lower(), autoescape=True)
            )
        async with self._ctx.read() as session:
            rows = (await session.scalars(query.order_by(Game.name).limit(limit))).all()
        return [GameChoice(g.id, g.name, g.ingame_id_label) for g in rows]

    async def set_manual_rank(
        self, actor: Actor, game: str | int, subject_type: str, subject_id: int, rank: int | None
    ) -> RankingView:
        async with self._ctx.unit_of_work() as uow:
            return await set_manual_rank_in(uow, actor, game, subject_type, subject_id, rank)


def _entry(game: Game, ingame_id: str | None, ranking: Ranking | None) -> ProfileEntry:
    return ProfileEntry(
        game_id=game.id,
        game_name=game.name,
        ingame_id_label=game.ingame_id_label,
        ingame_id=ingame_id,
        rating=ranking.rating if ranking else None,
        manual_rank=ranking.manual_rank if ranking else None,
        matches_played=ranking.matches_played if ranking else 0,
    )


async def ingame_ids(
    session: AsyncSession, guild_id: int, game_id: int, user_ids: Sequence[int]
) -> dict[int, str]:
    """The in-game ids the given players set for a game (missing players are absent)."""
    rows = await session.execute(
        select(PlayerProfile.user_id, PlayerProfile.ingame_id).where(
            PlayerProfile.guild_id == guild_id,
            PlayerProfile.game_id == game_id,
            PlayerProfile.user_id.in_(list(user_ids)),
        )
    )
    return {user_id: ingame_id for user_id, ingame_id in rows.all()}


async def fee_waiver_reason(
    session: AsyncSession, game: Game, top_n: int, subject_type: str, subject_id: int
) -> str | None:
    """Why the entry pays no fee (the top ``top_n`` of the server's ranking), or None."""
    place = await ranked_position(session, game.guild_id, game.id, subject_type, subject_id, top_n)
    return None if place is None else f"Fee waived: ranked #{place} in {game.name}"
