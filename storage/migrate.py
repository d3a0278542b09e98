"""Run Alembic migrations — the only way a schema is created."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations

SCRIPT_LOCATION = Path(migrations.__file__).parent


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` (call from synchronous code: the CLI)."""
    command.upgrade(alembic_config(url), revision)


def upgrade_connection(connection: Connection, revision: str = "head") -> None:
    """Upgrade through an open sync connection (``await conn.run_sync(upgrade_connection)``)."""
    command.upgrade(alembic_config(connection=connection), revision)


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _current_revision(connection: Connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def is_current(engine: AsyncEngine) -> bool:
    """True when the database is migrated to the newest revision this code knows."""
    async with engine.connect() as conn:
        current = await conn.run_sync(_current_revision)
    return current == head_revision()
