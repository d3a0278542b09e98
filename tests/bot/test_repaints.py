"""Live bracket repaints are coalesced: a burst of results is one or two paints, the
newest request is always painted, and paints of many tournaments are bounded."""

from __future__ import annotations

import asyncio

from bot.notify.bracket import Repaints


class Painter:
    def __init__(self) -> None:
        self.painted: list[tuple[int, str]] = []
        self.running = 0
        self.most_at_once = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, tournament_id: int, what: str) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await self.gate.wait()
            self.painted.append((tournament_id, what))
        finally:
            self.running -= 1


async def test_a_burst_is_painted_at_once_and_then_at_its_latest() -> None:
    painter = Painter()
    repaints = Repaints(painter, every=0.05)
    repaints.request(7, "match 1")
    await repaints.idle()
    for code in range(2, 11):
        repaints.request(7, f"match {code}")
    await repaints.idle()
    # The first request paints at once; the nine that follow within the interval collapse
    # into one paint, which shows the newest result.
    assert painter.painted == [(7, "match 1"), (7, "match 10")]


async def test_a_request_during_a_paint_is_not_lost() -> None:
    painter = Painter()
    painter.gate.clear()
    repaints = Repaints(painter, every=0.0)
    repaints.request(3, "match 1")
    await asyncio.sleep(0)  # let the paint start (a scheduling point, not a wait for time)
    repaints.request(3, "match 2")
    painter.gate.set()
    await repaints.idle()
    assert painter.painted[-1] == (3, "match 2")


async def test_paints_across_tournaments_are_bounded() -> None:
    painter = Painter()
    painter.gate.clear()
    repaints = Repaints(painter, every=0.0, at_once=2)
    for tournament_id in range(10):
        repaints.request(tournament_id, "start")
    for _ in range(5):
        await asyncio.sleep(0)
    assert painter.running == 2
    painter.gate.set()
    await repaints.idle()
    assert painter.most_at_once == 2 and len(painter.painted) == 10


async def test_a_failed_paint_does_not_stop_later_ones() -> None:
    calls: list[str] = []

    async def flaky(tournament_id: int, what: str) -> None:
        calls.append(what)
        if what == "boom":
            raise RuntimeError("Discord is down")

    repaints = Repaints(flaky, every=0.0)
    repaints.request(1, "boom")
    await repaints.idle()
    repaints.request(1, "after")
    await repaints.idle()
    assert calls == ["boom", "after"]
