"""Teams: create, invite, accept/decline, leave, kick, roster."""

from __future__ import annotations

from engine.services.context import ServiceContext


class TeamService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
