"""Shared fixtures: one migrated SQLite database and (when configured) one PostgreSQL schema
per test session. Tests isolate themselves by using fresh ids (``new_id``), not by
truncating, so the databases are built once and the suite stays fast.
"""

from __future__ import annotations

import itertools
import os
import secrets
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from engine.kernel.clock import FrozenClock
from engine.services import Services
from storage.db import Database
from storage.migrate import upgrade_connection

POSTGRES_URL_ENV = "DELTACROWN_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgres"]

_ids = itertools.count(int(time.time() * 1000) % 10**9 * 1000)


def next_snowflake() -> int:
    """A fresh Discord-like id; tests use new ids instead of cleaning tables."""
    return 10**17 + next(_ids)


@pytest.fixture
def new_id():
    return next_snowflake


async def migrate(url: str, *, search_path: str | None = None) -> None:
    connect_args = {"server_settings": {"search_path": search_path}} if search_path else {}
    engine = create_async_engine(url, connect_args=connect_args)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(upgrade_connection)
            await conn.commit()
    finally:
        await engine.dispose()


class PostgresSchema:
    """A throw-away schema on the test server, so every run starts from empty."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.name = f"dc_test_{secrets.token_hex(4)}"

    async def create(self) -> None:
        engine = create_async_engine(self.base_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{self.name}"'))
        await engine.dispose()

    async def drop(self) -> None:
        """Drop the schema; a session some test leaked (idle in a transaction, holding a
        lock on one of its tables) would make DROP wait forever, so the wait is bounded,
        the holders are named on stderr and ended, and the drop tried again."""
        engine = create_async_engine(self.base_url, isolation_level="AUTOCOMMIT")
        drop = text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')
        async with engine.connect() as conn:
            await conn.execute(text("SET lock_timeout = '10s'"))
            try:
                await conn.execute(drop)
            except DBAPIError:
                holders = await conn.execute(
                    text(
                        "SELECT DISTINCT a.pid, a.state, left(a.query, 200) FROM pg_locks l "
                        "JOIN pg_class c ON c.oid = l.relation "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE n.nspname = :schema AND l.pid <> pg_backend_pid()"
                    ),
                    {"schema": self.name},
                )
                for pid, state, query in holders:
                    print(f"leaked PostgreSQL session {pid} ({state}): {query}", file=sys.stderr)
                    await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                await conn.execute(drop)
        await engine.dispose()


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


def make_database(url: str, search_path: str | None = None) -> Database:
    connect_args = {"server_settings": {"search_path": search_path}} if search_path else None
    return Database(url, connect_args=connect_args)


@pytest.fixture(scope="session")
def sqlite_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("db") / "deltacrown-test.db"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def sqlite_db(sqlite_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{sqlite_path}"
    await migrate(url)
    db = Database(url)
    yield db
    await db.dispose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def postgres_db() -> AsyncIterator[Database | None]:
    url = postgres_url()
    if url is None:
        yield None
        return
    schema = PostgresSchema(url)
    await schema.create()
    await migrate(url, search_path=schema.name)
    db = make_database(url, search_path=schema.name)
    yield db
    await db.dispose()
    await schema.drop()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """The same test on SQLite and PostgreSQL (skipped without a PostgreSQL URL)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_db")
        return
    database = request.getfixturevalue("postgres_db")
    if database is None:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_URL_ENV} (.ci/run does)")
    yield database


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def services(db: Database, clock: FrozenClock) -> Services:
    return Services(db, clock)
