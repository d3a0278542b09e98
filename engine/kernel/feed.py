"""Read the outbox as a feed: every process sees every event, in sequence order.

The outbox dispatcher (:mod:`engine.kernel.outbox`) *claims* an event so that one process
delivers it; that is right for Discord notices and wrong for a broadcast such as the
dashboard's live feed, where every process serving viewers must see every event. A feed
therefore never writes: it tails ``outbox_events`` by id (the sequence number), woken by
``LISTEN`` on the outbox channel on PostgreSQL, by the local commit callback
(:meth:`OutboxFeed.wake`), and by a short poll as the safety net.

The commit-order gap: ids are taken when a transaction inserts, not when it commits, so
on PostgreSQL id 9 may become visible after id 10 was read. A feed remembers every id it
skipped over as a gap and looks for exactly those ids again on each pass, for
``gap_patience`` seconds (a rolled-back transaction leaves a gap that never fills). A late
event is delivered when it appears, once: the feed never reads an id twice. Handlers are
plain functions that must not block: a feed is shared by every viewer of the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from engine.kernel.events import DomainEvent, event_from_row
from storage.db import Database
from storage.models import OutboxEvent
from storage.notify import OUTBOX_CHANNEL, Listener, stop_task

log = logging.getLogger(__name__)

FeedHandler = Callable[[int, DomainEvent], None]

# Past this many missing ids in one jump (a sequence reset, a bulk delete) the feed stops
# waiting for them: holding tens of thousands of ids would cost more than it could save.
MAX_GAP_IDS = 10_000
GAP_QUERY_IDS = 900


@dataclass(frozen=True)
class _Reader:
    handler: FeedHandler
    event_types: frozenset[str] | None

    def wants(self, event_type: str) -> bool:
        return self.event_types is None or event_type in self.event_types


class OutboxFeed:
    """Tail the outbox from the end (plus ``backfill`` recent events) for this process."""

    def __init__(
        self,
        db: Database,
        *,
        poll_interval: float | None = None,
        gap_patience: float = 10.0,
        backfill: int = 512,
        batch_size: int = 500,
        listen: bool = True,
    ) -> None:
        self._db = db
        # With LISTEN the poll is only a safety net; on SQLite another process's commits
        # (``python -m dashboard`` next to the bot) are only seen by polling.
        self._poll = poll_interval if poll_interval is not None else (1.0 if db.is_sqlite else 5.0)
        self._patience = gap_patience
        self._backfill = backfill
        self._batch = batch_size
        self._listener = (
            Listener(db.url.render_as_string(hide_password=False), {OUTBOX_CHANNEL: self.wake})
            if listen and not db.is_sqlite
            else None
        )
        self._readers: list[_Reader] = []
        self._high = 0  # the highest id read
        self.origin = 0  # every event after this id is read (or waited for as a gap)
        self._gaps: dict[int, float] = {}  # id skipped over -> when to stop waiting for it
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.delivered = 0  # events handed to readers (metrics, tests)
        self.late = 0  # of which arrived after a higher id (commit-order gaps)

    @property
    def position(self) -> int:
        """The highest outbox id this feed has read."""
        return self._high

    @property
    def listening(self) -> asyncio.Event | None:
        """Set while the LISTEN connection is up (None when the feed only polls)."""
        return self._listener.connected if self._listener else None

    def subscribe(self, handler: FeedHandler, event_types: Iterable[str] | None = None) -> None:
        types = frozenset(event_types) if event_types is not None else None
        self._readers.append(_Reader(handler, types))

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        """Read the recent past (so ``Last-Event-ID`` resumes work here), then follow."""
        if self._task is not None:
            return
        await self._read_recent()
        if self._listener is not None:
            self._listener.start()
        self._task = asyncio.create_task(self._run(), name="outbox-feed")

    async def stop(self) -> None:
        if self._task is not None:
            await stop_task(self._task, "the outbox feed")
            self._task = None
        if self._listener is not None:
            await self._listener.stop()

    async def _read_recent(self) -> None:
        async with self._db.read() as session:
            top = await session.scalar(select(func.max(OutboxEvent.id)))
            rows = (
                await session.execute(
                    _columns().order_by(OutboxEvent.id.desc()).limit(self._backfill)
                )
            ).all()
        self._high = min((row.id for row in rows), default=(top or 0) + 1) - 1
        self.origin = self._high if len(rows) == self._backfill else 0
        self._take(sorted(rows, key=lambda row: row.id))

    async def read_pass(self) -> int:
        """One pass: new events after :attr:`position`, then the gaps; returns how many."""
        before = self.delivered
        while True:
            async with self._db.read() as session:
                query = _columns().where(OutboxEvent.id > self._high)
                rows = (
                    await session.execute(query.order_by(OutboxEvent.id).limit(self._batch))
                ).all()
            self._take(rows)
            if len(rows) < self._batch:
                break
        await self._read_gaps()
        return self.delivered - before

    async def _read_gaps(self) -> None:
        if not self._gaps:
            return
        async with self._db.read() as session:
            # Oldest first, a bounded list: SQLite limits the parameters of one statement.
            query = _columns().where(OutboxEvent.id.in_(sorted(self._gaps)[:GAP_QUERY_IDS]))
            rows = (await session.execute(query.order_by(OutboxEvent.id))).all()
        for row in rows:
            del self._gaps[row.id]
            self.late += 1
            self._hand_out(row)
        now = time.monotonic()
        self._gaps = {gap: until for gap, until in self._gaps.items() if until > now}

    def _take(self, rows: Sequence[Any]) -> None:
        """Hand out rows read in id order, remembering the ids skipped over."""
        for row in rows:
            missing = row.id - self._high - 1
            if 0 < missing <= MAX_GAP_IDS:
                until = time.monotonic() + self._patience
                self._gaps.update(dict.fromkeys(range(self._high + 1, row.id), until))
            self._high = max(self._high, row.id)
            self._hand_out(row)

    def _hand_out(self, row: Any) -> None:
        wanted = [r for r in self._readers if r.wants(row.event_type)]
        if not wanted:
            return
        try:
            event = event_from_row(row.event_type, row.payload)
        except (LookupError, TypeError) as exc:
            log.debug("outbox feed skips event %s: %s", row.id, exc)
            return
        self.delivered += 1
        for reader in wanted:
            try:
                reader.handler(row.id, event)
            except Exception:  # one reader must never stop the feed for the others
                log.exception("outbox feed reader failed on event %s", row.id)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)
            self._wake.clear()
            try:
                await self.read_pass()
            except Exception:
                log.exception("outbox feed pass failed; retrying on the next wake-up")


def _columns() -> Any:
    return select(OutboxEvent.id, OutboxEvent.event_type, OutboxEvent.payload)
