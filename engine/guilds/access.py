"""Who may organize in a server: the one place the organizer role is looked up.

Two rungs, both read from the actor as Discord resolved them in ``actor.guild_id`` (so
they say nothing about another server):

- a **server admin** has Manage Server (the guild owner has every permission);
- a **guild organizer** is an admin or holds the organizer role set with ``/setup``.

Guild organizers may create tournaments and run the server-wide organizer commands (games,
coins, badges, rankings, setup). What they may do to *one* tournament is decided by
``engine.tournaments.access``: its owner, its co-organizers and the server admins.
"""

from __future__ import annotations

from typing import Any

from engine.kernel.actors import Actor
from engine.kernel.errors import PermissionDenied
from engine.kernel.text import msg
from storage.models import GuildSettings


async def organizer_role_of(session: Any, guild_id: int) -> int | None:
    """The server's organizer role (``/setup``), or None when none is set."""
    settings = await session.get(GuildSettings, guild_id)
    return settings.organizer_role_id if settings else None


def acts_in(actor: Actor, guild_id: int) -> bool:
    """The actor's roles and permissions were resolved in this server (an actor without a
    server, such as the system, is taken at its word)."""
    return actor.guild_id is None or actor.guild_id == guild_id


def is_server_admin(actor: Actor, guild_id: int) -> bool:
    return acts_in(actor, guild_id) and actor.can_manage_guild


def holds_organizer_role(actor: Actor, role_id: int | None) -> bool:
    return role_id is not None and role_id in actor.role_ids


async def is_guild_organizer(session: Any, actor: Actor, guild_id: int) -> bool:
    if not acts_in(actor, guild_id):
        return False
    if actor.can_manage_guild:
        return True
    return holds_organizer_role(actor, await organizer_role_of(session, guild_id))


def refuse_other_server(actor: Actor, guild_id: int) -> None:
    if not acts_in(actor, guild_id):
        raise PermissionDenied(
            msg("Only organizers of this server can do that, and you are acting from another one.")
        )


async def require_guild_organizer(session: Any, actor: Actor, guild_id: int) -> None:
    """Refuse unless the actor is a server admin or holds the organizer role here."""
    refuse_other_server(actor, guild_id)
    if await is_guild_organizer(session, actor, guild_id):
        return
    role_id = await organizer_role_of(session, guild_id)
    who = msg("the organizer role or ") if role_id else ""
    raise PermissionDenied(
        msg(
            "Only organizers can do that: it needs {who}the Manage Server "
            "permission. Ask a server admin if you should have it.",
            who=who,
        )
    )


def require_server_admin(actor: Actor, guild_id: int) -> None:
    refuse_other_server(actor, guild_id)
    if not actor.can_manage_guild:
        raise PermissionDenied(
            msg(
                "Only a server admin (the Manage Server permission, or the server owner) "
                "can do that. Ask one of them."
            )
        )
