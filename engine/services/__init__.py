"""Async use cases — the only code that changes state.

``Services`` bundles one instance of each service around a shared context; ``main()``
builds it once and hands it to the bot, the dashboard and the scheduler.
"""

from __future__ import annotations

from engine.clock import Clock
from engine.services.audit import AuditService
from engine.services.context import ServiceContext
from engine.services.guilds import GuildService
from engine.services.outbox import OutboxDispatcher
from storage.db import Database


class Services:
    def __init__(
        self, db: Database, clock: Clock | None = None, *, default_timezone: str = "UTC"
    ) -> None:
        self.ctx = ServiceContext(db, clock)
        self.db = db
        self.clock = self.ctx.clock
        self.outbox = OutboxDispatcher(db, self.clock)
        self.ctx.on_commit_with_events(self.outbox.wake)
        self.audit = AuditService(self.ctx)
        self.guilds = GuildService(self.ctx, default_timezone=default_timezone)
