"""fan predictions

Members pick match winners (issue 17): the picks, the public "who wins?" posts, the
coins paid to the top predictors, and the tournament switches.

Revision ID: 4dbf51cb981c
Revises: e7a1c3b95d20
Create Date: 2026-12-06 04:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import BigIntPK, JSONType

revision: str = "4dbf51cb981c"
down_revision: str | None = "e7a1c3b95d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tournaments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("predictions", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("prediction_rewards", JSONType, nullable=True))
    op.create_table(
        "predictions",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("tournament_id", BigIntPK, nullable=False),
        sa.Column("match_id", BigIntPK, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("registration_id", BigIntPK, nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_predictions_match_id_matches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_predictions_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_predictions_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_predictions")),
        sa.UniqueConstraint("match_id", "user_id", name=op.f("uq_predictions_match_id_user_id")),
    )
    op.create_index(
        "ix_predictions_tournament_user", "predictions", ["tournament_id", "user_id"], unique=False
    )
    op.create_table(
        "prediction_posts",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("match_id", BigIntPK, nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_prediction_posts_match_id_matches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prediction_posts")),
        sa.UniqueConstraint("match_id", name=op.f("uq_prediction_posts_match_id")),
    )
    op.create_table(
        "prediction_rewards",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("tournament_id", BigIntPK, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("place", sa.Integer(), nullable=False),
        sa.Column("coins", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_prediction_rewards_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prediction_rewards")),
        sa.UniqueConstraint(
            "tournament_id", "user_id", name=op.f("uq_prediction_rewards_tournament_id_user_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("prediction_rewards")
    op.drop_table("prediction_posts")
    op.drop_index("ix_predictions_tournament_user", table_name="predictions")
    op.drop_table("predictions")
    with op.batch_alter_table("tournaments", schema=None) as batch_op:
        batch_op.drop_column("prediction_rewards")
        batch_op.drop_column("predictions")
