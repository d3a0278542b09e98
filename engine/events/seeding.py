"""Events: an organizer changes the seeding before (or right at) the start."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.events.base import DomainEvent, domain_event


@domain_event("tournament.seeding_changed")
@dataclass(frozen=True, kw_only=True)
class SeedingChanged(DomainEvent):
    tournament_id: int
    method: str
    # Registration ids in seed order for manual seeding; empty when decided at the start.
    order: list[int] = field(default_factory=list)
    actor_id: int | None = None


@domain_event("tournament.seeds_swapped")
@dataclass(frozen=True, kw_only=True)
class SeedsSwapped(DomainEvent):
    tournament_id: int
    registration_a_id: int
    registration_b_id: int
    # True when the bracket already existed and its matches were redrawn.
    bracket_rebuilt: bool
    actor_id: int | None = None
