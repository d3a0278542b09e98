from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, JSONType, Snowflake, UTCDateTime


class PlayerProfile(Base):
    """A player's in-game id for one game; registration fills itself from it."""

    __tablename__ = "player_profiles"
    __table_args__ = (UniqueConstraint("guild_id", "user_id", "game_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"))
    ingame_id: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Ranking(Base):
    """Standing of a player or team in a game: the Elo rating (kept by match day) and an
    organizer-set rank, which ranked seeding and fee waivers read."""

    __tablename__ = "rankings"
    __table_args__ = (
        UniqueConstraint("guild_id", "game_id", "subject_type", "subject_id"),
        # The rating leaderboard and "your rank" (a count of better ratings).
        Index("ix_rankings_board", "guild_id", "game_id", "subject_type", "rating"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(String(8))  # "player" | "team"
    subject_id: Mapped[int] = mapped_column(Snowflake)  # user id or team id
    rating: Mapped[int] = mapped_column(Integer, default=1500)
    manual_rank: Mapped[int | None] = mapped_column(Integer)
    matches_played: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("guild_id", "name"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    name: Mapped[str] = mapped_column(String(64))
    tag: Mapped[str] = mapped_column(String(8))
    captain_id: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disbanded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Snowflake)
    role: Mapped[str] = mapped_column(String(8))  # TeamRole
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TeamInvite(Base):
    __tablename__ = "team_invites"
    __table_args__ = (Index("ix_team_invites_team_user", "team_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Snowflake)
    inviter_id: Mapped[int] = mapped_column(Snowflake)
    status: Mapped[str] = mapped_column(String(12))  # InviteStatus
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Registration(Base):
    """One entry (a solo player, or a team registered by its captain) in a tournament."""

    __tablename__ = "registrations"
    __table_args__ = (
        Index("ix_registrations_tournament_status", "tournament_id", "status"),
        Index("ix_registrations_team", "team_id"),
        Index("ix_registrations_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"))
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake)  # the solo player or the team captain
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    display_name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # RegistrationStatus
    seed: Mapped[int | None] = mapped_column(Integer)
    field_values: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    fee_waived_reason: Mapped[str | None] = mapped_column(String(200))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RegistrationMember(Base):
    """Who plays under a registration. The unique key is the database's guarantee that
    nobody is registered twice in one tournament, alone or through another team."""

    __tablename__ = "registration_members"
    __table_args__ = (
        UniqueConstraint("tournament_id", "user_id"),
        # A player's history (stats, badges progress) starts from their entries.
        Index("ix_registration_members_user", "user_id"),
        # An entry's players: read with every report (without it, each read scanned the
        # members of every tournament ever held).
        Index("ix_registration_members_registration", "registration_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Snowflake)
    ingame_id: Mapped[str | None] = mapped_column(String(64))
