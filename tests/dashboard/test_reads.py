"""Public reads from memory (dashboard/reads.py): fresh entries cost no database round
trip, a change this process delivers is seen at once, another process's within the TTL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import event, update

from dashboard.reads import PublicEntry, PublicReads
from dashboard.state import STATE
from engine.kernel.events import DomainEvent
from engine.services import Services
from storage.models import Tournament
from storage.models.enums import TournamentStatus
from testkit.dashboard_fakes import Fakes
from testkit.payment_helpers import make_guild, make_tournament


@dataclass(frozen=True)
class Touched(DomainEvent):
    tournament_id: int | None = None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _entry(tournament_id: int = 1, guild_id: int = 9) -> PublicEntry:
    view: Any = SimpleNamespace(id=tournament_id, guild_id=guild_id)  # all reads.py looks at
    return PublicEntry(view, None)


class Loads:
    """A loader that counts its calls and can be held half-way."""

    def __init__(self, entry: PublicEntry | None) -> None:
        self.entry = entry
        self.calls = 0
        self.started = asyncio.Event()
        self.gate: asyncio.Event | None = None

    async def __call__(self, slug: str) -> PublicEntry | None:
        self.calls += 1
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        return self.entry


async def test_a_fresh_entry_is_served_from_memory_until_the_ttl() -> None:
    clock = Clock()
    reads, load = PublicReads(ttl=2.0, clock=clock), Loads(_entry())
    first = await reads.get("cup", load)
    assert await reads.get("cup", load) is first and load.calls == 1
    clock.now += 2.0  # another process may have changed it: read again
    await reads.get("cup", load)
    assert load.calls == 2


async def test_an_event_of_the_tournament_or_its_server_drops_it() -> None:
    reads, load = PublicReads(ttl=60.0, clock=Clock()), Loads(_entry(1, guild_id=9))
    await reads.get("cup", load)
    reads.saw(Touched(guild_id=9, tournament_id=2))
    await reads.get("cup", load)
    assert load.calls == 1  # another tournament's event
    reads.saw(Touched(guild_id=9, tournament_id=1))
    await reads.get("cup", load)
    reads.saw(Touched(guild_id=9))  # a server-wide change (a game renamed, a timezone)
    await reads.get("cup", load)
    assert load.calls == 3


async def test_concurrent_misses_share_one_load_and_a_load_racing_a_change_is_not_kept() -> None:
    reads, load = PublicReads(ttl=60.0, clock=Clock()), Loads(_entry())
    load.gate = asyncio.Event()
    waiting = [asyncio.ensure_future(reads.get("cup", load)) for _ in range(5)]
    await load.started.wait()
    reads.forget(tournament_id=1)  # the change commits while the load reads
    load.gate.set()
    results = await asyncio.gather(*waiting)
    assert load.calls == 1 and all(r is results[0] for r in results)
    await reads.get("cup", load)
    assert load.calls == 2  # the racing load was served, not remembered


async def test_unknown_slugs_are_not_remembered_and_memory_is_bounded() -> None:
    reads = PublicReads(ttl=60.0, max_tournaments=2, clock=Clock())
    missing = Loads(None)
    assert await reads.get("nope", missing) is None
    assert await reads.get("nope", missing) is None
    assert missing.calls == 2
    loads = {slug: Loads(_entry(i)) for i, slug in enumerate(("a", "b", "c"))}
    for slug, load in loads.items():
        await reads.get(slug, load)
    await reads.get("a", loads["a"])
    assert loads["a"].calls == 2  # the least recently used went first


@pytest.fixture
def statements(services: Services) -> Iterator[list[str]]:
    """Every SQL statement the app's database runs while the test looks."""
    seen: list[str] = []
    engines = [services.db.engine.sync_engine]  # readers use it with other options

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    yield seen
    for engine in engines:
        event.remove(engine, "before_cursor_execute", record)


async def test_hot_public_reads_make_no_database_round_trip(
    client: TestClient, services: Services, fakes: Fakes, new_id, statements: list[str]
) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, name="Hot Cup")
    async with services.db.transaction() as session:
        await session.execute(
            update(Tournament).where(Tournament.id == tid).values(status=TournamentStatus.LIVE)
        )
        slug = (await session.get(Tournament, tid)).slug  # type: ignore[union-attr]
    fakes.brackets.show(tid, version=1)
    page, png = f"/t/{slug}", f"/t/{slug}/bracket.png"
    etag = (await client.get(png)).headers["ETag"]
    assert (await client.get(page)).status == 200
    statements.clear()
    assert (await client.get(png)).status == 200
    assert (await client.get(png, headers={"If-None-Match": etag})).status == 304
    assert (await client.get(page)).status == 200
    assert (await client.get(f"/t/{slug}/live.html")).status == 200
    assert statements == []
    fakes.brackets.show(tid, version=2)
    client.app[STATE].reads.saw(Touched(guild_id=guild.id, tournament_id=tid))
    assert (await client.get(png, headers={"If-None-Match": etag})).status == 200
