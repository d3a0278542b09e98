"""coin pools

Coins a server sets aside for prizes (challenges, predictions), and each funding of them.

Revision ID: f5f448222954
Revises: c41e7d2a9f83
Create Date: 2026-12-06 04:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import BigIntPK

revision: str = "f5f448222954"
down_revision: str | None = "c41e7d2a9f83"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coin_pools",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("funded_total", sa.Integer(), nullable=False),
        sa.Column("paid_total", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_coin_pools_balance_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coin_pools")),
        sa.UniqueConstraint("guild_id", "key", name=op.f("uq_coin_pools_guild_id_key")),
    )
    op.create_table(
        "coin_pool_fundings",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("pool_id", BigIntPK, nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("from_wallet", sa.Boolean(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["coin_pools.id"],
            name=op.f("fk_coin_pool_fundings_pool_id_coin_pools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coin_pool_fundings")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_coin_pool_fundings_idempotency_key")),
    )
    op.create_index(
        "ix_coin_pool_fundings_pool", "coin_pool_fundings", ["pool_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_coin_pool_fundings_pool", table_name="coin_pool_fundings")
    op.drop_table("coin_pool_fundings")
    op.drop_table("coin_pools")
