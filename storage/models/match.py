from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, JSONType, Snowflake, UTCDateTime


class BracketState(Base):
    """The engine's inputs (engine/formats replays them with the ordered actions in
    ``bracket_actions``); ``version`` grows with every action and keys the bracket and
    image caches."""

    __tablename__ = "brackets"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tournament_id: Mapped[int] = mapped_column(
        ForeignKey("tournaments.id", ondelete="CASCADE"), unique=True
    )
    format: Mapped[str] = mapped_column(String(32))
    options: Mapped[dict[str, Any]] = mapped_column(JSONType)
    participants: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    seed: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The live bracket message in the announcement channel, edited as matches end.
    message_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    message_id: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BracketAction(Base):
    """One action of a bracket's log (a result or a withdrawal) at its place ``seq``
    (0, 1, 2, …). A result inserts one row, so its cost does not grow with the length of
    the log; the key also refuses two writers appending at the same place."""

    __tablename__ = "bracket_actions"

    bracket_id: Mapped[int] = mapped_column(
        ForeignKey("brackets.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[dict[str, Any]] = mapped_column(JSONType)


class MatchRow(Base):
    """A match as players see it: the engine's match plus check-in, reports, thread."""

    __tablename__ = "matches"
    __table_args__ = (
        UniqueConstraint("tournament_id", "code"),
        Index("ix_matches_tournament_status", "tournament_id", "status"),
        Index("ix_matches_slot_a", "registration_a_id"),
        Index("ix_matches_slot_b", "registration_b_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"))
    guild_id: Mapped[int] = mapped_column(Snowflake)
    code: Mapped[str] = mapped_column(String(24))  # the engine's match id, e.g. "W2-1"
    stage: Mapped[str] = mapped_column(String(24))
    side: Mapped[str] = mapped_column(String(16))
    group_name: Mapped[str | None] = mapped_column(String(8))
    round: Mapped[int] = mapped_column(Integer)
    round_title: Mapped[str] = mapped_column(String(48))
    position: Mapped[int] = mapped_column(Integer)
    best_of: Mapped[int] = mapped_column(Integer)
    registration_a_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    registration_b_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    # engine.brackets.states.MatchState: scheduled, checkin, ready, live, pending_result,
    # completed, disputed, cancelled
    status: Mapped[str] = mapped_column(String(16))
    score_a: Mapped[int | None] = mapped_column(Integer)
    score_b: Mapped[int | None] = mapped_column(Integer)
    winner_registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    outcome: Mapped[str | None] = mapped_column(String(20))
    checkin_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_a_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_b_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    thread_id: Mapped[int | None] = mapped_column(Snowflake)
    # Elo points side A gained from this result (B lost as many): a corrected or reset
    # result is reversed exactly before the new one counts.
    rating_delta: Mapped[int | None] = mapped_column(Integer)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the match is meant to start (its round's time, or an agreed reschedule); None =
    # as soon as both sides are known. ``live_at``: when it went LIVE.
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    live_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where to play (engine.matchday.lobby): for the two sides and organizers only — never
    # in a view, an event, the audit log or the dashboard.
    lobby_code: Mapped[str | None] = mapped_column(String(64))
    lobby_password: Mapped[str | None] = mapped_column(String(64))
    lobby_posted_by: Mapped[int | None] = mapped_column(Snowflake)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MatchReport(Base):
    """What one side (or an organizer) said the score was; two equal reports decide."""

    __tablename__ = "match_reports"
    __table_args__ = (UniqueConstraint("match_id", "registration_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"))
    reporter_id: Mapped[int] = mapped_column(Snowflake)
    score_a: Mapped[int] = mapped_column(Integer)
    score_b: Mapped[int] = mapped_column(Integer)
    screenshot_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Dispute(Base):
    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_guild_status", "guild_id", "status"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"))
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    opened_by: Mapped[int] = mapped_column(Snowflake)  # user id; the bot itself on mismatch
    reason: Mapped[str] = mapped_column(String(24))  # score_mismatch, no_show, cheating, ...
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))  # open, escalated, resolved
    thread_id: Mapped[int | None] = mapped_column(Snowflake)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DisputeEvidence(Base):
    __tablename__ = "dispute_evidence"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Snowflake)
    note: Mapped[str | None] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    # Discord message the evidence came from, so a re-delivered message is recorded once.
    source_message_id: Mapped[int | None] = mapped_column(Snowflake, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Placing(Base):
    """Final placement of a registration once a tournament completes."""

    __tablename__ = "placings"
    __table_args__ = (
        UniqueConstraint("tournament_id", "registration_id"),
        Index("ix_placings_registration", "registration_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"))
    place: Mapped[int] = mapped_column(Integer)
    prize_coins: Mapped[int] = mapped_column(Integer, default=0)
    prize_minor: Mapped[int] = mapped_column(Integer, default=0)
    # Money prizes are paid by the organizer outside the bot; this records that they did.
    prize_paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prize_paid_method: Mapped[str | None] = mapped_column(String(32))
    prize_paid_reference: Mapped[str | None] = mapped_column(String(100))
    prize_paid_by: Mapped[int | None] = mapped_column(Snowflake)
    prize_receipt_sha256: Mapped[str | None] = mapped_column(String(64))


class MatchReminderOptIn(Base):
    """A player who wants match reminders by direct message too (on one server)."""

    __tablename__ = "match_reminder_optins"
    __table_args__ = (UniqueConstraint("guild_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MatchReschedule(Base):
    """A new time for a match proposed by one side; the other accepts or declines before
    it expires. Organizers move matches directly (``status`` "overridden")."""

    __tablename__ = "match_reschedules"
    __table_args__ = (Index("ix_match_reschedules_match_status", "match_id", "status"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    guild_id: Mapped[int] = mapped_column(Snowflake)
    # The proposing side (None when an organizer moved the match).
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    proposed_by: Mapped[int] = mapped_column(Snowflake)
    old_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_time: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    # pending, accepted, declined, expired, withdrawn, overridden
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(Snowflake)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
