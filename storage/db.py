"""Database engine and sessions.

SQLite (embedded default) runs in WAL mode with foreign keys on and a busy timeout.
Write transactions start with ``BEGIN IMMEDIATE`` so concurrent writers queue on the
database lock instead of failing half-way with "database is locked" (the writers of one
process queue first on an asyncio lock, see :meth:`Database.transaction`); read sessions
use a plain deferred ``BEGIN`` and never block writers. PostgreSQL needs none of this: services
take row locks with ``SELECT … FOR UPDATE`` (rendered as nothing on SQLite).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_inline

log = logging.getLogger(__name__)

_READ_ONLY = "deltacrown_read_only"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_directory(url: str | URL) -> None:
    """Create the directory of a file-backed SQLite database so a fresh checkout just runs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_behaviour(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "do_connect")
    def _inline_driver(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        # Statements run on the loop's thread, not aiosqlite's (storage/sqlite_inline.py).
        cparams["async_creator_fn"] = sqlite_inline.connect

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Commits never checkpoint on the loop; Database's Checkpointer does it in a thread.
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute("PRAGMA journal_size_limit=0")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(_READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class _WriteTurn:
    """The SQLite writers of one event loop, one at a time (see Database.transaction)."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.holder: asyncio.Task[Any] | None = None


class Database:
    """Owns the engine and hands out sessions; built once by ``main()`` and passed around."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = 10,
        connect_args: dict[str, Any] | None = None,
    ) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        options: dict[str, Any] = {
            "echo": echo,
            "pool_pre_ping": not self.is_sqlite,
            "connect_args": connect_args or {},
        }
        if not (self.is_sqlite and self.url.database in (None, "", ":memory:")):
            options.update(pool_size=pool_size, max_overflow=pool_size * 2, pool_timeout=60)
        if self.is_sqlite:
            ensure_sqlite_directory(self.url)
        self.engine: AsyncEngine = create_async_engine(self.url, **options)
        self._checkpointer: sqlite_inline.Checkpointer | None = None
        self._checkpoint_task: asyncio.Task[None] | None = None
        if self.is_sqlite:
            _install_sqlite_behaviour(self.engine)
            if self.url.database not in (None, "", ":memory:"):
                self._checkpointer = sqlite_inline.Checkpointer(self.url.database)
        self._writer = async_sessionmaker(self.engine, expire_on_commit=False)
        self._turns: WeakKeyDictionary[asyncio.AbstractEventLoop, _WriteTurn] = WeakKeyDictionary()
        self._reader = async_sessionmaker(
            self.engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One write transaction: commit on success, roll back on any exception.

        On SQLite the writers of this process take turns on an asyncio lock before they
        begin: SQLite has one writer, and a connection kept waiting on ``BEGIN IMMEDIATE``
        polls with sleeps of up to 100 ms, unfairly, so under load a result waited behind
        writers that came after it. Taking turns in the event loop is first come, first
        served, and a waiting writer holds no pooled connection."""
        if self.is_sqlite:
            # Statements run inline and never suspend (storage/sqlite_inline.py): a whole
            # transaction runs in one go. Tasks ready before it go first, so an interaction
            # waiting to be acknowledged is not held behind a queue of transactions.
            await asyncio.sleep(0)
        async with self._write_turn(), self._writer() as session, session.begin():
            yield session
        if self._checkpointer is not None and self._checkpointer.due():
            self._checkpointer.running = True
            self._checkpoint_task = asyncio.get_running_loop().create_task(self._checkpoint())

    async def _checkpoint(self) -> None:
        """Copy the WAL back into the database file in a thread, in two passes: the bulk
        while writers go on, then what they added meanwhile holding the write turn, so
        that the checkpoint completes and the next writer starts the WAL afresh (one
        racing writers never completes, and the WAL would only grow). Writers wait only
        for the short second pass; the event loop waits for neither."""
        checkpointer = self._checkpointer
        assert checkpointer is not None
        try:
            await asyncio.to_thread(checkpointer.checkpoint)
            async with self._write_turn():
                await asyncio.to_thread(checkpointer.checkpoint)
        except Exception:  # tried again after a later write
            log.warning("WAL checkpoint of %s failed", checkpointer.database, exc_info=True)
        finally:
            checkpointer.running = False

    @asynccontextmanager
    async def _write_turn(self) -> AsyncIterator[None]:
        if not self.is_sqlite:
            yield
            return
        task = asyncio.current_task()
        turn = self._turns.get(asyncio.get_running_loop())
        if turn is None:
            turn = self._turns[asyncio.get_running_loop()] = _WriteTurn()
        if task is not None and turn.holder is task:
            # A write transaction opened inside another of the same task: it waits on
            # SQLite itself, as it always did (busy timeout), never on its own turn.
            yield
            return
        try:
            if turn.lock.locked():
                await asyncio.wait_for(turn.lock.acquire(), SQLITE_BUSY_TIMEOUT_MS / 1000)
            else:
                await turn.lock.acquire()
        except TimeoutError:
            raise TimeoutError(
                "database is locked: no write turn within the busy timeout"
            ) from None
        turn.holder = task
        try:
            yield
        finally:
            turn.holder = None
            turn.lock.release()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only snapshot that never takes the SQLite write lock."""
        async with self._reader() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        async with self.read() as session:
            return (await session.execute(text("SELECT 1"))).scalar_one() == 1

    async def dispose(self) -> None:
        task = self._checkpoint_task
        if task is not None and task.get_loop() is asyncio.get_running_loop():
            await asyncio.gather(task, return_exceptions=True)
        await self.engine.dispose()
