from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, JSONType, Snowflake, UTCDateTime


class AuditEntry(Base):
    """Append-only record of every state change: who did what, before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_guild_created", "guild_id", "created_at"),
        # Paged search newest first (keyset on id), by server and by each filter.
        Index("ix_audit_log_guild_id", "guild_id", "id"),
        Index("ix_audit_log_guild_actor", "guild_id", "actor_id", "id"),
        Index("ix_audit_log_guild_action", "guild_id", "action", "id"),
        Index("ix_audit_log_guild_tournament", "guild_id", "tournament_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int | None] = mapped_column(Snowflake)
    actor_id: Mapped[int | None] = mapped_column(Snowflake)
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # The tournament the change belongs to (its target, or named in before/after), so the
    # log can be searched by tournament without reading JSON.
    tournament_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
