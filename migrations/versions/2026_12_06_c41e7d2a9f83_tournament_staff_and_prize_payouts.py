"""tournament staff and prize payouts

Co-organizers per tournament (issue 14), and how a money prize was paid out.

Revision ID: c41e7d2a9f83
Revises: 9d5e3a1b7c24
Create Date: 2026-12-06 01:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import BigIntPK

revision: str = "c41e7d2a9f83"
down_revision: str | None = "9d5e3a1b7c24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tournament_staff",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("tournament_id", BigIntPK, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_tournament_staff_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tournament_staff")),
        sa.UniqueConstraint(
            "tournament_id", "user_id", name=op.f("uq_tournament_staff_tournament_id_user_id")
        ),
    )
    op.create_index(
        "ix_tournament_staff_guild_user", "tournament_staff", ["guild_id", "user_id"], unique=False
    )
    with op.batch_alter_table("placings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prize_paid_method", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("prize_paid_reference", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("prize_paid_by", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prize_receipt_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("placings", schema=None) as batch_op:
        batch_op.drop_column("prize_receipt_sha256")
        batch_op.drop_column("prize_paid_by")
        batch_op.drop_column("prize_paid_reference")
        batch_op.drop_column("prize_paid_method")
    op.drop_index("ix_tournament_staff_guild_user", table_name="tournament_staff")
    op.drop_table("tournament_staff")
