"""match day: brackets, matches, reports, disputes, placings

Revision ID: 5e8a3f6b2c47
Revises: 4d7e2b8c1a90
Create Date: 2026-11-26 05:14:27.136764
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import BigIntPK, JSONType

revision: str = "5e8a3f6b2c47"
down_revision: str | None = "4d7e2b8c1a90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brackets",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("tournament_id", BigIntPK, nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("options", JSONType, nullable=False),
        sa.Column("participants", JSONType, nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("actions", JSONType, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("message_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_brackets_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brackets")),
        sa.UniqueConstraint("tournament_id", name=op.f("uq_brackets_tournament_id")),
    )
    op.create_table(
        "matches",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("tournament_id", BigIntPK, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("group_name", sa.String(length=8), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("round_title", sa.String(length=48), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("best_of", sa.Integer(), nullable=False),
        sa.Column("registration_a_id", BigIntPK, nullable=True),
        sa.Column("registration_b_id", BigIntPK, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score_a", sa.Integer(), nullable=True),
        sa.Column("score_b", sa.Integer(), nullable=True),
        sa.Column("winner_registration_id", BigIntPK, nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("checkin_deadline", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_in_a_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_in_b_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("ready_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_a_id"],
            ["registrations.id"],
            name=op.f("fk_matches_registration_a_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_b_id"],
            ["registrations.id"],
            name=op.f("fk_matches_registration_b_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_matches_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["winner_registration_id"],
            ["registrations.id"],
            name=op.f("fk_matches_winner_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matches")),
        sa.UniqueConstraint("tournament_id", "code", name=op.f("uq_matches_tournament_id_code")),
    )
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.create_index("ix_matches_slot_a", ["registration_a_id"], unique=False)
        batch_op.create_index("ix_matches_slot_b", ["registration_b_id"], unique=False)
        batch_op.create_index(
            "ix_matches_tournament_status", ["tournament_id", "status"], unique=False
        )

    op.create_table(
        "placings",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("tournament_id", BigIntPK, nullable=False),
        sa.Column("registration_id", BigIntPK, nullable=False),
        sa.Column("place", sa.Integer(), nullable=False),
        sa.Column("prize_coins", sa.Integer(), nullable=False),
        sa.Column("prize_minor", sa.Integer(), nullable=False),
        sa.Column("prize_paid_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_placings_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_placings_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placings")),
        sa.UniqueConstraint(
            "tournament_id",
            "registration_id",
            name=op.f("uq_placings_tournament_id_registration_id"),
        ),
    )
    op.create_table(
        "disputes",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("tournament_id", BigIntPK, nullable=False),
        sa.Column("match_id", BigIntPK, nullable=False),
        sa.Column("opened_by", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_disputes_match_id_matches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_disputes_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index("ix_disputes_guild_status", ["guild_id", "status"], unique=False)

    op.create_table(
        "match_reports",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("match_id", BigIntPK, nullable=False),
        sa.Column("registration_id", BigIntPK, nullable=False),
        sa.Column("reporter_id", sa.BigInteger(), nullable=False),
        sa.Column("score_a", sa.Integer(), nullable=False),
        sa.Column("score_b", sa.Integer(), nullable=False),
        sa.Column("screenshot_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_match_reports_match_id_matches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_match_reports_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["screenshot_sha256"],
            ["stored_files.sha256"],
            name=op.f("fk_match_reports_screenshot_sha256_stored_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_reports")),
        sa.UniqueConstraint(
            "match_id", "registration_id", name=op.f("uq_match_reports_match_id_registration_id")
        ),
    )
    op.create_table(
        "dispute_evidence",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("dispute_id", BigIntPK, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("source_message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["disputes.id"],
            name=op.f("fk_dispute_evidence_dispute_id_disputes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_sha256"],
            ["stored_files.sha256"],
            name=op.f("fk_dispute_evidence_file_sha256_stored_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_evidence")),
        sa.UniqueConstraint(
            "source_message_id", name=op.f("uq_dispute_evidence_source_message_id")
        ),
    )
    with op.batch_alter_table("tournaments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("match_checkin_minutes", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("seeding", sa.String(length=8), server_default="random", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("tournaments", schema=None) as batch_op:
        batch_op.drop_column("seeding")
        batch_op.drop_column("match_checkin_minutes")

    op.drop_table("dispute_evidence")
    op.drop_table("match_reports")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index("ix_disputes_guild_status")

    op.drop_table("disputes")
    op.drop_table("placings")
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.drop_index("ix_matches_tournament_status")
        batch_op.drop_index("ix_matches_slot_b")
        batch_op.drop_index("ix_matches_slot_a")

    op.drop_table("matches")
    op.drop_table("brackets")
