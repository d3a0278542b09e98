"""match reschedules: proposals between the two sides, and how far players may move a match

Revision ID: 9c5e3a8b0d24
Revises: 8b4d2f7a9c13
Create Date: 2026-12-06 01:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import BigIntPK

revision: str = "9c5e3a8b0d24"
down_revision: str | None = "8b4d2f7a9c13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tournaments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "player_reschedule_minutes", sa.Integer(), server_default="120", nullable=False
            )
        )
    op.create_table(
        "match_reschedules",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("match_id", BigIntPK, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("registration_id", BigIntPK, nullable=True),
        sa.Column("proposed_by", sa.BigInteger(), nullable=False),
        sa.Column("old_time", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("new_time", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_match_reschedules_match_id_matches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_match_reschedules_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_reschedules")),
    )
    with op.batch_alter_table("match_reschedules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_match_reschedules_match_status", ["match_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("match_reschedules", schema=None) as batch_op:
        batch_op.drop_index("ix_match_reschedules_match_status")
    op.drop_table("match_reschedules")
    with op.batch_alter_table("tournaments", schema=None) as batch_op:
        batch_op.drop_column("player_reschedule_minutes")
