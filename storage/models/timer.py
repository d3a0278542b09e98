from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, JSONType, Snowflake, UTCDateTime


class Timer(Base):
    """Something that must happen at a time (docs/architecture.md, "Durable time"):
    written by a service in the same transaction as the state that implies it, fired by
    whichever process claims it.

    ``key`` names the thing the timer is about (``registration.close:42``) so that the
    owning service can move or cancel it when that state changes.
    """

    __tablename__ = "timers"
    __table_args__ = (
        Index("ix_timers_due", "fired_at", "cancelled_at", "due_at"),
        Index("ix_timers_key", "key"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(48))
    key: Mapped[str] = mapped_column(String(160))
    guild_id: Mapped[int | None] = mapped_column(Snowflake)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A lease: a process that claimed a timer and died releases it when the lease ends.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(Text)
