"""Durable time: reminders and deadlines as rows in the ``timers`` table
(docs/architecture.md, "Durable time").

A service schedules a timer inside its own unit of work, so the timer exists exactly when
the state that implies it was committed (``schedule_timer``/``cancel_timers``). The
scheduler only wakes the process; ``TimerService.fire_due`` claims due rows with a lease
(``SKIP LOCKED`` on PostgreSQL) and fires each in ONE transaction that both marks the row
fired (a conditional UPDATE — so two processes can never fire it twice) and runs the
handler's state change. A handler that raises a DomainError found the world changed (the
tournament was closed by hand already): the timer is marked fired with that outcome.
Any other failure rolls the handler back and the timer is retried with backoff.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from engine.kernel.errors import DomainError
from engine.kernel.sql import holds_database
from engine.kernel.uow import ServiceContext, UnitOfWork
from storage.models import Timer

log = logging.getLogger(__name__)

TimerHandler = Callable[[UnitOfWork, dict[str, Any]], Awaitable[None]]

MAX_BACKOFF_SECONDS = 600


@dataclass(frozen=True)
class TimerView:
    id: int
    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any]
    fired_at: datetime | None
    cancelled_at: datetime | None
    outcome: str | None


def _pending(key: str | None = None) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Timer.fired_at.is_(None), Timer.cancelled_at.is_(None)]
    if key is not None:
        clauses.append(Timer.key == key)
    return clauses


def _key_range(session: AsyncSession, prefix: str) -> tuple[str, str] | None:
    """The keys starting with ``prefix`` as a range of ``ix_timers_key`` (low, high), where
    text compares byte by byte (SQLite); None elsewhere. ``LIKE`` alone reads every timer
    ever planned (fired ones are kept), so a search by prefix grew with them."""
    if not prefix or not holds_database(session):
        return None
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _under(session: AsyncSession, prefix: str) -> list[ColumnElement[bool]]:
    """Timers whose key starts with ``prefix`` (see :func:`_key_range`)."""
    clauses: list[ColumnElement[bool]] = [Timer.key.startswith(prefix)]
    if (bounds := _key_range(session, prefix)) is not None:
        clauses += [Timer.key >= bounds[0], Timer.key < bounds[1]]
    return clauses


def _planned_statement(by_range: bool) -> Any:
    clauses = [Timer.key.startswith(bindparam("prefix"))]
    if by_range:
        clauses += [Timer.key >= bindparam("low"), Timer.key < bindparam("high")]
    return (
        select(Timer)
        .where(*clauses, Timer.kind.in_(bindparam("kinds", expanding=True)))
        .with_for_update()
    )


# Built once (every result plans its matches' timers): :func:`_under` as bound parameters.
_PLANNED = {by_range: _planned_statement(by_range) for by_range in (False, True)}


def _timers_under(
    session: AsyncSession, prefix: str, kinds: frozenset[str]
) -> tuple[Any, dict[str, Any]]:
    """The statement and parameters reading the timers of ``kinds`` under ``prefix``
    (what :func:`_under` selects)."""
    params: dict[str, Any] = {"prefix": prefix, "kinds": sorted(kinds)}
    bounds = _key_range(session, prefix)
    if bounds is not None:
        params.update(low=bounds[0], high=bounds[1])
    return _PLANNED[bounds is not None], params


async def schedule_timer(
    uow: UnitOfWork,
    *,
    kind: str,
    key: str,
    due_at: datetime,
    payload: dict[str, Any] | None = None,
    guild_id: int | None = None,
) -> None:
    """Schedule (or move) the pending timer named ``key`` inside the caller's transaction.

    Callers hold the lock of the entity the timer is about, which serialises two
    schedules of the same key.
    """
    existing = await uow.session.scalar(select(Timer).where(*_pending(key)).with_for_update())
    if existing is not None and existing.kind == kind:
        existing.due_at = due_at
        existing.payload = payload or {}
        existing.claimed_until = None
    else:
        if existing is not None:
            existing.cancelled_at = uow.clock.now()
        uow.session.add(
            Timer(
                kind=kind,
                key=key,
                guild_id=guild_id,
                due_at=due_at,
                payload=payload or {},
                created_at=uow.clock.now(),
                attempts=0,
            )
        )
    uow.timers_changed = True


async def plan_timers(
    uow: UnitOfWork,
    *,
    prefix: str,
    kinds: frozenset[str],
    plan: dict[str, tuple[str, datetime]],
    payload: dict[str, Any],
    guild_id: int | None = None,
) -> None:
    """Make the pending timers of ``kinds`` under key ``prefix`` exactly ``plan``
    (key -> (kind, due)) in one read: move those that exist, add the missing, cancel the
    rest. A key that already fired at the same due time is not planned again, so moving
    one thing never repeats a reminder that was already sent for the same moment."""
    # Read without flushing the caller's other changes (a result's match rows go out
    # together at the end, one UPDATE per row); timers of this prefix added earlier in
    # the transaction and not flushed yet are taken from the session instead.
    with uow.session.no_autoflush:
        rows = list(await uow.session.scalars(*_timers_under(uow.session, prefix, kinds)))
    rows += [
        t
        for t in uow.session.new
        if isinstance(t, Timer) and t.key.startswith(prefix) and t.kind in kinds
    ]
    now = uow.clock.now()
    fired = {(t.key, t.due_at) for t in rows if t.fired_at is not None}
    pending = {t.key: t for t in rows if t.fired_at is None and t.cancelled_at is None}
    for key, timer in pending.items():
        wanted = plan.get(key)
        if wanted is None or wanted[0] != timer.kind or (key, wanted[1]) in fired:
            timer.cancelled_at = now
    for key, (kind, due) in plan.items():
        if (key, due) in fired:
            continue
        kept = pending.get(key)
        if kept is not None and kept.cancelled_at is None:
            kept.due_at, kept.payload, kept.claimed_until = due, payload, None
            continue
        uow.session.add(
            Timer(
                kind=kind,
                key=key,
                guild_id=guild_id,
                due_at=due,
                payload=payload,
                created_at=now,
                attempts=0,
            )
        )
    uow.timers_changed = True


async def cancel_timers(
    uow: UnitOfWork, *, key: str | None = None, prefix: str | None = None
) -> int:
    """Cancel pending timers by exact key or key prefix; returns how many."""
    if (key is None) == (prefix is None):
        raise ValueError("pass exactly one of key or prefix")
    match = [Timer.key == key] if key is not None else _under(uow.session, prefix or "")
    result: CursorResult[Any] = await uow.session.execute(  # type: ignore[assignment]
        update(Timer)
        .where(*match, Timer.fired_at.is_(None), Timer.cancelled_at.is_(None))
        .values(cancelled_at=uow.clock.now())
    )
    uow.timers_changed = True
    return int(result.rowcount or 0)


class TimerService:
    def __init__(self, ctx: ServiceContext, *, lease: timedelta = timedelta(minutes=5)) -> None:
        self._ctx = ctx
        self._lease = lease
        self._handlers: dict[str, TimerHandler] = {}
        self.process_id = secrets.token_hex(6)

    def register(self, kind: str, handler: TimerHandler) -> None:
        if kind in self._handlers:
            raise ValueError(f"timer kind {kind!r} has two handlers")
        self._handlers[kind] = handler

    async def next_due_at(self) -> datetime | None:
        async with self._ctx.read() as session:
            return await session.scalar(select(func.min(Timer.due_at)).where(*_pending()))

    async def pending(self, key_prefix: str = "") -> list[TimerView]:
        async with self._ctx.read() as session:
            rows = await session.scalars(
                select(Timer)
                .where(*_pending(), Timer.key.startswith(key_prefix))
                .order_by(Timer.due_at, Timer.id)
            )
            return [_view(t) for t in rows]

    async def history(self, key_prefix: str) -> list[TimerView]:
        async with self._ctx.read() as session:
            rows = await session.scalars(
                select(Timer).where(Timer.key.startswith(key_prefix)).order_by(Timer.id)
            )
            return [_view(t) for t in rows]

    async def fire_due(self, batch_size: int = 50) -> int:
        """Fire every timer due now; returns how many fired. Safe to run in N processes."""
        fired = 0
        while True:
            claimed = await self._claim(batch_size)
            for timer_id, kind, payload in claimed:
                fired += await self._fire(timer_id, kind, payload)
            if len(claimed) < batch_size:
                return fired

    async def _claim(self, batch_size: int) -> list[tuple[int, str, dict[str, Any]]]:
        now = self._ctx.clock.now()
        async with self._ctx.db.transaction() as session:
            rows = (
                await session.execute(
                    select(Timer.id, Timer.kind, Timer.payload)
                    .where(
                        *_pending(),
                        Timer.due_at <= now,
                        or_(Timer.claimed_until.is_(None), Timer.claimed_until < now),
                    )
                    .order_by(Timer.due_at, Timer.id)
                    .limit(batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if rows:
                await session.execute(
                    update(Timer)
                    .where(Timer.id.in_([r.id for r in rows]))
                    .values(claimed_until=now + self._lease, claimed_by=self.process_id)
                )
        return [(r.id, r.kind, r.payload) for r in rows]

    async def _fire(self, timer_id: int, kind: str, payload: dict[str, Any]) -> int:
        handler = self._handlers.get(kind)
        try:
            async with self._ctx.unit_of_work() as uow:
                marked: CursorResult[Any] = await uow.session.execute(  # type: ignore[assignment]
                    update(Timer)
                    .where(Timer.id == timer_id, *_pending())
                    .values(fired_at=uow.clock.now(), attempts=Timer.attempts + 1)
                )
                if not marked.rowcount:
                    return 0  # fired or cancelled meanwhile
                if handler is None:
                    await self._set_outcome(uow, timer_id, f"no handler for {kind!r}")
                    log.error("timer %s of kind %r has no handler", timer_id, kind)
                    return 1
                await handler(uow, payload)
        except DomainError as refused:
            await self._settle(timer_id, f"skipped: {refused.message}")
            return 1
        except Exception as exc:
            log.exception("timer %s (%s) failed; it will be retried", timer_id, kind)
            await self._retry_later(timer_id, f"{type(exc).__name__}: {exc}")
            return 0
        return 1

    @staticmethod
    async def _set_outcome(uow: UnitOfWork, timer_id: int, outcome: str) -> None:
        await uow.session.execute(update(Timer).where(Timer.id == timer_id).values(outcome=outcome))

    async def _settle(self, timer_id: int, outcome: str) -> None:
        async with self._ctx.db.transaction() as session:
            await session.execute(
                update(Timer)
                .where(Timer.id == timer_id, *_pending())
                .values(fired_at=self._ctx.clock.now(), outcome=outcome[:1000])
            )

    async def _retry_later(self, timer_id: int, error: str) -> None:
        async with self._ctx.db.transaction() as session:
            attempts = await session.scalar(select(Timer.attempts).where(Timer.id == timer_id))
            delay = min(30 * 2 ** (attempts or 0), MAX_BACKOFF_SECONDS)
            await session.execute(
                update(Timer)
                .where(Timer.id == timer_id)
                .values(
                    attempts=Timer.attempts + 1,
                    due_at=self._ctx.clock.now() + timedelta(seconds=delay),
                    claimed_until=None,
                    outcome=error[:1000],
                )
            )


def _view(timer: Timer) -> TimerView:
    return TimerView(
        id=timer.id,
        kind=timer.kind,
        key=timer.key,
        due_at=timer.due_at,
        payload=timer.payload,
        fired_at=timer.fired_at,
        cancelled_at=timer.cancelled_at,
        outcome=timer.outcome,
    )
