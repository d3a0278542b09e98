"""Lobby details of a match: the code and password of the in-game lobby.

The organizer or the higher seed (the better-seeded side: its members host) posts them
through a form in the match thread; the two sides and the organizers read them privately.
They are secrets of the match: no view, event, audit entry or log line carries them, and
the dashboard never sees them (``MatchView`` has no field for them).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.brackets import OPEN_STATES, MatchState
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.kernel.text import msg
from engine.kernel.uow import ServiceContext
from engine.matchday._access import MatchLobby, load_lobby, lock_match
from engine.matchday.schedule_events import MatchLobbyPosted
from engine.tournaments import may_organize
from storage.models import BracketState, MatchRow

MAX_LOBBY_TEXT = 64


@dataclass(frozen=True)
class LobbyDetails:
    code: str
    password: str | None
    posted_by: int | None


@dataclass(frozen=True)
class LobbyAccess:
    """What the actor may do with a match's lobby: post (organizer or higher seed) and
    read (the two sides and organizers); ``details`` when posted."""

    lobby: MatchLobby
    can_post: bool
    details: LobbyDetails | None


async def _host_registration(session: AsyncSession, row: MatchRow) -> int | None:
    """The better-seeded side of the match (seed 1 is the best)."""
    participants = await session.scalar(
        select(BracketState.participants).where(BracketState.tournament_id == row.tournament_id)
    )
    seeds = {p["id"]: int(p["seed"]) for p in participants or ()}
    sides = [r for r in (row.registration_a_id, row.registration_b_id) if r is not None]
    seeded = [r for r in sides if r in seeds]
    return min(seeded, key=lambda r: seeds[r]) if seeded else None


def _clean(text: str | None, what: str) -> str | None:
    value = " ".join((text or "").split())
    if len(value) > MAX_LOBBY_TEXT:
        raise InvalidInput(
            msg("The {what} can be at most {most} characters.", what=what, most=MAX_LOBBY_TEXT)
        )
    return value or None


class LobbyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def access(self, actor: Actor, match_id: int) -> LobbyAccess:
        async with self._ctx.read() as session:
            row = await session.get(MatchRow, match_id)
            if row is None:
                raise NotFound(msg("That match does not exist any more."))
            lobby = await load_lobby(session, row)
            side = lobby.side_of_user(actor.user_id)
            organizer = await may_organize(session, actor, row.tournament_id)
            if side is None and not organizer:
                raise PermissionDenied(
                    msg(
                        "The lobby details of match {code} are for its players and the "
                        "organizers only.",
                        code=row.code,
                    )
                )
            host = await _host_registration(session, row)
            mine = lobby.sides[side].registration_id if side is not None else None  # type: ignore[union-attr]
            open_now = row.status in OPEN_STATES
            details = None
            if row.lobby_code is not None:
                details = LobbyDetails(row.lobby_code, row.lobby_password, row.lobby_posted_by)
            return LobbyAccess(
                lobby, open_now and (organizer or (host is not None and mine == host)), details
            )

    async def post(
        self, actor: Actor, match_id: int, code: str, password: str | None
    ) -> MatchLobby:
        lobby_code = _clean(code, "lobby code")
        if lobby_code is None:
            raise InvalidInput(msg("Give the lobby code (or name) players join with."))
        lobby_password = _clean(password, "password")
        async with self._ctx.unit_of_work() as uow:
            tournament, row = await lock_match(uow, match_id)
            organizer = await may_organize(uow.session, actor, row.tournament_id)
            if not organizer:
                host = await _host_registration(uow.session, row)
                lobby = await load_lobby(uow.session, row)
                side = lobby.side_of_user(actor.user_id)
                hosting = side is not None and lobby.sides[side].registration_id == host  # type: ignore[union-attr]
                if not hosting:
                    raise PermissionDenied(
                        msg(
                            "Only the higher seed of match {code} or an organizer posts its "
                            "lobby details.",
                            code=row.code,
                        )
                    )
            if row.status not in OPEN_STATES or row.status == MatchState.DISPUTED:
                raise Conflict(
                    msg(
                        "Match {code} is not waiting to be played; its lobby cannot change.",
                        code=row.code,
                    )
                )
            replaced = row.lobby_code is not None
            row.lobby_code, row.lobby_password = lobby_code, lobby_password
            row.lobby_posted_by = actor.user_id
            row.updated_at = uow.clock.now()
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="match.lobby_posted",
                target_type="match",
                target_id=row.id,
                after={"replaced": replaced},  # never the code or the password
            )
            uow.emit(
                MatchLobbyPosted(
                    guild_id=row.guild_id,
                    tournament_id=tournament.id,
                    match_id=row.id,
                    code=row.code,
                    posted_by=actor.user_id,
                    replaced=replaced,
                    thread_id=row.thread_id,
                )
            )
            return await load_lobby(uow.session, row)
