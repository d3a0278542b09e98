"""Who may run one tournament: the single permission check of every organizer action.

A tournament is run by

- its **owner**, the member who created it (``Tournament.created_by``);
- its **co-organizers**, named per tournament by the owner or a server admin
  (``tournament_staff``);
- the server's **admins** (Manage Server; the guild owner has it).

Holding the server's organizer role lets a member *create* tournaments and use the
server-wide organizer commands (``engine.guilds.access``), not run somebody else's
tournament. The full matrix is docs/permissions.md; tests/engine/services/
test_permission_matrix.py checks it row by row.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import select

from engine.guilds import acts_in, is_guild_organizer, refuse_other_server
from engine.kernel.actors import Actor
from engine.kernel.errors import NotFound, PermissionDenied
from engine.kernel.text import Command, User, msg
from storage.models import Tournament, TournamentStaff


class StaffRole(StrEnum):
    ADMIN = "admin"
    OWNER = "owner"
    CO_ORGANIZER = "co_organizer"


async def _tournament(session: Any, tournament: Tournament | int) -> Tournament:
    if isinstance(tournament, Tournament):
        return tournament
    row = await session.get(Tournament, tournament)
    if row is None:
        raise NotFound(msg("That tournament does not exist. Pick one from the list."))
    return row


async def staff_role(session: Any, actor: Actor, tournament: Tournament | int) -> StaffRole | None:
    """The actor's part in running the tournament, or None when they have none."""
    row = await _tournament(session, tournament)
    if not acts_in(actor, row.guild_id):
        return None
    if actor.can_manage_guild:
        return StaffRole.ADMIN
    if actor.user_id == row.created_by:
        return StaffRole.OWNER
    staffed = await session.scalar(
        select(TournamentStaff.id).where(
            TournamentStaff.tournament_id == row.id, TournamentStaff.user_id == actor.user_id
        )
    )
    return StaffRole.CO_ORGANIZER if staffed is not None else None


async def may_organize(session: Any, actor: Actor, tournament: Tournament | int) -> bool:
    return await staff_role(session, actor, tournament) is not None


async def require_tournament_organizer(
    session: Any, actor: Actor, tournament: Tournament | int
) -> StaffRole:
    """Refuse unless the actor owns the tournament, co-organizes it or is a server admin."""
    row = await _tournament(session, tournament)
    refuse_other_server(actor, row.guild_id)
    role = await staff_role(session, actor, row)
    if role is None:
        raise PermissionDenied(
            msg(
                "Only the organizers of {name} can do that: its owner {owner}, the "
                "co-organizers they named, or a server admin. Ask {owner} to add you "
                "with {staff_add}.",
                name=row.name,
                owner=User(row.created_by),
                staff_add=Command("tournament staff-add"),
            )
        )
    return role


async def require_tournament_owner(
    session: Any, actor: Actor, tournament: Tournament | int
) -> StaffRole:
    """The owner or a server admin: who may name and remove co-organizers."""
    row = await _tournament(session, tournament)
    role = await require_tournament_organizer(session, actor, row)
    if role is StaffRole.CO_ORGANIZER:
        raise PermissionDenied(
            msg(
                "Only the owner of {name}, {owner}, or a server admin can change who "
                "co-organizes it.",
                name=row.name,
                owner=User(row.created_by),
            )
        )
    return role


async def organized_tournament_ids(session: Any, actor: Actor, guild_id: int) -> set[int] | None:
    """The tournaments of a server the actor may run; ``None`` means every one (an admin)."""
    if not acts_in(actor, guild_id):
        return set()
    if actor.can_manage_guild:
        return None
    owned = await session.scalars(
        select(Tournament.id).where(
            Tournament.guild_id == guild_id, Tournament.created_by == actor.user_id
        )
    )
    staffed = await session.scalars(
        select(TournamentStaff.tournament_id).where(
            TournamentStaff.guild_id == guild_id, TournamentStaff.user_id == actor.user_id
        )
    )
    return set(owned.all()) | set(staffed.all())


async def may_organize_anything(session: Any, actor: Actor, guild_id: int) -> bool:
    """An admin, an organizer-role holder, or someone who runs at least one tournament
    here: who may open the organizer dashboard and the server-wide review lists."""
    if await is_guild_organizer(session, actor, guild_id):
        return True
    ids = await organized_tournament_ids(session, actor, guild_id)
    return ids is None or bool(ids)


async def require_any_organizing(session: Any, actor: Actor, guild_id: int) -> set[int] | None:
    """For the server-wide review lists: the tournaments to show (None: all), or a refusal
    when the actor runs nothing here."""
    refuse_other_server(actor, guild_id)
    ids = await organized_tournament_ids(session, actor, guild_id)
    if ids is None or ids:
        return ids
    if await is_guild_organizer(session, actor, guild_id):
        return set()
    raise PermissionDenied(
        msg(
            "Only organizers can do that: you run no tournament on this server. A "
            "tournament's owner can add you as a co-organizer."
        )
    )
