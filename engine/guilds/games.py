"""Games: /game add, /game list."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engine.guilds.access import require_guild_organizer
from engine.guilds.events import GameAdded
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.text import Command, msg
from engine.kernel.typed import row_id
from engine.kernel.uow import ServiceContext
from storage.models import Game
from storage.models.enums import ResultType

# A Discord modal holds five inputs: one in-game id per team member at most.
MAX_TEAM_SIZE = 5
RESULT_TYPE_NAMES = {
    ResultType.MAP_SCORE: "Map score (e.g. 13–11)",
    ResultType.BEST_OF: "Best-of series (e.g. 2–1)",
    ResultType.POINTS: "Points (higher wins)",
}
_TEAM_SIZE = re.compile(r"^\s*(\d+)\s*(?:(?:\.\.|-|–|to)\s*(\d+))?\s*$")


@dataclass(frozen=True)
class GameSpec:
    name: str
    team_size_min: int = 1
    team_size_max: int = 1
    result_type: str = ResultType.BEST_OF
    ingame_id_label: str = "In-game ID"
    allows_draws: bool = False


@dataclass(frozen=True)
class GameView:
    id: int
    guild_id: int
    name: str
    team_size_min: int
    team_size_max: int
    result_type: str
    allows_draws: bool
    ingame_id_label: str

    @classmethod
    def of(cls, row: Game) -> GameView:
        return cls(
            id=row.id,
            guild_id=row.guild_id,
            name=row.name,
            team_size_min=row.team_size_min,
            team_size_max=row.team_size_max,
            result_type=row.result_type,
            allows_draws=row.allows_draws,
            ingame_id_label=row.ingame_id_label,
        )

    @property
    def team_size_text(self) -> str:
        if self.team_size_min == self.team_size_max:
            return "solo" if self.team_size_max == 1 else f"{self.team_size_max} per team"
        return f"{self.team_size_min}–{self.team_size_max} per team"


def parse_team_size(text: str) -> tuple[int, int]:
    """ "5" is a fixed size; "3..5" (or "3-5", "3 to 5") a range of allowed team sizes."""
    match = _TEAM_SIZE.match(text)
    if not match:
        raise InvalidInput(
            msg(
                "“{text}” is not a team size. Write one number such as 5, or a range such as 3..5.",
                text=text,
            )
        )
    low = int(match.group(1))
    high = int(match.group(2) or low)
    return low, high


def _validated(spec: GameSpec) -> GameSpec:
    name = " ".join(spec.name.split())
    if not 1 <= len(name) <= 64:
        raise InvalidInput(
            msg("A game name must be 1 to 64 characters long, for example “Valorant”.")
        )
    low, high = spec.team_size_min, spec.team_size_max
    if not 1 <= low <= high <= MAX_TEAM_SIZE:
        raise InvalidInput(
            msg(
                "The team size must be between 1 and {max_team_size} players, and the "
                "smallest size cannot be above the largest (you gave {low}..{high}).",
                max_team_size=MAX_TEAM_SIZE,
                low=low,
                high=high,
            )
        )
    if spec.result_type not in set(ResultType):
        raise InvalidInput(
            "The result type must be one of: " + ", ".join(t.value for t in ResultType) + "."
        )
    label = " ".join(spec.ingame_id_label.split())
    if not 1 <= len(label) <= 32:
        raise InvalidInput(
            msg("The in-game id label must be 1 to 32 characters long, for example “Riot ID”.")
        )
    return GameSpec(name, low, high, spec.result_type, label, spec.allows_draws)


class GameService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def add(self, actor: Actor, guild_id: int, spec: GameSpec) -> GameView:
        """Add a game to this server's catalogue; names are unique per server (any case)."""
        spec = _validated(spec)
        try:
            async with self._ctx.unit_of_work() as uow:
                await require_guild_organizer(uow.session, actor, guild_id)
                clash = await uow.session.scalar(
                    select(Game.name).where(
                        Game.guild_id == guild_id, func.lower(Game.name) == spec.name.lower()
                    )
                )
                if clash is not None:
                    raise _duplicate(clash)
                row = Game(
                    guild_id=guild_id,
                    name=spec.name,
                    team_size_min=spec.team_size_min,
                    team_size_max=spec.team_size_max,
                    result_type=spec.result_type,
                    allows_draws=spec.allows_draws,
                    ingame_id_label=spec.ingame_id_label,
                    created_by=actor.user_id,
                    created_at=uow.clock.now(),
                )
                uow.session.add(row)
                await uow.session.flush()
                view = GameView.of(row)
                uow.audit(
                    guild_id=guild_id,
                    actor_id=actor.user_id,
                    action="game.add",
                    target_type="game",
                    target_id=row.id,
                    after=_audit_dict(view),
                )
                uow.emit(
                    GameAdded(
                        guild_id=guild_id, game_id=row.id, name=row.name, actor_id=actor.user_id
                    )
                )
        except IntegrityError:
            # Two organizers added the same name at the same moment; the unique key decided.
            raise _duplicate(spec.name) from None
        return view

    async def list_games(self, guild_id: int) -> list[GameView]:
        async with self._ctx.read() as session:
            rows = await session.scalars(
                select(Game).where(Game.guild_id == guild_id).order_by(func.lower(Game.name))
            )
            return [GameView.of(r) for r in rows]

    async def get(self, game_id: int, guild_id: int | None = None) -> GameView:
        async with self._ctx.read() as session:
            row = await session.get(Game, game_id)
        if row is None or (guild_id is not None and row.guild_id != guild_id):
            raise NotFound(
                msg(
                    "That game is not in this server's list. See {game_list}.",
                    game_list=Command("game list"),
                )
            )
        return GameView.of(row)

    async def search(self, guild_id: int, text: str, limit: int = 25) -> list[GameView]:
        query = select(Game).where(Game.guild_id == guild_id)
        if text.strip():
            query = query.where(
                func.lower(Game.name).contains(text.strip().lower(), autoescape=True)
            )
        async with self._ctx.read() as session:
            rows = await session.scalars(query.order_by(func.lower(Game.name)).limit(limit))
            return [GameView.of(r) for r in rows]

    async def resolve(self, guild_id: int, text: str) -> int:
        """The id of a game picked from autocomplete (its id) or typed by name."""
        text = text.strip()
        async with self._ctx.read() as session:
            if (wanted := row_id(text)) is not None:
                row = await session.get(Game, wanted)
                if row is not None and row.guild_id == guild_id:
                    return row.id
            found = await session.scalar(
                select(Game.id).where(
                    Game.guild_id == guild_id, func.lower(Game.name) == text.lower()
                )
            )
        if found is None:
            raise NotFound(
                msg(
                    "There is no game called “{text}” on this server. Pick one from the "
                    "list, or ask an organizer to add it with {game_add}.",
                    text=text,
                    game_add=Command("game add"),
                )
            )
        return found


def _duplicate(name: str) -> Conflict:
    return Conflict(
        msg(
            "This server already has a game called “{name}”. Pick another name, or use "
            "the existing game (see {game_list}).",
            name=name,
            game_list=Command("game list"),
        )
    )


def _audit_dict(view: GameView) -> dict[str, object]:
    return {
        "name": view.name,
        "team_size_min": view.team_size_min,
        "team_size_max": view.team_size_max,
        "result_type": view.result_type,
        "allows_draws": view.allows_draws,
        "ingame_id_label": view.ingame_id_label,
    }
