"""Who is acting, and whether they may organize in a guild."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.kernel.errors import PermissionDenied
from engine.kernel.text import msg

SYSTEM_USER_ID = 0  # who acted when the bot itself did (a dispute it opened or closed)


@dataclass(frozen=True)
class Actor:
    """The person behind a command, as far as the rules care.

    ``can_manage_guild`` is Discord's Manage Server permission, resolved by the caller;
    the guild's organizer role is resolved here against the stored settings.
    """

    user_id: int
    guild_id: int | None = None
    role_ids: frozenset[int] = field(default_factory=frozenset)
    can_manage_guild: bool = False
    display_name: str = ""


def is_organizer(actor: Actor, organizer_role_id: int | None) -> bool:
    if actor.can_manage_guild:
        return True
    return organizer_role_id is not None and organizer_role_id in actor.role_ids


def require_organizer(
    actor: Actor, organizer_role_id: int | None, guild_id: int | None = None
) -> None:
    """Refuse unless ``actor`` organizes; with ``guild_id``, organizes *that* server (the
    actor's roles and Manage Server were resolved in ``actor.guild_id`` only)."""
    if guild_id is not None and actor.guild_id is not None and actor.guild_id != guild_id:
        raise PermissionDenied(
            msg("Only organizers of this server can do that, and you are acting from another one.")
        )
    if not is_organizer(actor, organizer_role_id):
        who = msg("the organizer role or ") if organizer_role_id else ""
        raise PermissionDenied(
            msg(
                "Only organizers can do that: it needs {who}the Manage Server "
                "permission. Ask a server admin if you should have it.",
                who=who,
            )
        )
