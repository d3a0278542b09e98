"""Tournaments: create, edit, versions and rollback, lifecycle, custom fields."""

from __future__ import annotations

from engine.services.context import ServiceContext


class TournamentService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
