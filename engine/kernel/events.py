"""Typed domain events.

Services emit them inside their transaction (they land in the outbox table); after the
commit the dispatcher hands them to subscribers (Discord notifier, dashboard live feed,
audit/analytics). Every event is a frozen dataclass of JSON-safe fields so that it can be
stored and rebuilt exactly; ``event_type`` is its stable name in the outbox.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

_REGISTRY: dict[str, type[DomainEvent]] = {}

E = TypeVar("E", bound="DomainEvent")


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    event_type: ClassVar[str] = ""
    guild_id: int | None = None

    def to_payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_payload(cls: type[E], payload: dict[str, Any]) -> E:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in payload.items() if k in names})


def domain_event(name: str) -> Callable[[type[E]], type[E]]:
    """Register an event class under its stable outbox name."""

    def register(cls: type[E]) -> type[E]:
        if name in _REGISTRY:
            raise ValueError(f"event type {name!r} is registered twice")
        cls.event_type = name
        _REGISTRY[name] = cls
        return cls

    return register


def event_from_row(event_type: str, payload: dict[str, Any]) -> DomainEvent:
    try:
        cls = _REGISTRY[event_type]
    except KeyError:
        raise LookupError(f"unknown event type {event_type!r} in the outbox") from None
    return cls.from_payload(payload)


def registered_event_types() -> dict[str, type[DomainEvent]]:
    return dict(_REGISTRY)
