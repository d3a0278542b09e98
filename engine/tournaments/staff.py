"""Who runs a tournament besides its owner: co-organizers added and removed by the owner
or a server admin (audited, with an event the notifier turns into a DM), and the
questions the surfaces ask before showing organizer tools. The permission rule itself is
``access.py``; the matrix is docs/permissions.md. Part of :class:`TournamentService`."""

from __future__ import annotations

from sqlalchemy import select

from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, NotFound
from engine.kernel.text import User, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.tournaments._rows import (
    check_found,
)
from engine.tournaments.access import (
    may_organize,
    may_organize_anything,
    organized_tournament_ids,
    require_tournament_owner,
)
from engine.tournaments.events import (
    TournamentStaffChanged,
)
from engine.tournaments.views import (
    StaffView,
)
from storage.models import (
    Tournament,
    TournamentStaff,
)


class TournamentStaffService:
    """The staff half of :class:`engine.tournaments.lifecycle.TournamentService`."""

    _ctx: ServiceContext

    async def may_organize_anything(self, actor: Actor, guild_id: int) -> bool:
        """An admin, an organizer-role holder or someone who runs a tournament here."""
        async with self._ctx.read() as session:
            return await may_organize_anything(session, actor, guild_id)

    async def may_organize(self, actor: Actor, tournament_id: int) -> bool:
        async with self._ctx.read() as session:
            return await may_organize(session, actor, tournament_id)

    async def organized_ids(self, actor: Actor, guild_id: int) -> set[int] | None:
        """The tournaments the actor runs here (None: every one, as a server admin)."""
        async with self._ctx.read() as session:
            return await organized_tournament_ids(session, actor, guild_id)

    async def staff(self, tournament_id: int, guild_id: int | None = None) -> StaffView:
        """The owner and the co-organizers of a tournament."""
        async with self._ctx.read() as session:
            row = await session.get(Tournament, tournament_id)
            check_found(row, guild_id)
            assert row is not None
            ids = await session.scalars(
                select(TournamentStaff.user_id)
                .where(TournamentStaff.tournament_id == row.id)
                .order_by(TournamentStaff.id)
            )
            return StaffView(row.id, row.name, row.created_by, tuple(ids.all()))

    async def add_co_organizer(self, actor: Actor, tournament_id: int, user_id: int) -> StaffView:
        """The owner (or a server admin) names a co-organizer of this one tournament."""
        async with self._ctx.unit_of_work() as uow:
            row = await uow.session.get(Tournament, tournament_id, with_for_update=True)
            check_found(row, actor.guild_id)
            assert row is not None
            await require_tournament_owner(uow.session, actor, row)
            if user_id == row.created_by:
                raise Conflict(
                    msg(
                        "{user} owns {name} already, so they need no co-organizer place.",
                        user=User(user_id),
                        name=row.name,
                    )
                )
            if await self._staff_row(uow, row.id, user_id) is not None:
                raise Conflict(
                    msg(
                        "{user} already co-organizes {name}; nothing changed.",
                        user=User(user_id),
                        name=row.name,
                    )
                )
            uow.session.add(
                TournamentStaff(
                    tournament_id=row.id,
                    guild_id=row.guild_id,
                    user_id=user_id,
                    added_by=actor.user_id,
                    created_at=uow.clock.now(),
                )
            )
            await uow.session.flush()
            self._staff_changed(uow, actor, row, user_id, added=True)
        return await self.staff(tournament_id)

    async def remove_co_organizer(
        self, actor: Actor, tournament_id: int, user_id: int
    ) -> StaffView:
        async with self._ctx.unit_of_work() as uow:
            row = await uow.session.get(Tournament, tournament_id, with_for_update=True)
            check_found(row, actor.guild_id)
            assert row is not None
            await require_tournament_owner(uow.session, actor, row)
            staffed = await self._staff_row(uow, row.id, user_id)
            if staffed is None:
                raise NotFound(
                    msg(
                        "{user} is not a co-organizer of {name}; nothing changed.",
                        user=User(user_id),
                        name=row.name,
                    )
                )
            await uow.session.delete(staffed)
            await uow.session.flush()
            self._staff_changed(uow, actor, row, user_id, added=False)
        return await self.staff(tournament_id)

    async def _staff_row(
        self, uow: UnitOfWork, tournament_id: int, user_id: int
    ) -> TournamentStaff | None:
        return await uow.session.scalar(
            select(TournamentStaff).where(
                TournamentStaff.tournament_id == tournament_id,
                TournamentStaff.user_id == user_id,
            )
        )

    def _staff_changed(
        self, uow: UnitOfWork, actor: Actor, row: Tournament, user_id: int, *, added: bool
    ) -> None:
        uow.audit(
            guild_id=row.guild_id,
            actor_id=actor.user_id,
            action="tournament.staff_add" if added else "tournament.staff_remove",
            target_type="tournament",
            target_id=row.id,
            before=None if added else {"co_organizer": user_id},
            after={"co_organizer": user_id} if added else None,
        )
        uow.emit(
            TournamentStaffChanged(
                guild_id=row.guild_id,
                tournament_id=row.id,
                name=row.name,
                user_id=user_id,
                added=added,
                actor_id=actor.user_id,
            )
        )
