"""certificates and badges

Revision ID: 6f9b4a7c3d58
Revises: 5e8a3f6b2c47
Create Date: 2026-11-26 05:24:04.168584
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import BigIntPK, JSONType

# The built-in badges (guild_id NULL); organizers add their own with /badges create.
BUILT_IN_BADGES = [
    ("champion", "Champion", "🏆", "Won a tournament.", "champion", None),
    ("runner_up", "Runner-up", "🥈", "Finished second in a tournament.", "runner_up", None),
    ("podium", "Podium", "🥉", "Finished in the top three of a tournament.", "podium", None),
    (
        "first_tournament",
        "First tournament",
        "🎟️",
        "Completed a first tournament on this server.",
        "participated_n",
        1,
    ),
    (
        "undefeated",
        "Undefeated run",
        "🛡️",
        "Won every match played in a tournament, without a loss.",
        "undefeated",
        None,
    ),
    (
        "comeback",
        "Comeback",
        "🔥",
        "Won a double elimination tournament after losing in the winners bracket.",
        "comeback",
        None,
    ),
]

revision: str = "6f9b4a7c3d58"
down_revision: str | None = "5e8a3f6b2c47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "badge_definitions",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("emoji", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("condition", sa.String(length=20), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_definitions")),
        sa.UniqueConstraint("guild_id", "key", name=op.f("uq_badge_definitions_guild_id_key")),
    )
    definitions = sa.table(
        "badge_definitions",
        sa.column("guild_id", sa.BigInteger()),
        sa.column("key", sa.String()),
        sa.column("name", sa.String()),
        sa.column("emoji", sa.String()),
        sa.column("description", sa.String()),
        sa.column("condition", sa.String()),
        sa.column("threshold", sa.Integer()),
        sa.column("created_by", sa.BigInteger()),
        sa.column("created_at", storage.types.UTCDateTime(timezone=True)),
    )
    seeded_at = datetime(2026, 11, 26, tzinfo=UTC)
    op.bulk_insert(
        definitions,
        [
            {
                "guild_id": None,
                "key": key,
                "name": name,
                "emoji": emoji,
                "description": description,
                "condition": condition,
                "threshold": threshold,
                "created_by": None,
                "created_at": seeded_at,
            }
            for key, name, emoji, description, condition, threshold in BUILT_IN_BADGES
        ],
    )
    op.create_table(
        "badge_awards",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("badge_id", BigIntPK, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("tournament_id", BigIntPK, nullable=False),
        sa.Column("registration_id", BigIntPK, nullable=True),
        sa.Column("awarded_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["badge_id"],
            ["badge_definitions.id"],
            name=op.f("fk_badge_awards_badge_id_badge_definitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_badge_awards_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_badge_awards_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_awards")),
        sa.UniqueConstraint(
            "badge_id",
            "user_id",
            "tournament_id",
            name=op.f("uq_badge_awards_badge_id_user_id_tournament_id"),
        ),
    )
    with op.batch_alter_table("badge_awards", schema=None) as batch_op:
        batch_op.create_index("ix_badge_awards_guild_user", ["guild_id", "user_id"], unique=False)

    op.create_table(
        "certificate_settings",
        sa.Column("tournament_id", BigIntPK, nullable=False),
        sa.Column("participants", sa.Boolean(), nullable=False),
        sa.Column("mvp_registration_id", BigIntPK, nullable=True),
        sa.Column("mvp_user_id", sa.BigInteger(), nullable=True),
        sa.Column("mvp_name", sa.String(length=100), nullable=True),
        sa.Column("progress_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("progress_message_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mvp_registration_id"],
            ["registrations.id"],
            name=op.f("fk_certificate_settings_mvp_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_certificate_settings_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tournament_id", name=op.f("pk_certificate_settings")),
    )
    op.create_table(
        "certificates",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("tournament_id", BigIntPK, nullable=False),
        sa.Column("registration_id", BigIntPK, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("place", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("tournament_name", sa.String(length=100), nullable=False),
        sa.Column("game_name", sa.String(length=64), nullable=False),
        sa.Column("recipient_name", sa.String(length=100), nullable=False),
        sa.Column("roster", JSONType, nullable=False),
        sa.Column("organizer_name", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("issued_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.BigInteger(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["file_sha256"],
            ["stored_files.sha256"],
            name=op.f("fk_certificates_file_sha256_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_certificates_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_certificates_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_code")),
        sa.UniqueConstraint(
            "tournament_id",
            "registration_id",
            "kind",
            "user_id",
            name=op.f("uq_certificates_tournament_id_registration_id_kind_user_id"),
        ),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index("ix_certificates_guild_user", ["guild_id", "user_id"], unique=False)

    op.create_table(
        "certificate_deliveries",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("certificate_id", BigIntPK, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("claimed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_deliveries_certificate_id_certificates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_deliveries")),
        sa.UniqueConstraint(
            "certificate_id",
            "user_id",
            name=op.f("uq_certificate_deliveries_certificate_id_user_id"),
        ),
    )
    with op.batch_alter_table("certificate_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_certificate_deliveries_user", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("certificate_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_certificate_deliveries_user")

    op.drop_table("certificate_deliveries")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index("ix_certificates_guild_user")

    op.drop_table("certificates")
    op.drop_table("certificate_settings")
    with op.batch_alter_table("badge_awards", schema=None) as batch_op:
        batch_op.drop_index("ix_badge_awards_guild_user")

    op.drop_table("badge_awards")
    op.drop_table("badge_definitions")
