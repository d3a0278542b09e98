"""bracket actions as rows

A bracket's action log moves from a JSON array on ``brackets`` (rewritten, and on SQLite
re-parsed, by every result: its cost grew with the number of results) to one
``bracket_actions`` row per action (issue 11).

Revision ID: b8d41f0c7e52
Revises: 4dbf51cb981c
Create Date: 2026-12-06 07:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, JSONType

revision: str = "b8d41f0c7e52"
down_revision: str | None = "4dbf51cb981c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_brackets = sa.table("brackets", sa.column("id", BigIntPK), sa.column("actions", JSONType))
_actions = sa.table(
    "bracket_actions",
    sa.column("bracket_id", BigIntPK),
    sa.column("seq", sa.Integer()),
    sa.column("action", JSONType),
)


def upgrade() -> None:
    bind = op.get_bind()
    logs = bind.execute(sa.select(_brackets.c.id, _brackets.c.actions)).all()
    # The column goes before the new table exists: SQLite's batch mode drops and
    # re-creates ``brackets``, which would cascade to rows already pointing at it.
    with op.batch_alter_table("brackets", schema=None) as batch_op:
        batch_op.drop_column("actions")
    op.create_table(
        "bracket_actions",
        sa.Column("bracket_id", BigIntPK, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["bracket_id"],
            ["brackets.id"],
            name=op.f("fk_bracket_actions_bracket_id_brackets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bracket_id", "seq", name=op.f("pk_bracket_actions")),
    )
    rows = [
        {"bracket_id": bracket_id, "seq": seq, "action": action}
        for bracket_id, actions in logs
        for seq, action in enumerate(actions or [])
    ]
    if rows:
        op.bulk_insert(_actions, rows)


def downgrade() -> None:
    bind = op.get_bind()
    logged: dict[int, list[object]] = {}
    for bracket_id, action in bind.execute(
        sa.select(_actions.c.bracket_id, _actions.c.action).order_by(
            _actions.c.bracket_id, _actions.c.seq
        )
    ):
        logged.setdefault(bracket_id, []).append(action)
    op.drop_table("bracket_actions")
    with op.batch_alter_table("brackets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actions", JSONType, nullable=True))
    for bracket_id in bind.execute(sa.select(_brackets.c.id)).scalars():
        bind.execute(
            _brackets.update()
            .where(_brackets.c.id == bracket_id)
            .values(actions=logged.get(bracket_id, []))
        )
    with op.batch_alter_table("brackets", schema=None) as batch_op:
        batch_op.alter_column("actions", existing_type=JSONType, nullable=False)
