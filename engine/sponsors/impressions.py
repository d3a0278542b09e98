"""Sponsor impressions, counted in memory and written a few seconds later, together.

Every public page and bracket picture carrying logos is an impression. Writing each one
at once made every reader a writer: a page view waited for SQLite's single writer, and
the dashboard served the tournament page and ``bracket.png`` at a third of ``/healthz``
(``python -m benchmarks wrk``). A served page now adds to a tally of this process (a dict
update); :func:`flush_impressions` writes the tally in one transaction, one upsert per
tournament and day, at most :data:`FLUSH_AFTER_S` after the first uncounted impression,
before a sponsor report is read, and when the process stops. A crash loses at most those
few seconds of impressions of one process, which is what an impression count can bear.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from datetime import date
from weakref import WeakKeyDictionary

from engine.kernel.uow import ServiceContext
from engine.sponsors.logos import add_impressions

log = logging.getLogger(__name__)

FLUSH_AFTER_S = 5.0


class ImpressionTally:
    """The impressions of one process not written yet, by tournament, day and sponsor."""

    def __init__(self, ctx: ServiceContext, flush_after_s: float = FLUSH_AFTER_S) -> None:
        self._ctx = ctx
        self.flush_after_s = flush_after_s
        self._counts: Counter[tuple[int, date, int]] = Counter()
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: asyncio.Task[None] | None = None
        self._write = asyncio.Lock()

    def add(self, tournament_id: int, sponsor_ids: list[int] | tuple[int, ...], n: int) -> None:
        if not sponsor_ids or n <= 0:
            return
        day = self._ctx.clock.now().date()
        for sponsor_id in set(sponsor_ids):
            self._counts[(tournament_id, day, sponsor_id)] += n
        if self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.flush_after_s, self._flush_soon)

    def _flush_soon(self) -> None:
        self._timer = None
        self._flushing = asyncio.get_running_loop().create_task(self._flush_logged())

    async def _flush_logged(self) -> None:
        try:
            await self.flush()
        except Exception:  # kept in the tally, written with the next flush
            log.warning("sponsor impressions could not be written yet", exc_info=True)

    async def flush(self) -> None:
        """Write what was counted so far (one transaction; kept on failure)."""
        async with self._write:
            if not self._counts:
                return
            counts, self._counts = self._counts, Counter()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            # Sponsors counted the same number of times share one upsert.
            groups: defaultdict[tuple[int, date, int], list[int]] = defaultdict(list)
            for (tournament_id, day, sponsor_id), n in counts.items():
                groups[(tournament_id, day, n)].append(sponsor_id)
            try:
                async with self._ctx.unit_of_work() as uow:
                    for (tournament_id, day, n), sponsor_ids in sorted(groups.items()):
                        await add_impressions(uow.session, sponsor_ids, tournament_id, day, n)
            except BaseException:
                self._counts.update(counts)
                if self._timer is None:
                    loop = asyncio.get_running_loop()
                    self._timer = loop.call_later(self.flush_after_s, self._flush_soon)
                raise


_TALLIES: WeakKeyDictionary[ServiceContext, ImpressionTally] = WeakKeyDictionary()


def tally_of(ctx: ServiceContext) -> ImpressionTally:
    tally = _TALLIES.get(ctx)
    if tally is None:
        tally = _TALLIES[ctx] = ImpressionTally(ctx)
    return tally


def record_impressions(
    ctx: ServiceContext, tournament_id: int, sponsor_ids: list[int] | tuple[int, ...], n: int = 1
) -> None:
    """Count ``n`` servings of a picture or page carrying these sponsors' logos (written
    within :data:`FLUSH_AFTER_S`)."""
    tally_of(ctx).add(tournament_id, sponsor_ids, n)


async def flush_impressions(ctx: ServiceContext) -> None:
    """Write the impressions this process counted and has not written yet."""
    tally = _TALLIES.get(ctx)
    if tally is not None:
        await tally.flush()
