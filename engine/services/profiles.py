"""Player profiles (in-game ids per game) and rankings."""

from __future__ import annotations

from engine.services.context import ServiceContext


class ProfileService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
