"""challenges

Challenges with a coin prize from a pool, judged from match results or by review, and
the members' claims to them (issue 17).

Revision ID: 87b1849ed027
Revises: f5f448222954
Create Date: 2026-12-06 04:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import BigIntPK

revision: str = "87b1849ed027"
down_revision: str | None = "f5f448222954"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "challenges",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("tournament_id", BigIntPK, nullable=True),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("prize", sa.Integer(), nullable=False),
        sa.Column("max_winners", sa.Integer(), nullable=False),
        sa.Column("winners", sa.Integer(), nullable=False),
        sa.Column("judge", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Integer(), nullable=True),
        sa.Column("deadline", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("pool_key", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("winners <= max_winners", name=op.f("ck_challenges_winners_within_max")),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_challenges_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenges")),
    )
    op.create_index(
        "ix_challenges_guild_status", "challenges", ["guild_id", "status"], unique=False
    )
    op.create_table(
        "challenge_claims",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("challenge_id", BigIntPK, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column("match_id", BigIntPK, nullable=True),
        sa.Column("reviewer_id", sa.BigInteger(), nullable=True),
        sa.Column("review_note", sa.String(length=300), nullable=True),
        sa.Column("ledger_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_claims_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_sha256"],
            ["stored_files.sha256"],
            name=op.f("fk_challenge_claims_evidence_sha256_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_challenge_claims_match_id_matches"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_claims")),
        sa.UniqueConstraint(
            "challenge_id", "user_id", name=op.f("uq_challenge_claims_challenge_id_user_id")
        ),
    )
    op.create_index(
        "ix_challenge_claims_challenge_status",
        "challenge_claims",
        ["challenge_id", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_challenge_claims_challenge_status", table_name="challenge_claims")
    op.drop_table("challenge_claims")
    op.drop_index("ix_challenges_guild_status", table_name="challenges")
    op.drop_table("challenges")
