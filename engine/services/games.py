"""Games: /game add, /game list."""

from __future__ import annotations

from engine.services.context import ServiceContext


class GameService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
