"""The live feed is a broadcast: every dashboard, in any process, reads every event.

Each app here has its own ``Database`` (its own pool, its own LISTEN connection), as it
would in its own process; events are committed through a third ``Services`` that runs no
dashboard at all, so an app only learns of them through the database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from dashboard.app import FEED, create_app
from dashboard.config import DashboardConfig
from dashboard.live import LiveHub, LiveMessage, Stream
from dashboard.state import STATE
from engine.kernel.clock import FrozenClock
from engine.kernel.feed import OutboxFeed
from engine.services import Services
from storage.db import Database
from tests.conftest import make_database, migrate, postgres_url
from tests.dashboard.conftest import SECRET
from tests.dashboard.test_live import completed

WAIT = 10.0


@pytest_asyncio.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'feed.db'}"
    await migrate(url)
    return url


@pytest_asyncio.fixture
async def postgres_schema(postgres_db: Database | None) -> str | None:
    if postgres_db is None:
        return None
    async with postgres_db.read() as session:
        return await session.scalar(text("SELECT current_schema()"))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    """A URL and search path every "process" of a test opens on its own."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url"), None
    schema = request.getfixturevalue("postgres_schema")
    if schema is None:
        pytest.skip("PostgreSQL not configured: set DELTACROWN_TEST_POSTGRES_URL")
    return str(postgres_url()), schema


@contextlib.asynccontextmanager
async def opened(url: str, search_path: str | None) -> AsyncIterator[Database]:
    db = make_database(url, search_path)
    try:
        yield db
    finally:
        await db.dispose()


@contextlib.asynccontextmanager
async def dashboard(db: Database, tmp_path: Path) -> AsyncIterator[LiveHub]:
    """A dashboard app as another process runs it; its feed polls only on SQLite (on
    PostgreSQL the poll is too slow for these waits: LISTEN/NOTIFY must do the work)."""
    services = Services(db, FrozenClock(), data_dir=tmp_path)
    feed = OutboxFeed(db, poll_interval=0.2 if db.is_sqlite else 60.0)
    config = DashboardConfig("http://dashboard.test", SECRET)
    async with TestClient(TestServer(create_app(services, config, feed=feed))) as client:
        listening = client.app[FEED].listening
        if listening is not None:
            await asyncio.wait_for(listening.wait(), WAIT)
        yield client.app[STATE].hub


async def emit(services: Services, guild_id: int, tournament_id: int, code: str) -> None:
    async with services.ctx.unit_of_work() as uow:
        uow.emit(completed(guild_id, tournament_id, code))


async def codes(stream: Stream, count: int) -> list[str]:
    """The match codes of the next ``count`` messages of ``stream``."""
    seen = []
    async with asyncio.timeout(WAIT):
        for _ in range(count):
            item = await stream.queue.get()
            assert isinstance(item, LiveMessage)
            seen.append(item.data["text"].split()[1])
    return seen


async def test_two_dashboards_both_see_every_event(
    database_url: tuple[str, str | None], tmp_path: Path, new_id
) -> None:
    guild_id, tid = new_id(), new_id()
    async with (
        opened(*database_url) as writer_db,
        opened(*database_url) as first_db,
        opened(*database_url) as second_db,
        dashboard(first_db, tmp_path) as first,
        dashboard(second_db, tmp_path) as second,
    ):
        writer = Services(writer_db, FrozenClock(), data_dir=tmp_path)
        streams = [hub.open({f"t:{tid}"}, None) for hub in (first, second)]
        sent = [f"W1-{n}" for n in range(6)]
        for code in sent:
            await emit(writer, guild_id, tid, code)
        for stream in streams:
            assert await codes(stream, len(sent)) == sent


async def test_a_reconnect_resumes_on_another_dashboard_by_last_event_id(
    database_url: tuple[str, str | None], tmp_path: Path, new_id
) -> None:
    guild_id, tid = new_id(), new_id()
    async with (
        opened(*database_url) as writer_db,
        opened(*database_url) as first_db,
        opened(*database_url) as second_db,
        dashboard(first_db, tmp_path) as first,
    ):
        writer = Services(writer_db, FrozenClock(), data_dir=tmp_path)
        stream = first.open({f"t:{tid}"}, None)
        await emit(writer, guild_id, tid, "W1-1")
        [seen] = [item for item in [await stream.queue.get()] if isinstance(item, LiveMessage)]
        for code in ("W1-2", "W1-3"):
            await emit(writer, guild_id, tid, code)
        # The browser comes back through the load balancer to a dashboard started since.
        async with dashboard(second_db, tmp_path) as second:
            resumed = second.open({f"t:{tid}"}, seen.id)
            assert not resumed.resync
            assert [m.data["text"].split()[1] for m in resumed.backlog] == ["W1-2", "W1-3"]
            await emit(writer, guild_id, tid, "W1-4")
            assert await codes(resumed, 1) == ["W1-4"]
            assert second.open({f"t:{tid}"}, "feedbeef-3").resync  # not an outbox id


@pytest.mark.postgres
async def test_an_event_committed_after_a_later_one_is_still_delivered(
    database_url: tuple[str, str | None], tmp_path: Path, new_id
) -> None:
    """PostgreSQL takes ids at insert and shows rows at commit: id N can appear after N+1."""
    url, search_path = database_url
    if search_path is None:
        pytest.skip("SQLite writers queue: ids are committed in order there")
    guild_id, tid = new_id(), new_id()
    async with (
        opened(url, search_path) as writer_db,
        opened(url, search_path) as reader_db,
        dashboard(reader_db, tmp_path) as hub,
    ):
        writer = Services(writer_db, FrozenClock(), data_dir=tmp_path)
        stream = hub.open({f"t:{tid}"}, None)
        flushed, release = asyncio.Event(), asyncio.Event()

        async def slow_transaction() -> None:
            async with writer.ctx.unit_of_work() as uow:
                uow.emit(completed(guild_id, tid, "W1-early"))
                await uow.session.flush()  # the id is taken now
                flushed.set()
                await release.wait()

        slow = asyncio.create_task(slow_transaction())
        await asyncio.wait_for(flushed.wait(), WAIT)
        await emit(writer, guild_id, tid, "W1-later")
        assert await codes(stream, 1) == ["W1-later"]
        release.set()
        await slow
        assert await codes(stream, 1) == ["W1-early"]
        await emit(writer, guild_id, tid, "W1-after")
        assert await codes(stream, 1) == ["W1-after"]  # nothing twice, nothing lost


async def test_the_feed_reads_each_event_once_and_gives_up_on_rolled_back_ids(
    database_url: tuple[str, str | None], tmp_path: Path, new_id
) -> None:
    guild_id, tid = new_id(), new_id()
    async with opened(*database_url) as db:
        services = Services(db, FrozenClock(), data_dir=tmp_path)
        feed = OutboxFeed(db, gap_patience=0.0, listen=False)
        got: list[int] = []
        feed.subscribe(lambda seq, _event: got.append(seq), ["match.completed"])
        await feed.start()
        await feed.stop()  # passes are driven by hand below
        start = len(got)
        with contextlib.suppress(RuntimeError):
            async with services.ctx.unit_of_work() as uow:
                uow.emit(completed(guild_id, tid, "W1-gone"))
                await uow.session.flush()
                raise RuntimeError("rolled back: its id never appears")
        await emit(services, guild_id, tid, "W1-kept")
        await feed.read_pass()
        await feed.read_pass()
        assert len(got) == start + 1 and got[-1] == feed.position
