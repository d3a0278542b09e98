from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import Snowflake, UTCDateTime


class GuildSettings(Base):
    """Per-Discord-server configuration written by ``/setup``."""

    __tablename__ = "guild_settings"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    organizer_role_id: Mapped[int | None] = mapped_column(Snowflake)
    announcement_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    match_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    dispute_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    coin_name: Mapped[str] = mapped_column(String(32), default="coins")
    # The server's language (engine/kernel/i18n.py): public messages and the default for
    # members who chose none.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # Keep audit entries this many days (money entries are kept regardless); None: forever.
    audit_retention_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserSettings(Base):
    """A person's own choices, the same in every server (today: their language)."""

    __tablename__ = "user_settings"

    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
