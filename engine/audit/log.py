"""Reading the audit log (every service writes it through ``UnitOfWork.audit``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.kernel.uow import ServiceContext
from storage.models import AuditEntry


@dataclass(frozen=True)
class AuditRecord:
    id: int
    guild_id: int | None
    actor_id: int | None
    action: str
    target_type: str
    target_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime


class AuditService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def recent(
        self, guild_id: int, *, limit: int = 20, action_prefix: str | None = None
    ) -> list[AuditRecord]:
        query = select(AuditEntry).where(AuditEntry.guild_id == guild_id)
        if action_prefix:
            query = query.where(AuditEntry.action.startswith(action_prefix))
        query = query.order_by(AuditEntry.id.desc()).limit(limit)
        async with self._ctx.read() as session:
            rows = (await session.scalars(query)).all()
        return [
            AuditRecord(
                id=r.id,
                guild_id=r.guild_id,
                actor_id=r.actor_id,
                action=r.action,
                target_type=r.target_type,
                target_id=r.target_id,
                before=r.before,
                after=r.after,
                created_at=r.created_at,
            )
            for r in rows
        ]
