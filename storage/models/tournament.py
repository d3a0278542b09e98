from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, JSONType, Snowflake, UTCDateTime


class Game(Base):
    __tablename__ = "games"
    __table_args__ = (UniqueConstraint("guild_id", "name"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    name: Mapped[str] = mapped_column(String(64))
    # Team size range; min == max for a fixed size, 1..1 for solo-only games.
    team_size_min: Mapped[int] = mapped_column(Integer, default=1)
    team_size_max: Mapped[int] = mapped_column(Integer, default=1)
    result_type: Mapped[str] = mapped_column(String(16))  # ResultType
    allows_draws: Mapped[bool] = mapped_column(Boolean, default=False)
    ingame_id_label: Mapped[str] = mapped_column(String(32), default="In-game ID")
    created_by: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Tournament(Base):
    __tablename__ = "tournaments"
    __table_args__ = (
        Index("ix_tournaments_guild_status", "guild_id", "status"),
        Index("ix_tournaments_guild_game", "guild_id", "game_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    slug: Mapped[str] = mapped_column(String(80), unique=True)  # public URL: /t/{slug}
    name: Mapped[str] = mapped_column(String(100))
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id"))
    format: Mapped[str] = mapped_column(String(32))  # engine.formats name
    format_options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    participant_type: Mapped[str] = mapped_column(String(8))  # ParticipantType
    team_size: Mapped[int] = mapped_column(Integer, default=1)
    max_participants: Mapped[int] = mapped_column(Integer)
    min_participants: Mapped[int] = mapped_column(Integer, default=2)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    best_of: Mapped[int] = mapped_column(Integer, default=1)
    # Entry fee: coins and/or money in integer minor units (paisa, cents).
    entry_fee_coins: Mapped[int] = mapped_column(Integer, default=0)
    entry_fee_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="BDT")
    payment_methods: Mapped[list[str]] = mapped_column(JSONType, default=list)
    prize_pool_minor: Mapped[int] = mapped_column(Integer, default=0)
    prize_pool_coins: Mapped[int] = mapped_column(Integer, default=0)
    # Percent per placement, e.g. [50, 30, 20]; sums to 100 when a prize pool is set.
    prize_distribution: Mapped[list[int]] = mapped_column(JSONType, default=list)
    checkin_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    checkin_window_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # Minutes both sides have to check in once their match is ready; 0 = no match check-in.
    match_checkin_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The match schedule (engine.brackets.match_times): start times of the first rounds as
    # ISO strings, then every ``round_interval_minutes`` after the last one; no times =
    # every match is played as soon as both sides are known.
    round_times: Mapped[list[str] | None] = mapped_column(JSONType)
    round_interval_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Minutes before a match's time when its players are reminded (None: 60 and 15).
    reminder_minutes: Mapped[list[int] | None] = mapped_column(JSONType)
    # Minutes after a match's time by which its result should be in; 0 = no overdue notice.
    result_deadline_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    # How far (minutes) players may move a match by agreeing a new time; 0 = they may not
    # (organizers always can). Never past the next round's time.
    player_reschedule_minutes: Mapped[int] = mapped_column(
        Integer, default=120, server_default="120"
    )
    # How /tournament start orders the field: random, ranked or manual (Registration.seed).
    seeding: Mapped[str] = mapped_column(String(8), default="random", server_default="random")
    fee_waiver_top_n: Mapped[int] = mapped_column(Integer, default=0)
    rules: Mapped[str | None] = mapped_column(Text)
    stream_links: Mapped[list[str]] = mapped_column(JSONType, default=list)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    # How its certificates look (engine.render.CERTIFICATE_DESIGNS); not part of their hash.
    certificate_design: Mapped[str] = mapped_column(
        String(16), default="classic", server_default="classic"
    )
    # Fan predictions (engine.predictions): members pick match winners; the top predictors
    # get ``prediction_rewards`` coins per place (e.g. [100, 50, 25]) from the funded pool.
    predictions: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    prediction_rewards: Mapped[list[int] | None] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(24))  # TournamentStatus
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TournamentVersion(Base):
    """A snapshot of a tournament's configuration after each edit (and each rollback)."""

    __tablename__ = "tournament_versions"
    __table_args__ = (UniqueConstraint("tournament_id", "version"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)
    summary: Mapped[str] = mapped_column(String(500))
    actor_id: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RegistrationField(Base):
    """An organizer-defined question on the /register modal."""

    __tablename__ = "registration_fields"
    __table_args__ = (UniqueConstraint("tournament_id", "key"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(45))  # Discord caps modal labels at 45
    kind: Mapped[str] = mapped_column(String(16))  # FieldKind
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    # Kind-specific rules: {"choices": [...]}, {"min": 0, "max": 99}, {"max_length": 100}
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)


class TournamentStaff(Base):
    """A co-organizer of one tournament, named by its owner (``Tournament.created_by``) or
    a server admin. Together with them and the server's admins, the only people who may
    run that tournament (``engine.tournaments.access``)."""

    __tablename__ = "tournament_staff"
    __table_args__ = (
        UniqueConstraint("tournament_id", "user_id"),
        Index("ix_tournament_staff_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"))
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake)
    added_by: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TournamentTemplate(Base):
    """A server's named tournament configuration (``engine.tournaments.templates``): a
    versioned JSON snapshot with times kept as offsets from the start, so a template
    makes a new draft on any date."""

    __tablename__ = "tournament_templates"
    __table_args__ = (UniqueConstraint("guild_id", "name"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    name: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)
    source_tournament_id: Mapped[int | None] = mapped_column(
        ForeignKey("tournaments.id", ondelete="SET NULL")
    )
    created_by: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
