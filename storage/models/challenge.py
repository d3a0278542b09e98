from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, Snowflake, UTCDateTime


class Challenge(Base):
    """A prize organizers set for a feat on a tournament (or anywhere in the server): judged
    from match results, or by an organizer reviewing a claim. Prizes come out of the
    coin pool ``pool_key``; ``winners`` counts the paid winners and never passes
    ``max_winners`` (one conditional UPDATE, and the CHECK)."""

    __tablename__ = "challenges"
    __table_args__ = (
        Index("ix_challenges_guild_status", "guild_id", "status"),
        CheckConstraint("winners <= max_winners", name="winners_within_max"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    tournament_id: Mapped[int | None] = mapped_column(
        ForeignKey("tournaments.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(100))
    rules: Mapped[str] = mapped_column(Text)
    prize: Mapped[int] = mapped_column(Integer)  # coins per winner
    max_winners: Mapped[int] = mapped_column(Integer)
    winners: Mapped[int] = mapped_column(Integer, default=0)
    judge: Mapped[str] = mapped_column(String(16))  # engine.challenges.Judge
    target: Mapped[int | None] = mapped_column(Integer)  # N of "first to N wins"
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12))  # open, closed
    pool_key: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChallengeClaim(Base):
    """One member's claim to a challenge (made by them with evidence, or by the bot from a
    match result). One per member and challenge: a second claim is refused."""

    __tablename__ = "challenge_claims"
    __table_args__ = (
        UniqueConstraint("challenge_id", "user_id"),
        Index("ix_challenge_claims_challenge_status", "challenge_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake)
    status: Mapped[str] = mapped_column(String(12))  # pending, won, rejected
    note: Mapped[str | None] = mapped_column(String(500))
    evidence_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="SET NULL"))
    reviewer_id: Mapped[int | None] = mapped_column(Snowflake)
    review_note: Mapped[str | None] = mapped_column(String(300))
    ledger_entry_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
