"""The coin ledger: balances, grants, spends, idempotency."""

from __future__ import annotations

from engine.services.context import ServiceContext


class LedgerService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
