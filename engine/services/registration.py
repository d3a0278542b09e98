"""Registration, the waitlist, and fee waivers."""

from __future__ import annotations

from engine.services.context import ServiceContext


class RegistrationService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
