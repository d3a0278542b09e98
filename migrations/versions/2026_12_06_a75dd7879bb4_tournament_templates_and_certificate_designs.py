"""tournament templates and certificate designs

A server's named tournament templates (issue 17), each tournament's certificate design,
and a server's certificate branding (logo, accent colour, signer).

Revision ID: a75dd7879bb4
Revises: c41e7d2a9f83
Create Date: 2026-12-06 04:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import BigIntPK, JSONType

revision: str = "a75dd7879bb4"
down_revision: str | None = "c41e7d2a9f83"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tournament_templates",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("snapshot", JSONType, nullable=False),
        sa.Column("source_tournament_id", BigIntPK, nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_tournament_templates_source_tournament_id_tournaments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tournament_templates")),
        sa.UniqueConstraint("guild_id", "name", name=op.f("uq_tournament_templates_guild_id_name")),
    )
    op.create_table(
        "certificate_branding",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("logo_sha256", sa.String(length=64), nullable=True),
        sa.Column("accent", sa.String(length=7), nullable=True),
        sa.Column("signer_name", sa.String(length=64), nullable=True),
        sa.Column("signer_title", sa.String(length=64), nullable=True),
        sa.Column("updated_by", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_certificate_branding")),
    )
    with op.batch_alter_table("tournaments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "certificate_design",
                sa.String(length=16),
                server_default="classic",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("tournaments", schema=None) as batch_op:
        batch_op.drop_column("certificate_design")
    op.drop_table("certificate_branding")
    op.drop_table("tournament_templates")
