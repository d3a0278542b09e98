"""Who is acting. Whether they may organize is decided by ``engine.guilds.access`` (the
server) and ``engine.tournaments.access`` (one tournament)."""

from __future__ import annotations

from dataclasses import dataclass, field

SYSTEM_USER_ID = 0  # who acted when the bot itself did (a dispute it opened or closed)


@dataclass(frozen=True)
class Actor:
    """The person behind a command, as far as the rules care.

    ``can_manage_guild`` is Discord's Manage Server permission, resolved by the caller
    (the guild owner has it); the guild's organizer role and a tournament's staff are
    checked against the stored settings by the access modules.
    """

    user_id: int
    guild_id: int | None = None
    role_ids: frozenset[int] = field(default_factory=frozenset)
    can_manage_guild: bool = False
    display_name: str = ""
