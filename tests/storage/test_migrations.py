"""The schema exists only in the migrations, and the migrations match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.db import Database
from storage.models import Base
from tests.conftest import PostgresSchema, make_database, migrate, postgres_url


def _diff(connection) -> list:  # type: ignore[no-untyped-def]
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return compare_metadata(context, Base.metadata)


async def _assert_matches_models(db: Database) -> None:
    async with db.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
        assert await conn.run_sync(_diff) == []


async def test_sqlite_upgrade_from_empty_matches_models(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    await migrate(url)
    db = Database(url)
    try:
        await _assert_matches_models(db)
    finally:
        await db.dispose()


async def test_postgres_upgrade_from_empty_matches_models() -> None:
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not configured: set DELTACROWN_TEST_POSTGRES_URL (.ci/run does)")
    schema = PostgresSchema(url)
    await schema.create()
    try:
        await migrate(url, search_path=schema.name)
        db = make_database(url, search_path=schema.name)
        try:
            await _assert_matches_models(db)
        finally:
            await db.dispose()
    finally:
        await schema.drop()


async def test_sqlite_connections_use_wal_and_foreign_keys(sqlite_db: Database) -> None:
    async with sqlite_db.read() as session:
        mode = (await session.execute(text("PRAGMA journal_mode"))).scalar()
        fks = (await session.execute(text("PRAGMA foreign_keys"))).scalar()
    assert mode == "wal"
    assert fks == 1
