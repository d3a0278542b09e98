"""sponsors

A server's sponsors, the tournaments they back, and their daily impressions and clicks
(issue 17); unique visitors as keyed hashes, never addresses.

Revision ID: e7a1c3b95d20
Revises: 87b1849ed027
Create Date: 2026-12-06 04:07:07.542271
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "e7a1c3b95d20"
down_revision: str | None = "87b1849ed027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sponsors",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=512), nullable=False),
        sa.Column("blurb", sa.String(length=200), nullable=True),
        sa.Column("logo_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsors")),
        sa.UniqueConstraint("guild_id", "name", name=op.f("uq_sponsors_guild_id_name")),
        sa.UniqueConstraint("key", name=op.f("uq_sponsors_key")),
    )
    with op.batch_alter_table("sponsors", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sponsors_guild_tier", ["guild_id", "tier", "position"], unique=False
        )

    op.create_table(
        "sponsor_daily_stats",
        sa.Column(
            "sponsor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("tournament_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("impressions", sa.Integer(), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.Column("unique_clicks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["sponsors.id"],
            name=op.f("fk_sponsor_daily_stats_sponsor_id_sponsors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "sponsor_id", "tournament_id", "day", name=op.f("pk_sponsor_daily_stats")
        ),
    )
    op.create_table(
        "sponsor_visitors",
        sa.Column(
            "sponsor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("tournament_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("visitor", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["sponsors.id"],
            name=op.f("fk_sponsor_visitors_sponsor_id_sponsors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "sponsor_id", "tournament_id", "day", "visitor", name=op.f("pk_sponsor_visitors")
        ),
    )
    op.create_table(
        "tournament_sponsors",
        sa.Column(
            "tournament_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "sponsor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("added_by", sa.BigInteger(), nullable=False),
        sa.Column("added_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["sponsors.id"],
            name=op.f("fk_tournament_sponsors_sponsor_id_sponsors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_tournament_sponsors_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tournament_id", "sponsor_id", name=op.f("pk_tournament_sponsors")),
    )


def downgrade() -> None:
    op.drop_table("tournament_sponsors")
    op.drop_table("sponsor_visitors")
    op.drop_table("sponsor_daily_stats")
    with op.batch_alter_table("sponsors", schema=None) as batch_op:
        batch_op.drop_index("ix_sponsors_guild_tier")

    op.drop_table("sponsors")
