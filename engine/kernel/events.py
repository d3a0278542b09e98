"""Typed domain events.

Services emit them inside their transaction (they land in the outbox table); after the
commit the dispatcher hands them to subscribers (Discord notifier, dashboard live feed,
audit/analytics). Every event is a frozen dataclass of JSON-safe fields so that it can be
stored and rebuilt exactly; ``event_type`` is its stable name in the outbox.

In-transaction reactions (:class:`Reactions`, below) are how a lower domain lets a higher
one act in its transaction. The domain order (docs/architecture.md) lets ``tournaments``
know nothing of ``money``, yet cancelling a tournament must refund every fee in the same
transaction, and a bracket that just finished must complete the tournament (placings,
prizes) before its commit. The lower domain names the moment as a frozen dataclass and
calls ``await uow.react(moment)``; the composition root (``engine.services``) registers
the higher domain's handler for that moment's type with :meth:`Reactions.on`.

Unlike a domain event (delivered after the commit, at least once, maybe by another
process), a reaction runs now, inside the caller's transaction, exactly once, in the
order the handlers were registered; if it raises, everything rolls back together.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from engine.kernel.uow import UnitOfWork

_REGISTRY: dict[str, type[DomainEvent]] = {}
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_LEAVES = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """What :func:`dataclasses.asdict` makes of an event, without its deep copy of every
    leaf (a result emits several events, and the copies were most of their cost): the
    fields are JSON-safe and immutable, so they are shared, and dataclasses, lists, tuples
    and dicts inside are rebuilt as asdict would."""
    if isinstance(value, _LEAVES):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        names = _FIELD_NAMES.get(kind)
        if names is None:
            names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value))
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
        return type(value)(*(_plain(v) for v in value))
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value


E = TypeVar("E", bound="DomainEvent")


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    event_type: ClassVar[str] = ""
    guild_id: int | None = None

    def to_payload(self) -> dict[str, Any]:
        return _plain(self)  # type: ignore[no-any-return,unused-ignore]

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


# --- in-transaction reactions -------------------------------------------------------

M = TypeVar("M")
Handler = Callable[["UnitOfWork", Any], Awaitable[Any]]


class Reactions:
    """Handlers per moment type; one registry per service context."""

    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)

    def on(self, moment: type[M], handler: Callable[[UnitOfWork, M], Awaitable[Any]]) -> None:
        self._handlers[moment].append(handler)

    def handles(self, moment: type) -> bool:
        return bool(self._handlers.get(moment))

    async def run(self, uow: UnitOfWork, moment: object) -> list[Any]:
        """Run every handler of ``type(moment)`` in order; their results, in that order."""
        return [await handler(uow, moment) for handler in self._handlers.get(type(moment), ())]
