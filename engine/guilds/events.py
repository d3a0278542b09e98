"""Events about a server's DeltaCrown configuration."""

from __future__ import annotations

from dataclasses import dataclass

from engine.kernel.events import DomainEvent, domain_event


@domain_event("guild.configured")
@dataclass(frozen=True, kw_only=True)
class GuildConfigured(DomainEvent):
    actor_id: int
    changed: list[str]
    announcement_channel_id: int | None = None


@domain_event("game.added")
@dataclass(frozen=True, kw_only=True)
class GameAdded(DomainEvent):
    game_id: int
    name: str
    actor_id: int
