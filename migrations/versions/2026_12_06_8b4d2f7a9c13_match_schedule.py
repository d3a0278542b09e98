"""match schedule: round times, match times, reminders, LIVE, reminder DMs

Revision ID: 8b4d2f7a9c13
Revises: 8c4d2f7e9a13
Create Date: 2026-12-06 01:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import BigIntPK, JSONType

revision: str = "8b4d2f7a9c13"
down_revision: str | None = "8c4d2f7e9a13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tournaments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round_times", JSONType, nullable=True))
        batch_op.add_column(
            sa.Column("round_interval_minutes", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("reminder_minutes", JSONType, nullable=True))
        batch_op.add_column(
            sa.Column("result_deadline_minutes", sa.Integer(), server_default="60", nullable=False)
        )
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scheduled_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("live_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "match_reminder_optins",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_reminder_optins")),
        sa.UniqueConstraint(
            "guild_id", "user_id", name=op.f("uq_match_reminder_optins_guild_id_user_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("match_reminder_optins")
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.drop_column("live_at")
        batch_op.drop_column("scheduled_at")
    with op.batch_alter_table("tournaments", schema=None) as batch_op:
        batch_op.drop_column("result_deadline_minutes")
        batch_op.drop_column("reminder_minutes")
        batch_op.drop_column("round_interval_minutes")
        batch_op.drop_column("round_times")
