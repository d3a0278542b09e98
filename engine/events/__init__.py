"""Typed domain events, one module per area; importing this package registers them all.

Services emit events inside their transaction (they land in the outbox table); after
the commit the dispatcher hands them to subscribers. See ``engine.events.base``.
"""

from engine.events.base import (
    DomainEvent,
    domain_event,
    event_from_row,
    registered_event_types,
)
from engine.events.guild import GuildConfigured

# Area modules register their events on import.
from engine.events import (  # noqa: F401  isort: skip
    awards,
    checkin,
    matches,
    payments,
    registration,
    scores,
    seeding,
    tournaments,
)

__all__ = [
    "DomainEvent",
    "GuildConfigured",
    "domain_event",
    "event_from_row",
    "registered_event_types",
]
