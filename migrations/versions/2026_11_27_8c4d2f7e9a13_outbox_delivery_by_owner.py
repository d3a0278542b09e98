"""outbox delivery by owner: event guild, lease holder, delivery effects

Revision ID: 8c4d2f7e9a13
Revises: 7a3c9e1f5b62
Create Date: 2026-11-27 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import BigIntPK

revision: str = "8c4d2f7e9a13"
down_revision: str | None = "7a3c9e1f5b62"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Events written before this revision carry their guild only in the payload; the ones
# still pending get the column from it, so they go to their owner too.
BACKFILL = {
    "sqlite": "CAST(json_extract(payload, '$.guild_id') AS INTEGER)",
    "postgresql": "(payload->>'guild_id')::bigint",
}


def upgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guild_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=32), nullable=True))
    expression = BACKFILL.get(op.get_bind().dialect.name)
    if expression is not None:
        op.execute(f"UPDATE outbox_events SET guild_id = {expression} WHERE delivered_at IS NULL")
    op.create_table(
        "delivery_effects",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("object_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_effects")),
        sa.UniqueConstraint("key", name=op.f("uq_delivery_effects_key")),
    )


def downgrade() -> None:
    op.drop_table("delivery_effects")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("guild_id")
