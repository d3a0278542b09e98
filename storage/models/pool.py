from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, Snowflake, UTCDateTime


class CoinPool(Base):
    """Coins set aside in a server for prizes (a challenge's, a prediction round's), under a
    unique key such as ``challenge:12``. Paying out is one conditional UPDATE
    (``balance - amount >= 0``); the CHECK makes an overdrawn pool impossible."""

    __tablename__ = "coin_pools"
    __table_args__ = (
        UniqueConstraint("guild_id", "key"),
        CheckConstraint("balance >= 0", name="balance_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    key: Mapped[str] = mapped_column(String(64))
    balance: Mapped[int] = mapped_column(Integer, default=0)
    funded_total: Mapped[int] = mapped_column(Integer, default=0)
    paid_total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CoinPoolFunding(Base):
    """One deposit into a pool: from the organizer's wallet (returned to it when the pool
    is emptied back) or a server grant (new coins, which simply go away on return)."""

    __tablename__ = "coin_pool_fundings"
    __table_args__ = (Index("ix_coin_pool_fundings_pool", "pool_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("coin_pools.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(Snowflake)
    amount: Mapped[int] = mapped_column(Integer)
    from_wallet: Mapped[bool] = mapped_column(Boolean)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
