"""Awards: certificates (with their verification data and DM deliveries) and badges."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, JSONType, Snowflake, UTCDateTime


class CertificateSettings(Base):
    """Per-tournament certificate choices; engine format options cannot hold them."""

    __tablename__ = "certificate_settings"

    tournament_id: Mapped[int] = mapped_column(
        ForeignKey("tournaments.id", ondelete="CASCADE"), primary_key=True
    )
    # Also issue a participation certificate to every entrant.
    participants: Mapped[bool] = mapped_column(Boolean, default=False)
    mvp_registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    mvp_user_id: Mapped[int | None] = mapped_column(Snowflake)
    # The MVP's name as the organizer's server shows it, printed on the certificate.
    mvp_name: Mapped[str | None] = mapped_column(String(100))
    # The "Generating certificates i/N" message, edited (not re-posted) by a re-run.
    progress_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    progress_message_id: Mapped[int | None] = mapped_column(Snowflake)
    updated_by: Mapped[int | None] = mapped_column(Snowflake)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CertificateBranding(Base):
    """A server's look for its certificates: logo, accent colour and who signs them.
    Presentation only: none of it enters a certificate's content hash."""

    __tablename__ = "certificate_branding"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    logo_sha256: Mapped[str | None] = mapped_column(String(64))  # a StoredFile
    accent: Mapped[str | None] = mapped_column(String(7))  # "#RRGGBB"
    signer_name: Mapped[str | None] = mapped_column(String(64))
    signer_title: Mapped[str | None] = mapped_column(String(64))
    updated_by: Mapped[int] = mapped_column(Snowflake)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Certificate(Base):
    """One issued certificate. The printed fields are stored as printed, and
    ``content_hash`` is the hash of their canonical form at issue time: verification
    recomputes it from the row, so a row edited behind the service's back fails."""

    __tablename__ = "certificates"
    __table_args__ = (
        # Issuing is idempotent: one certificate per (tournament, entry, kind, recipient).
        UniqueConstraint("tournament_id", "registration_id", "kind", "user_id"),
        Index("ix_certificates_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"))
    # The solo player, the team's captain, or (for an MVP certificate) the MVP.
    user_id: Mapped[int] = mapped_column(Snowflake)
    kind: Mapped[str] = mapped_column(String(16))  # engine.render.Placement
    place: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # "ABCD-EFGH-JKMN"
    tournament_name: Mapped[str] = mapped_column(String(100))
    game_name: Mapped[str] = mapped_column(String(64))
    recipient_name: Mapped[str] = mapped_column(String(100))
    roster: Mapped[list[str]] = mapped_column(JSONType, default=list)
    organizer_name: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(64))
    file_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[int | None] = mapped_column(Snowflake)
    revoke_reason: Mapped[str | None] = mapped_column(String(300))


class CertificateDelivery(Base):
    """The DM of a certificate to one person (every member of a team gets one).

    ``claimed_at`` is set before the DM is sent so two runs never DM the same person;
    ``delivered_at`` once Discord accepted it."""

    __tablename__ = "certificate_deliveries"
    __table_args__ = (
        UniqueConstraint("certificate_id", "user_id"),
        Index("ix_certificate_deliveries_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Snowflake)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))


class BadgeDefinition(Base):
    """A badge and the condition that earns it; ``guild_id`` NULL marks a built-in."""

    __tablename__ = "badge_definitions"
    __table_args__ = (UniqueConstraint("guild_id", "key"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int | None] = mapped_column(Snowflake)
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(40))
    emoji: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200))
    # engine.awards.badges.Condition: champion, runner_up, podium, participated_n,
    # undefeated, comeback, wins_n
    condition: Mapped[str] = mapped_column(String(20))
    threshold: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BadgeAward(Base):
    __tablename__ = "badge_awards"
    __table_args__ = (
        UniqueConstraint("badge_id", "user_id", "tournament_id"),
        Index("ix_badge_awards_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge_definitions.id", ondelete="CASCADE"))
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime)
