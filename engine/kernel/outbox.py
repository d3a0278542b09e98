"""Deliver outbox events to subscribers after their transaction committed.

At-least-once, per subscriber: a delivery row is written the moment a subscriber has
handled an event, so a retry (after a subscriber failure, or a restart after a crash
between commit and delivery) only calls the subscribers that have not finished. Events
are claimed with a short lease (``SKIP LOCKED`` on PostgreSQL) so several processes never
deliver the same event at the same time; the holder renews the lease while it delivers
(a heartbeat), so a long handler keeps its claim and a dead process loses its claims
within one lease. A subscriber failure is logged and retried with backoff; it never
reaches the command that emitted the event.

Delivery by owner: a process that runs some of the bot's Discord shards
(:meth:`OutboxDispatcher.serve_shards`) claims only events of guilds on those shards,
by Discord's formula ``(guild_id >> 22) % shard_count``, plus guild-less events, so a
guild's Discord work is done by the process that has the guild in its cache.

Idempotent effects: while a subscriber runs, :func:`current_delivery` names the event
and subscriber, and :func:`effect_key` turns it into a key that is the same on every
retry in every process; :class:`EffectLog` remembers what each key created.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import ColumnElement, delete, func, literal, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.kernel.clock import Clock
from engine.kernel.events import DomainEvent, event_from_row
from storage.db import Database
from storage.models import DeliveryEffect, OutboxDelivery, OutboxEvent

log = logging.getLogger(__name__)

Handler = Callable[[DomainEvent], Awaitable[None]]

MAX_BACKOFF_SECONDS = 300
# About an hour of retries; past that the failure is not passing (a deleted channel, a
# bug), so the event is set aside with its error instead of being retried forever.
MAX_ATTEMPTS = 16
# Short enough that a killed process's events move on within seconds; the heartbeat
# renews it every third of a lease while a batch is being delivered.
DEFAULT_LEASE = timedelta(seconds=15)
# Discord's snowflakes keep their creation time above bit 22; shards split guilds by it.
SNOWFLAKE_TIME_SHIFT = 22


@dataclass(frozen=True)
class Delivery:
    """The subscriber call running now: which event, which subscriber, which attempt."""

    event_id: int
    subscriber: str
    attempt: int  # 0 on the first attempt
    # Effects named so far in this call, so two of the same label get distinct keys.
    labels: Counter[str] = field(default_factory=Counter, compare=False)


_current: ContextVar[Delivery | None] = ContextVar("outbox_delivery", default=None)


def current_delivery() -> Delivery | None:
    """The delivery this code runs in, or None outside the dispatcher (demo, tests)."""
    return _current.get()


def effect_key(label: str) -> str | None:
    """A key for one side effect of the running delivery, stable across retries and
    processes: ``<subscriber>:<event id>:<label>`` (``#n`` for the n-th use of a label in
    one call). None outside a delivery: there is nothing to retry, so nothing to key."""
    delivery = current_delivery()
    if delivery is None:
        return None
    delivery.labels[label] += 1
    count = delivery.labels[label]
    suffix = "" if count == 1 else f"#{count}"
    return f"{delivery.subscriber}:{delivery.event_id}:{label}{suffix}"[:200]


@dataclass(frozen=True)
class Effect:
    """What a keyed side effect created: a message or thread id, and where."""

    key: str
    channel_id: int | None
    object_id: int


class EffectLog:
    """The ``delivery_effects`` table: a retry asks it before acting again."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def find(self, key: str) -> Effect | None:
        async with self._db.read() as session:
            row = await session.scalar(select(DeliveryEffect).where(DeliveryEffect.key == key))
        return None if row is None else Effect(row.key, row.channel_id, row.object_id)

    async def record(self, key: str, channel_id: int | None, object_id: int) -> Effect:
        """Remember what ``key`` created; when another delivery recorded it first, that
        record stands and is returned (the caller may then remove its own duplicate)."""
        insert = sqlite_insert if self._db.is_sqlite else pg_insert
        statement = (
            insert(DeliveryEffect)
            .values(
                key=key,
                channel_id=channel_id,
                object_id=object_id,
                created_at=self._clock.now(),
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )
        async with self._db.transaction() as session:
            inserted = await session.execute(statement)
        if inserted.rowcount == 1:  # type: ignore[attr-defined]
            return Effect(key, channel_id, object_id)
        found = await self.find(key)
        assert found is not None  # just inserted, or inserted by the winner
        return found

    async def forget(self, key: str) -> None:
        """Drop what ``key`` recorded (the message was deleted): the next use posts anew."""
        async with self._db.transaction() as session:
            await session.execute(delete(DeliveryEffect).where(DeliveryEffect.key == key))


@dataclass(frozen=True)
class ShardScope:
    """The shards this process runs, out of ``count``."""

    count: int
    ids: frozenset[int]


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
        lease: timedelta = DEFAULT_LEASE,
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
        self._shards: ShardScope | None = None
        # Marks this dispatcher's leases, so that its heartbeat renews only its own.
        self._token = secrets.token_hex(8)
        self.effects = EffectLog(db, clock)
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

    def serve_shards(self, shard_count: int | None, shard_ids: Iterable[int] | None) -> None:
        """Claim only events of guilds on these shards (and guild-less ones). ``None`` for
        either means every shard: one process runs the whole bot."""
        if shard_count is None or shard_ids is None:
            self._shards = None
            return
        ids = frozenset(shard_ids)
        if not ids or min(ids) < 0 or max(ids) >= shard_count:
            raise ValueError(f"shard ids {sorted(ids)} are not a range of {shard_count} shards")
        self._shards = ShardScope(shard_count, ids)

    def _owned(self) -> ColumnElement[bool]:
        """The SQL condition for events this process may claim (see :meth:`serve_shards`)."""
        if self._shards is None:
            return true()
        shard = OutboxEvent.guild_id.op(">>")(literal(SNOWFLAKE_TIME_SHIFT)) % literal(
            self._shards.count
        )
        return or_(OutboxEvent.guild_id.is_(None), shard.in_(sorted(self._shards.ids)))

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    async def deliver_pending(self) -> int:
        """Deliver every due event once; return how many became fully delivered.

        A dispatcher without subscribers (a process that serves no Discord shard and no
        feed) claims nothing: it would only mark events delivered that nobody handled."""
        if not self._subscribers:
            return 0
        done = 0
        while True:
            claimed = await self._claim_batch()
            if not claimed:
                return done
            async with self._heartbeat():
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
                    self._owned(),
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
                    .values(claimed_until=now + self._lease, claimed_by=self._token)
                )
        return rows

    async def renew_claims(self) -> int:
        """Extend this dispatcher's unfinished leases by one lease from now (the heartbeat's
        beat); return how many. A lease another process took over is not ours to renew."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(OutboxEvent)
                .where(
                    OutboxEvent.claimed_by == self._token,
                    OutboxEvent.claimed_until.is_not(None),
                    OutboxEvent.delivered_at.is_(None),
                )
                .values(claimed_until=self._clock.now() + self._lease)
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    @contextlib.asynccontextmanager
    async def _heartbeat(self) -> AsyncIterator[None]:
        """Renew the batch's leases every third of a lease until it is delivered."""
        task = asyncio.create_task(self._beat(), name="outbox-heartbeat")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _beat(self) -> None:
        interval = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            try:
                await self.renew_claims()
            except Exception:  # a missed beat only shortens the lease; the next may pass
                log.exception("could not renew outbox claims")

    async def _deliver_one(self, event_id: int, event_type: str, payload: dict) -> int:
        async with self._db.read() as session:
            attempts = (
                await session.scalar(select(OutboxEvent.attempts).where(OutboxEvent.id == event_id))
            ) or 0
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
        todo = [
            sub
            for sub in self._subscribers.values()
            if sub.name not in finished and sub.wants(event_type)
        ]
        last: str | None = None  # done, and its delivery not recorded yet
        for sub in todo:
            token = _current.set(Delivery(event_id, sub.name, attempts))
            try:
                await asyncio.wait_for(sub.handler(event), self._handler_timeout)
            except Exception as exc:  # a subscriber must never break delivery to others
                log.exception("subscriber %s failed on outbox event %s", sub.name, event_id)
                errors.append(f"{sub.name}: {type(exc).__name__}: {exc}")
                continue
            finally:
                _current.reset(token)
            if sub is todo[-1]:
                last = sub.name
            else:
                await self._record_delivery(event_id, sub.name)
        if errors:
            if last is not None:
                await self._record_delivery(event_id, last)
            await self._record_failure(event_id, "; ".join(errors)[:2000])
            return 0
        # The last subscriber's delivery is recorded with the event's: one write, not two
        # (every write waits for SQLite's one writer, behind the players' results).
        await self._mark_delivered(event_id, last)
        return 1

    async def _record_delivery(self, event_id: int, subscriber: str) -> None:
        async with self._db.transaction() as session:
            session.add(self._delivery(event_id, subscriber))

    def _delivery(self, event_id: int, subscriber: str) -> OutboxDelivery:
        return OutboxDelivery(
            event_id=event_id, subscriber=subscriber, delivered_at=self._clock.now()
        )

    async def _mark_delivered(self, event_id: int, subscriber: str | None = None) -> None:
        async with self._db.transaction() as session:
            if subscriber is not None:
                session.add(self._delivery(event_id, subscriber))
            await session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id == event_id)
                .values(
                    delivered_at=self._clock.now(),
                    claimed_until=None,
                    claimed_by=None,
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
                "claimed_by": None,
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
