"""What spectators may see without logging in: public, published tournaments.

A tournament shows on the web once it is past draft and marked public (``is_public``);
drafts and private events are reported as missing, exactly like a wrong address.
"""

from __future__ import annotations

from sqlalchemy import select

from engine.kernel.uow import ServiceContext
from engine.tournaments import TournamentView, view_of
from storage.models import Game, GuildSettings, Tournament
from storage.models.enums import TournamentStatus

HIDDEN = frozenset({TournamentStatus.DRAFT})
# Live and upcoming events first on the front page; finished ones after them.
_ORDER = {
    TournamentStatus.LIVE: 0,
    TournamentStatus.REGISTRATION_OPEN: 1,
    TournamentStatus.REGISTRATION_CLOSED: 2,
    TournamentStatus.PUBLISHED: 3,
    TournamentStatus.COMPLETED: 4,
    TournamentStatus.ARCHIVED: 5,
    TournamentStatus.CANCELLED: 6,
}


class PublicSiteService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def tournaments(self, limit: int = 100) -> list[TournamentView]:
        """Public tournaments of every server, live and upcoming first, newest first."""
        query = (
            select(Tournament, Game.name, GuildSettings.timezone)
            .join(Game, Game.id == Tournament.game_id)
            .outerjoin(GuildSettings, GuildSettings.guild_id == Tournament.guild_id)
            .where(
                Tournament.is_public.is_(True),
                Tournament.status.not_in([s.value for s in HIDDEN]),
            )
            .order_by(Tournament.id.desc())
            .limit(limit)
        )
        async with self._ctx.read() as session:
            rows = (await session.execute(query)).all()
        views = [view_of(t, game, tz or "UTC") for t, game, tz in rows]
        return sorted(views, key=lambda v: _ORDER.get(TournamentStatus(v.status), 9))

    async def by_slug(self, slug: str) -> TournamentView | None:
        """The public tournament at ``/t/{slug}``, or None (unknown, draft or private)."""
        query = (
            select(Tournament, Game.name, GuildSettings.timezone)
            .join(Game, Game.id == Tournament.game_id)
            .outerjoin(GuildSettings, GuildSettings.guild_id == Tournament.guild_id)
            .where(Tournament.slug == slug[:80])
        )
        async with self._ctx.read() as session:
            row = (await session.execute(query)).one_or_none()
        if row is None:
            return None
        tournament, game, tz = row
        if not tournament.is_public or tournament.status in HIDDEN:
            return None
        return view_of(tournament, game, tz or "UTC")
