"""Deliver outbox events to subscribers after their transaction committed.

At-least-once, per subscriber: a delivery row is written the moment a subscriber has
handled an event, so a retry (after a subscriber failure, or a restart after a crash
between commit and delivery) only calls the subscribers that have not finished. Events
are claimed with a short lease (``SKIP LOCKED`` on PostgreSQL) so several processes never
deliver the same event at the same time. A subscriber failure is logged and retried with
backoff; it never reaches the command that emitted the event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select, update

from engine.kernel.clock import Clock
from engine.kernel.events import DomainEvent, event_from_row
from storage.db import Database
from storage.models import OutboxDelivery, OutboxEvent

log = logging.getLogger(__name__)

Handler = Callable[[DomainEvent], Awaitable[None]]

MAX_BACKOFF_SECONDS = 300
# About an hour of retries; past that the failure is not passing (a deleted channel, a
# bug), so the event is set aside with its error instead of being retried forever.
MAX_ATTEMPTS = 16


@dataclass(frozen=True)
class Subscriber:
    name: str
    handler: Handler
    event_types: frozenset[str] | None  # None: every event

    def wants(self, event_type: str) -> bool:
        return self.event_types is None or event_type in self.event_types


class OutboxDispatcher:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        lease: timedelta = timedelta(seconds=60),
        batch_size: int = 100,
        poll_interval: float = 5.0,
        handler_timeout: float = 30.0,
    ) -> None:
        self._db = db
        self._clock = clock
        self._lease = lease
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._handler_timeout = handler_timeout
        self._subscribers: dict[str, Subscriber] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()

    def subscribe(
        self, name: str, handler: Handler, event_types: Iterable[str] | None = None
    ) -> None:
        if name in self._subscribers:
            raise ValueError(f"subscriber {name!r} is registered twice")
        types = frozenset(event_types) if event_types is not None else None
        self._subscribers[name] = Subscriber(name, handler, types)

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    async def deliver_pending(self) -> int:
        """Deliver every due event once; return how many became fully delivered."""
        done = 0
        while True:
            claimed = await self._claim_batch()
            if not claimed:
                return done
            for event_id, event_type, payload in claimed:
                done += await self._deliver_one(event_id, event_type, payload)
            if len(claimed) < self._batch_size:
                return done

    async def _claim_batch(self) -> list[tuple[int, str, dict]]:
        now = self._clock.now()
        async with self._db.transaction() as session:
            query = (
                select(OutboxEvent.id, OutboxEvent.event_type, OutboxEvent.payload)
                .where(
                    OutboxEvent.delivered_at.is_(None),
                    OutboxEvent.next_attempt_at <= now,
                    or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
                )
                .order_by(OutboxEvent.id)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)
            )
            rows = [(r.id, r.event_type, r.payload) for r in await session.execute(query)]
            if rows:
                await session.execute(
                    update(OutboxEvent)
                    .where(OutboxEvent.id.in_([r[0] for r in rows]))
                    .values(claimed_until=now + self._lease)
                )
        return rows

    async def _deliver_one(self, event_id: int, event_type: str, payload: dict) -> int:
        async with self._db.read() as session:
            finished = set(
                (
                    await session.scalars(
                        select(OutboxDelivery.subscriber).where(OutboxDelivery.event_id == event_id)
                    )
                ).all()
            )
        try:
            event = event_from_row(event_type, payload)
        except (LookupError, TypeError) as exc:
            await self._record_failure(event_id, f"cannot decode event: {exc}")
            return 0
        errors: list[str] = []
        for sub in self._subscribers.values():
            if sub.name in finished or not sub.wants(event_type):
                continue
            try:
                await asyncio.wait_for(sub.handler(event), self._handler_timeout)
            except Exception as exc:  # a subscriber must never break delivery to others
                log.exception("subscriber %s failed on outbox event %s", sub.name, event_id)
                errors.append(f"{sub.name}: {type(exc).__name__}: {exc}")
                continue
            await self._record_delivery(event_id, sub.name)
        if errors:
            await self._record_failure(event_id, "; ".join(errors)[:2000])
            return 0
        await self._mark_delivered(event_id)
        return 1

    async def _record_delivery(self, event_id: int, subscriber: str) -> None:
        async with self._db.transaction() as session:
            session.add(
                OutboxDelivery(
                    event_id=event_id, subscriber=subscriber, delivered_at=self._clock.now()
                )
            )

    async def _mark_delivered(self, event_id: int) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id == event_id)
                .values(
                    delivered_at=self._clock.now(),
                    claimed_until=None,
                    attempts=OutboxEvent.attempts + 1,
                    last_error=None,
                )
            )

    async def _record_failure(self, event_id: int, error: str) -> None:
        async with self._db.transaction() as session:
            attempts = (
                await session.scalar(select(OutboxEvent.attempts).where(OutboxEvent.id == event_id))
            ) or 0
            now = self._clock.now()
            values: dict[str, object] = {
                "attempts": OutboxEvent.attempts + 1,
                "claimed_until": None,
                "last_error": error,
            }
            if attempts + 1 >= MAX_ATTEMPTS:
                log.error(
                    "giving up on outbox event %s after %s attempts: %s",
                    event_id,
                    attempts + 1,
                    error,
                )
                values["delivered_at"] = now
                values["last_error"] = f"gave up after {attempts + 1} attempts: {error}"[:2000]
            else:
                delay = min(2**attempts, MAX_BACKOFF_SECONDS)
                values["next_attempt_at"] = now + timedelta(seconds=delay)
            await session.execute(
                update(OutboxEvent).where(OutboxEvent.id == event_id).values(**values)
            )

    async def pending_count(self) -> int:
        async with self._db.read() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(OutboxEvent.delivered_at.is_(None))
            )
        return int(count or 0)

    # -- background loop ---------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="outbox-dispatcher")

    async def stop(self) -> None:
        if self._task is not None:
            # On Python 3.11 a cancel that lands while ``wait_for`` is finishing can be
            # swallowed; the flag ends the loop at its next turn all the same.
            self._stopping = True
            self._wake.set()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def wait_idle(self) -> None:
        """Wait until everything woken so far has been attempted (tests, the demo)."""
        await self._idle.wait()

    async def _run(self) -> None:
        # Start by delivering whatever a previous process committed but never delivered.
        self._wake.set()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)
            if self._stopping:
                return
            self._wake.clear()
            try:
                await self.deliver_pending()
            except Exception:
                log.exception("outbox delivery pass failed; retrying on the next wake-up")
            if not self._wake.is_set():
                self._idle.set()
