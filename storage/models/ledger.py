from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, Snowflake, UTCDateTime


class Wallet(Base):
    """The current coin balance of a member: a cache of the ledger and the row that
    serialises spending. Spending is one conditional UPDATE (``balance + amount >= 0``),
    and the CHECK makes a negative balance impossible even for a buggy caller."""

    __tablename__ = "wallets"
    __table_args__ = (
        UniqueConstraint("guild_id", "user_id"),
        CheckConstraint("balance >= 0", name="balance_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake)
    balance: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LedgerEntry(Base):
    """Append-only coin movements. The sum of a member's entries is their balance."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_wallet", "guild_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake)
    amount: Mapped[int] = mapped_column(Integer)  # signed, whole coins
    balance_after: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # LedgerKind
    reason: Mapped[str] = mapped_column(String(200))
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    actor_id: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoredFile(Base):
    """Metadata of a content-addressed file (payment proof, evidence, certificate).
    The bytes live under ``storage.data_dir/files/<sha256[:2]>/<sha256>``."""

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str | None] = mapped_column(String(200))
    uploaded_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Payment(Base):
    """An entry-fee payment for one registration, by coins or by money with a proof."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_guild_status", "guild_id", "status"),
        Index("ix_payments_registration", "registration_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Snowflake)
    method: Mapped[str] = mapped_column(String(8))  # PaymentMethod
    amount_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str | None] = mapped_column(String(3))
    coins: Mapped[int] = mapped_column(Integer, default=0)
    reference: Mapped[str | None] = mapped_column(String(64))  # the transaction id sent
    proof_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    status: Mapped[str] = mapped_column(String(16))  # PaymentStatus
    # A second click (or a retried interaction) carries the same key and is a no-op.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    reviewer_id: Mapped[int | None] = mapped_column(Snowflake)
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
