"""Shared reads of the stats domain: who a rating belongs to, names, organizer checks."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.guilds import require_guild_organizer
from engine.kernel.actors import Actor
from engine.kernel.errors import NotFound
from engine.kernel.text import msg
from storage.models import Game, Registration, Team

# Under this many rated matches a rating is marked provisional (it still moves a lot).
PROVISIONAL_MATCHES = 5


async def require_server_organizer(session: AsyncSession, actor: Actor, guild_id: int) -> None:
    await require_guild_organizer(session, actor, guild_id)


async def game_of(session: AsyncSession, guild_id: int, game_id: int) -> Game:
    game = await session.get(Game, game_id)
    if game is None or game.guild_id != guild_id:
        raise NotFound(msg("That game is not set up on this server. Pick one from the list."))
    return game


def subject_type_of(game: Game) -> str:
    """Team games rank teams; solo games rank players (as the Elo ratings do)."""
    return "team" if game.team_size_max > 1 else "player"


async def names_of(
    session: AsyncSession, guild_id: int, subject_type: str, ids: Iterable[int]
) -> dict[int, str]:
    """Display names: a team's name, or the name a player last registered under."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    if subject_type == "team":
        rows = await session.execute(select(Team.id, Team.name).where(Team.id.in_(wanted)))
        return {tid: name for tid, name in rows}
    names: dict[int, str] = {}
    rows = await session.execute(
        select(Registration.user_id, Registration.display_name)
        .where(Registration.guild_id == guild_id, Registration.user_id.in_(wanted))
        .order_by(Registration.id)
    )
    for user_id, name in rows:
        names[user_id] = name  # the latest registration wins
    return names
