"""Entry-fee payments: coins, proofs, organizer review, refunds."""

from __future__ import annotations

from engine.services.context import ServiceContext


class PaymentService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
