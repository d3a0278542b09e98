"""registration members by registration

An index on ``registration_members.registration_id``: an entry's players are read with
every report and confirmation, and without it each read scanned the members of every
tournament the server ever held (issue 11).

Revision ID: c3e9a7d15b04
Revises: b8d41f0c7e52
Create Date: 2026-12-06 08:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "c3e9a7d15b04"
down_revision: str | None = "b8d41f0c7e52"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_registration_members_registration",
        "registration_members",
        ["registration_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_registration_members_registration", table_name="registration_members")
