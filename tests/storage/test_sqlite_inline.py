"""SQLite statements run on the event loop's thread; what may wait on another process
does not block the loop; the WAL is checkpointed off the commit path and stays bounded
(storage/sqlite_inline.py, storage/db.py)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from sqlalchemy import text

from storage.db import Database
from tests.conftest import migrate


@pytest_asyncio.fixture
async def fresh(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}"
    await migrate(url)
    db = Database(url)
    yield db
    await db.dispose()


async def _scratch(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE IF NOT EXISTS scratch (id INTEGER, v TEXT)"))


async def test_statements_run_on_the_loop_thread(fresh: Database) -> None:
    threads: list[int] = []

    async with fresh.transaction() as session:
        raw = await session.connection()
        driver = (await raw.get_raw_connection()).driver_connection
        await driver.create_function("where_am_i", 0, lambda: threads.append(threading.get_ident()))
        await session.execute(text("SELECT where_am_i()"))
    async with fresh.read() as session:
        await session.execute(text("SELECT where_am_i()"))
    assert threads == [threading.get_ident()] * 2


async def test_a_write_transaction_lets_ready_tasks_go_first(fresh: Database) -> None:
    """Inline statements never suspend, so a transaction would run in one go ahead of
    everything ready (an interaction waiting for its acknowledgement): it yields first."""
    order: list[str] = []
    asyncio.get_running_loop().call_soon(order.append, "ready before")
    async with fresh.transaction() as session:
        order.append("transaction")
        await session.execute(text("SELECT 1"))
    assert order == ["ready before", "transaction"]


async def test_a_writer_of_another_process_does_not_stop_the_loop(fresh: Database) -> None:
    await _scratch(fresh)
    other = sqlite3.connect(fresh.url.database, isolation_level=None)  # "another process"
    other.execute("BEGIN IMMEDIATE")
    ticks, ten_ticks = 0, asyncio.Event()

    async def write() -> None:
        async with fresh.transaction() as session:
            await session.execute(text("INSERT INTO scratch VALUES (1, 'mine')"))

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1
            if ticks == 10:
                ten_ticks.set()

    ticker = asyncio.create_task(tick())
    writer = asyncio.create_task(write())
    await asyncio.wait_for(ten_ticks.wait(), 5)  # the loop goes on (it would stand still
    assert not writer.done()  # if the writer waited inline for the other writer's lock)
    other.execute("INSERT INTO scratch VALUES (2, 'theirs')")
    other.execute("COMMIT")
    await asyncio.wait_for(writer, 5)
    ticker.cancel()
    other.close()
    async with fresh.read() as session:
        rows = (await session.execute(text("SELECT id FROM scratch ORDER BY id"))).scalars()
        assert list(rows) == [1, 2]


async def test_a_begin_that_finds_the_database_free_keeps_the_busy_timeout(
    fresh: Database,
) -> None:
    async with fresh.transaction() as session:
        timeout = (await session.execute(text("PRAGMA busy_timeout"))).scalar_one()
    assert timeout == 30_000  # the attempt without waiting put it back


async def test_the_wal_is_checkpointed_off_the_commit_path_and_stays_bounded(
    fresh: Database,
) -> None:
    checkpointer = fresh._checkpointer
    assert checkpointer is not None
    checkpointer.wal_bytes = 256 * 1024
    await _scratch(fresh)
    largest = 0
    for round_ in range(200):
        async with fresh.transaction() as session:
            await session.execute(
                text("INSERT INTO scratch VALUES (:i, :v)"),
                [{"i": round_ * 10 + i, "v": os.urandom(400).hex()} for i in range(10)],
            )
        largest = max(largest, os.stat(checkpointer.wal).st_size)
        checkpointer._last = checkpointer._looked = float("-inf")  # no pauses in this test
        await asyncio.sleep(0)
    if fresh._checkpoint_task is not None:
        await fresh._checkpoint_task
    # ~3.3 MB of WAL were written (with no checkpoints the file grows to that); it
    # stays near the threshold.
    assert checkpointer.runs >= 4
    assert largest < 2 * 1024 * 1024
    async with fresh.read() as session:
        assert (await session.execute(text("SELECT count(*) FROM scratch"))).scalar_one() == 2000
        assert (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one() == 0
