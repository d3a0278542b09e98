"""SQLite calls on the event loop's own thread, except the ones that may wait.

aiosqlite runs every call of a connection on a worker thread: a statement through
SQLAlchemy is about three and a half round trips to that thread (cursor, execute, fetch,
close), each a hand-off through a queue and a wake-up of the event loop, and each costs
more than the statement itself, which on a local SQLite file takes microseconds. A result
(report, then confirmation) is ~20 statements, so the hops were most of its time.

:class:`InlineConnection` is an aiosqlite connection that runs its calls inline, where the
coroutine awaits them, and keeps the worker thread only for the calls that can wait on
another connection, which must never block the event loop:

- ``BEGIN IMMEDIATE`` / ``BEGIN EXCLUSIVE`` when the database is busy: a writer of another
  process holds it, and the wait is up to the busy timeout. This process's own writers
  take turns on an asyncio lock first (``storage/db.py``), so the begin is first tried
  inline with no wait at all, and only goes to the thread when that finds it busy;
- checkpoints, ``VACUUM`` and opening the file.

Everything else in WAL mode does not wait on other connections: reads see a snapshot and
a transaction begun with ``BEGIN IMMEDIATE`` already holds the write lock. The one other
slow call, the automatic checkpoint a commit may run, is turned off on these connections
(``wal_autocheckpoint=0``) and done in a thread instead (:class:`Checkpointer`).

The connection is used by one task at a time (SQLAlchemy's pool hands it out whole), from
the loop thread and, for the calls above, its worker thread, never both at once; hence
``check_same_thread=False``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

_WAITING_PREFIXES = ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE", "VACUUM", "PRAGMA WAL_CHECKPOINT")
_WRITE_BEGINS = ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")
# The WAL is checkpointed (in a thread) once it passes this size. SQLite's own default is
# 1000 pages (~4 MB), checkpointed by the commit that passes it; here the bulk of the copy
# runs beside the writers and only its short end holds them (storage/db.py), so fewer,
# larger checkpoints hold writers less often.
CHECKPOINT_WAL_BYTES = 64 * 1024 * 1024
# A checkpoint a reader kept from finishing is not retried sooner than this.
MIN_CHECKPOINT_INTERVAL_S = 1.0
# The WAL's size is looked at no more often than this (not after every write).
WAL_CHECK_INTERVAL_S = 0.25


def _statement_head(args: tuple[Any, ...]) -> str:
    if not args or not isinstance(args[0], str):
        return ""
    return args[0].lstrip()[:24].upper()


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY or (
        "database is locked" in str(error)
    )


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run where they are awaited, unless they may wait."""

    _busy_timeout_ms: int | None = None

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        head = _statement_head(args)
        if not head.startswith(_WAITING_PREFIXES):
            return fn(*args, **kwargs)
        if head.startswith(_WRITE_BEGINS) and self._begin_at_once(fn, *args, **kwargs):
            return None
        return await super()._execute(fn, *args, **kwargs)

    def _begin_at_once(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Begin a write transaction inline when the database is free, which it nearly
        always is (this process's writers take turns before they begin): the busy timeout
        is 0 for the attempt, so it never waits. Busy: False, and the caller begins on
        the worker thread, where waiting the full busy timeout blocks nobody."""
        connection = self._conn
        if self._busy_timeout_ms is None:
            self._busy_timeout_ms = int(connection.execute("PRAGMA busy_timeout").fetchone()[0])
        connection.execute("PRAGMA busy_timeout=0")
        try:
            fn(*args, **kwargs)
            return True
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
            return False
        finally:
            connection.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")


def connect(database: str | Path, **kwargs: Any) -> InlineConnection:
    """What ``aiosqlite.connect`` does, with an :class:`InlineConnection` (the
    ``async_creator_fn`` of SQLAlchemy's aiosqlite dialect receives the same arguments)."""
    kwargs["check_same_thread"] = False
    kwargs.pop("iter_chunk_size", None)
    location = database.decode() if isinstance(database, bytes) else str(database)

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(location, **kwargs)

    connection = InlineConnection(connector, 64)
    connection._thread.daemon = True
    return connection


class Checkpointer:
    """When and how to copy the WAL back into the database file, off the commit path.

    :meth:`due` is asked after each write transaction; at most four times a second it
    costs one ``stat``. The connections set ``journal_size_limit=0``, so the writer that
    restarts a fully checkpointed WAL also truncates it, and the file's size is what was
    written since. :meth:`checkpoint` is blocking: ``Database`` runs it in a thread, twice
    (the bulk beside the writers, then the rest holding the write turn: a checkpoint
    racing writers never finishes, and the WAL would then only grow)."""

    def __init__(self, database: str, *, wal_bytes: int = CHECKPOINT_WAL_BYTES) -> None:
        self.database = database
        self.wal = f"{database}-wal"
        self.wal_bytes = wal_bytes
        self.running = False
        self._last = float("-inf")
        self._looked = float("-inf")
        self.runs = 0

    def due(self) -> bool:
        now = time.monotonic()
        if self.running or now - self._looked < WAL_CHECK_INTERVAL_S:
            return False
        self._looked = now
        if now - self._last < MIN_CHECKPOINT_INTERVAL_S:
            return False
        try:
            return os.stat(self.wal).st_size >= self.wal_bytes
        except OSError:
            return False

    def checkpoint(self) -> None:
        self._last = time.monotonic()
        connection = sqlite3.connect(self.database, timeout=1.0)
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.runs += 1
        finally:
            connection.close()
