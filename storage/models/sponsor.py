"""Sponsors: a server's sponsors, the tournaments they back, and their daily numbers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, Snowflake, UTCDateTime


class Sponsor(Base):
    """One sponsor of a server. ``key`` is its public address, ``/s/{key}``; the click
    redirect only ever goes to ``url``, which an organizer registered."""

    __tablename__ = "sponsors"
    __table_args__ = (
        UniqueConstraint("guild_id", "name"),
        Index("ix_sponsors_guild_tier", "guild_id", "tier", "position"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(16))  # engine.sponsors.TIERS
    position: Mapped[int] = mapped_column(Integer, default=0)  # order inside the tier
    url: Mapped[str] = mapped_column(String(512))
    blurb: Mapped[str | None] = mapped_column(String(200))
    logo_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TournamentSponsor(Base):
    """A sponsor backing one tournament."""

    __tablename__ = "tournament_sponsors"

    tournament_id: Mapped[int] = mapped_column(
        ForeignKey("tournaments.id", ondelete="CASCADE"), primary_key=True
    )
    sponsor_id: Mapped[int] = mapped_column(
        ForeignKey("sponsors.id", ondelete="CASCADE"), primary_key=True
    )
    added_by: Mapped[int] = mapped_column(Snowflake)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SponsorDailyStats(Base):
    """Impressions and clicks of one sponsor for one tournament (0: none named) on one
    UTC day: one row upserted per count, so counting stays one statement."""

    __tablename__ = "sponsor_daily_stats"

    sponsor_id: Mapped[int] = mapped_column(
        ForeignKey("sponsors.id", ondelete="CASCADE"), primary_key=True
    )
    # No foreign key: 0 stands for a click without a (known) tournament.
    tournament_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    impressions: Mapped[int] = mapped_column(Integer, default=0)
    clicks: Mapped[int] = mapped_column(Integer, default=0)
    unique_clicks: Mapped[int] = mapped_column(Integer, default=0)


class SponsorVisitor(Base):
    """Who already clicked today, as a keyed hash of address and browser (never the
    address itself): a second click the same day counts in total, not in unique."""

    __tablename__ = "sponsor_visitors"

    sponsor_id: Mapped[int] = mapped_column(
        ForeignKey("sponsors.id", ondelete="CASCADE"), primary_key=True
    )
    tournament_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    visitor: Mapped[str] = mapped_column(String(64), primary_key=True)
