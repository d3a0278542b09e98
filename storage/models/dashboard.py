"""Organizer logins to the web dashboard: one row per one-time link and its session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, JSONType, Snowflake, UTCDateTime


class DashboardLogin(Base):
    """A link DMed by /dashboard (single use: ``used_at``) and the session it opened.

    Only sha256 digests of the link nonce and the session token are stored.
    """

    __tablename__ = "dashboard_logins"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    link_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    session_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(Snowflake)
    display_name: Mapped[str] = mapped_column(String(100))
    # [{"guild_id": "…", "guild_name": "…", "role_ids": ["…"], "can_manage_guild": bool}]
    grants: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    link_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
