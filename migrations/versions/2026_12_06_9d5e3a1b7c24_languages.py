"""languages: a server's default language and a person's own choice

Revision ID: 9d5e3a1b7c24
Revises: d52f8b3e0c24
Create Date: 2026-12-06 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "9d5e3a1b7c24"
down_revision: str | None = "d52f8b3e0c24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        # Existing servers keep speaking English until an organizer picks another language.
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), server_default="en", nullable=False)
        )
    op.create_table(
        "user_settings",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_settings")),
    )


def downgrade() -> None:
    op.drop_table("user_settings")
    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.drop_column("language")
