"""stats: leaderboard and history indexes, seasons

Revision ID: c41e7a2d9b13
Revises: ad6f4b9c1e35
Create Date: 2026-12-06 01:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import BigIntPK

revision: str = "c41e7a2d9b13"
down_revision: str | None = "ad6f4b9c1e35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seasons",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("starts_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seasons")),
        sa.UniqueConstraint("guild_id", "name", name=op.f("uq_seasons_guild_id_name")),
    )
    op.create_index(
        "ix_rankings_board", "rankings", ["guild_id", "game_id", "subject_type", "rating"]
    )
    op.create_index("ix_registrations_guild_user", "registrations", ["guild_id", "user_id"])
    op.create_index("ix_registration_members_user", "registration_members", ["user_id"])
    op.create_index("ix_tournaments_guild_game", "tournaments", ["guild_id", "game_id"])
    op.create_index("ix_placings_registration", "placings", ["registration_id"])


def downgrade() -> None:
    op.drop_index("ix_placings_registration", table_name="placings")
    op.drop_index("ix_tournaments_guild_game", table_name="tournaments")
    op.drop_index("ix_registration_members_user", table_name="registration_members")
    op.drop_index("ix_registrations_guild_user", table_name="registrations")
    op.drop_index("ix_rankings_board", table_name="rankings")
    op.drop_table("seasons")
