"""match lobby details: code and password for the two sides and organizers

Revision ID: ad6f4b9c1e35
Revises: 9c5e3a8b0d24
Create Date: 2026-12-06 01:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ad6f4b9c1e35"
down_revision: str | None = "9c5e3a8b0d24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lobby_code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("lobby_password", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("lobby_posted_by", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.drop_column("lobby_posted_by")
        batch_op.drop_column("lobby_password")
        batch_op.drop_column("lobby_code")
