"""SQL that reads the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def holds_database(session: AsyncSession) -> bool:
    """Whether a write transaction of this session holds the whole database: on SQLite
    it began with ``BEGIN IMMEDIATE`` (storage/db.py), so nobody else writes until it
    ends and every row it read is still current; on PostgreSQL only the rows it locked
    are."""
    return session.get_bind().dialect.name == "sqlite"


def insert_ignoring_conflicts(session: AsyncSession, table: Any) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` in the dialect of the session's database."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)
