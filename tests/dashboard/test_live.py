"""Live updates: outbox events reach open streams; reconnects replay or resync."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from dashboard.app import create_app
from dashboard.config import DashboardConfig
from dashboard.live import LiveHub, live_event_types
from dashboard.state import STATE
from engine.brackets import MatchCompleted
from engine.kernel.clock import FrozenClock
from engine.money import PaymentApproved
from engine.services import Services
from engine.site import DashboardAuthService
from storage.db import Database
from testkit.dashboard_fakes import Fakes
from testkit.payment_helpers import make_guild, make_tournament
from tests.conftest import migrate
from tests.dashboard.conftest import SECRET, log_in


def completed(guild_id: int, tournament_id: int, code: str = "W1-1") -> MatchCompleted:
    return MatchCompleted(
        guild_id=guild_id,
        tournament_id=tournament_id,
        match_id=1,
        code=code,
        round_title="Quarterfinal",
        winner_registration_id=None,
        loser_registration_id=None,
        scores=[13, 11],
        outcome="score",
        automatic=False,
        bracket_version=2,
    )


def approved(guild_id: int, tournament_id: int) -> PaymentApproved:
    return PaymentApproved(
        guild_id=guild_id,
        payment_id=5,
        tournament_id=tournament_id,
        tournament_name="Cup",
        registration_id=1,
        user_id=2,
        method="bkash",
        reviewer_id=3,
    )


# -- the hub ------------------------------------------------------------------------------


async def test_events_reach_streams_of_their_topic_only() -> None:
    hub = LiveHub()
    public, organizers, elsewhere = (hub.open({t}, None) for t in ("t:7", "g:1", "t:8"))
    await hub.handle(completed(1, 7))
    await hub.handle(approved(1, 7))
    first = public.queue.get_nowait()
    assert first.data == {"type": "match.completed", "text": "Match W1-1 (Quarterfinal) is over."}
    assert public.queue.empty()  # payments are for organizers only
    kinds = [organizers.queue.get_nowait().data["type"] for _ in range(2)]
    assert kinds == ["match.completed", "payment.approved"]
    assert elsewhere.queue.empty()
    assert "match.completed" in live_event_types() and "coins.granted" not in live_event_types()


async def test_reconnect_replays_what_was_missed_or_asks_for_a_resync() -> None:
    hub = LiveHub(buffer_size=3)
    hub.publish("t:1", {"n": 1})
    seen = hub.open({"t:1"}, None)
    hub.publish("t:1", {"n": 2})
    hub.publish("t:2", {"n": 3})
    hub.publish("t:1", {"n": 4})
    last = f"{hub.boot}-2"
    replay = hub.open({"t:1"}, last)
    assert [m.data["n"] for m in replay.backlog] == [4] and not replay.resync
    assert hub.open({"t:1"}, "feedbeef-2").resync  # a message id from another process start
    assert hub.open({"t:1"}, f"{hub.boot}-0").resync  # older than the buffer
    assert hub.open({"t:1"}, f"{hub.boot}-\u00b2").resync  # a digit int() refuses: no crash
    assert hub.open({"t:1"}, f"{hub.boot}-{'9' * 5000}").resync
    assert seen.queue.qsize() == 2


async def test_a_stream_that_stops_reading_is_dropped_with_a_resync() -> None:
    hub = LiveHub(queue_size=2)
    stream = hub.open({"t:1"}, None)
    for n in range(5):
        hub.publish("t:1", {"n": n})
    assert hub.stream_count == 0
    items = [stream.queue.get_nowait() for _ in range(stream.queue.qsize())]
    assert items[-1] == "resync"


# -- through the outbox and HTTP ------------------------------------------------------------


@pytest_asyncio.fixture
async def own_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A database of its own, so these tests own every outbox event in it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    await migrate(url)
    db = Database(url)
    yield db
    await db.dispose()


async def read_events(response: ClientResponse, count: int) -> list[dict]:
    """Parse SSE frames until ``count`` non-comment events arrived."""
    events: list[dict] = []
    frame: dict[str, str] = {}
    async with asyncio.timeout(5):
        while len(events) < count:
            line = (await response.content.readline()).decode().rstrip("\n")
            if line == "":
                if frame:
                    events.append(frame)
                frame = {}
            elif line.startswith(":"):
                frame.setdefault("comment", line)
            else:
                key, _, value = line.partition(": ")
                frame[key] = value
    return events


async def test_a_completed_match_reaches_the_tournament_page_stream(
    own_db: Database, tmp_path: Path, fakes: Fakes, new_id
) -> None:
    services = Services(own_db, FrozenClock(), data_dir=tmp_path)
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild)
    slug = (await services.tournaments.get(tid)).slug
    config = DashboardConfig("http://dashboard.test", SECRET, heartbeat_seconds=0.1)
    async with TestClient(TestServer(create_app(services, config, fakes.hooks()))) as client:
        hub = client.app[STATE].hub
        hub.max_streams = 0  # full: the page still works, the stream asks to come back
        full = await client.get(f"/t/{slug}/events")
        assert full.status == 503 and full.headers["Retry-After"] == "30"
        hub.max_streams = 1000
        response = await client.get(f"/t/{slug}/events")
        assert response.headers["Content-Type"].startswith("text/event-stream")
        assert response.headers["X-Accel-Buffering"] == "no"
        assert response.headers["Cache-Control"] == "no-cache, no-transform"
        [retry, ping] = await read_events(response, 2)
        assert retry == {"retry": "3000"} and ping == {"comment": ": ping"}

        async with services.ctx.unit_of_work() as uow:
            uow.emit(completed(guild.id, tid, "W1-2"))
        await services.outbox.deliver_pending()
        [update] = [e for e in await read_events(response, 2) if "data" in e][:1]
        assert update["event"] == "update"
        assert json.loads(update["data"])["text"] == "Match W1-2 (Quarterfinal) is over."
        last_id = update["id"]
        response.close()

        async with services.ctx.unit_of_work() as uow:
            uow.emit(completed(guild.id, tid, "W1-3"))
        await services.outbox.deliver_pending()
        again = await client.get(f"/t/{slug}/events", headers={"Last-Event-ID": last_id})
        missed = [e for e in await read_events(again, 3) if "data" in e]
        assert "W1-3" in missed[0]["data"]
        again.close()


async def test_organizer_stream_carries_payment_decisions(
    own_db: Database, tmp_path: Path, fakes: Fakes, new_id
) -> None:
    services = Services(own_db, FrozenClock(), data_dir=tmp_path)
    guild = await make_guild(services, new_id)
    config = DashboardConfig("http://dashboard.test", SECRET, heartbeat_seconds=0.1)
    async with TestClient(TestServer(create_app(services, config, fakes.hooks()))) as client:
        await log_in(client, DashboardAuthService(services.ctx, SECRET), guild.owner)
        response = await client.get(f"/org/events?g={guild.id}")
        await read_events(response, 1)
        async with services.ctx.unit_of_work() as uow:
            uow.emit(approved(guild.id, 1))
        await services.outbox.deliver_pending()
        [update] = [e for e in await read_events(response, 3) if "data" in e][:1]
        assert json.loads(update["data"]) == {
            "type": "payment.approved",
            "text": "Payment #5 was approved.",
        }
        response.close()
