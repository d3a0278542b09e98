from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, JSONType, Snowflake, UTCDateTime


class OutboxEvent(Base):
    """A domain event written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_pending", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    event_type: Mapped[str] = mapped_column(String(64))
    # The guild whose Discord state the event touches (None: no guild), so that only the
    # process running that guild's shard claims it (engine/kernel/outbox.py).
    guild_id: Mapped[int | None] = mapped_column(Snowflake)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A lease, so that several processes never deliver the same event at the same time.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Which dispatcher holds the lease: only the holder may renew it (its heartbeat).
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxDelivery(Base):
    """One subscriber has handled one event; a retry skips subscribers listed here."""

    __tablename__ = "outbox_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "subscriber"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id", ondelete="CASCADE"))
    subscriber: Mapped[str] = mapped_column(String(64))
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeliveryEffect(Base):
    """A Discord message or thread a delivery created, under a key stable across retries.

    The key names the event, the subscriber and the effect within it, so a retry (in this
    process or another) finds the message it already posted and skips or edits it.
    """

    __tablename__ = "delivery_effects"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    object_id: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
