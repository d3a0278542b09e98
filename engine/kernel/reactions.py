"""In-transaction reactions: how a lower domain lets a higher one act in its transaction.

The domain order (docs/architecture.md) lets ``tournaments`` know nothing of ``money``, yet
cancelling a tournament must refund every fee in the same transaction, and a bracket that
just finished must complete the tournament (placings, prizes) before its commit. The lower
domain names the moment as a frozen dataclass and calls ``await uow.react(moment)``; the
composition root (``engine.services``) registers the higher domain's handler for that
moment's type with :meth:`Reactions.on`.

Unlike a domain event (delivered after the commit, at least once, maybe by another
process), a reaction runs now, inside the caller's transaction, exactly once, in the
order the handlers were registered; if it raises, everything rolls back together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from engine.kernel.uow import UnitOfWork

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
