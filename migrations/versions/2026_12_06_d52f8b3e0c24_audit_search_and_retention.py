"""audit: search by tournament, actor and action; retention setting

Revision ID: d52f8b3e0c24
Revises: c41e7a2d9b13
Create Date: 2026-12-06 01:31:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d52f8b3e0c24"
down_revision: str | None = "c41e7a2d9b13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_OWNED = {
    "match": "matches",
    "registration": "registrations",
    "payment": "payments",
    "dispute": "disputes",
    "certificate": "certificates",
}


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tournament_id", sa.BigInteger(), nullable=True))
    # File the existing entries under their tournament, as UnitOfWork.audit now does.
    numeric = (
        "target_id GLOB '[0-9]*' AND target_id NOT GLOB '*[^0-9]*'"
        if op.get_bind().dialect.name == "sqlite"
        else "target_id ~ '^[0-9]{1,18}$'"
    )
    op.execute(
        "UPDATE audit_log SET tournament_id = CAST(target_id AS BIGINT) "
        f"WHERE target_type = 'tournament' AND {numeric}"
    )
    for target_type, table in _OWNED.items():
        op.execute(
            f"UPDATE audit_log SET tournament_id = (SELECT t.tournament_id FROM {table} t "
            "WHERE t.id = CAST(audit_log.target_id AS BIGINT)) "
            f"WHERE target_type = '{target_type}' AND {numeric}"
        )
    op.create_index("ix_audit_log_guild_id", "audit_log", ["guild_id", "id"])
    op.create_index("ix_audit_log_guild_actor", "audit_log", ["guild_id", "actor_id", "id"])
    op.create_index("ix_audit_log_guild_action", "audit_log", ["guild_id", "action", "id"])
    op.create_index(
        "ix_audit_log_guild_tournament", "audit_log", ["guild_id", "tournament_id", "id"]
    )
    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audit_retention_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.drop_column("audit_retention_days")
    op.drop_index("ix_audit_log_guild_tournament", table_name="audit_log")
    op.drop_index("ix_audit_log_guild_action", table_name="audit_log")
    op.drop_index("ix_audit_log_guild_actor", table_name="audit_log")
    op.drop_index("ix_audit_log_guild_id", table_name="audit_log")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("tournament_id")
