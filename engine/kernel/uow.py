"""The unit of work every state change goes through.

``async with ctx.unit_of_work() as uow`` opens ONE database transaction. Inside it a
service validates, writes its rows, records an audit entry and emits domain events into
the outbox table. On commit the dispatcher is woken to deliver those events; on any
exception everything — rows, audit entry and events — is rolled back together.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.kernel.clock import Clock, SystemClock
from engine.kernel.events import DomainEvent, Reactions
from engine.kernel.offload import RenderExecutor
from engine.kernel.uploads import DEFAULT_MAX_UPLOAD_BYTES, Uploads
from storage.db import Database
from storage.files import FileStore
from storage.models import (
    AuditEntry,
    Certificate,
    Dispute,
    MatchRow,
    OutboxEvent,
    Payment,
    Registration,
)
from storage.notify import OUTBOX_CHANNEL, TIMERS_CHANNEL, notify


@dataclass
class UnitOfWork:
    session: AsyncSession
    clock: Clock
    reactions: Reactions = field(default_factory=Reactions)
    # Where chance comes from (bracket seeds, slugs, codes): unpredictable in production,
    # a seeded Random in the offline demo so that `demo --seed S` is reproducible.
    random: random.Random = field(default_factory=secrets.SystemRandom)
    emitted: list[DomainEvent] = field(default_factory=list)
    timers_changed: bool = False
    committed_callbacks: list[Callable[[], None]] = field(default_factory=list)
    # Outbox rows not written yet: all of a transaction's events go out in one statement
    # just before the commit (write_outbox), instead of one INSERT … RETURNING per event.
    _outbox: list[dict[str, Any]] = field(default_factory=list)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this transaction has committed, never after a rollback:
        the way in-memory state (a cached bracket) follows the database and not a change
        that was undone."""
        self.committed_callbacks.append(callback)

    async def react(self, moment: object) -> list[Any]:
        """Let the domains registered for ``moment`` act in this transaction (see
        :mod:`engine.kernel.events`); returns their results in registration order."""
        return await self.reactions.run(self, moment)

    def emit(self, event: DomainEvent) -> None:
        now = self.clock.now()
        self._outbox.append(
            {
                "event_type": event.event_type,
                "guild_id": event.guild_id,
                "payload": event.to_payload(),
                "created_at": now,
                "next_attempt_at": now,
                "attempts": 0,
            }
        )
        if self.session.in_nested_transaction():
            # A savepoint may still be rolled back, and its events with it: they become
            # rows of the session now (after the earlier ones, to keep their order).
            self.session.add_all([OutboxEvent(**row) for row in self._outbox])
            self._outbox.clear()
        self.emitted.append(event)

    async def write_outbox(self) -> None:
        """Write the events emitted so far, in their order, in one batched statement.

        The session is flushed first (events a savepoint made rows of come before these),
        then the rows go in as a plain table INSERT: the ORM's bulk path costs more than
        the statement itself, and it would flush the same way."""
        if self._outbox:
            rows, self._outbox = self._outbox, []
            await self.session.flush()
            await self.session.execute(_OUTBOX_INSERT, rows)

    def audit(
        self,
        *,
        guild_id: int | None,
        actor_id: int | None,
        action: str,
        target_type: str,
        target_id: str | int | None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        tournament_id: int | None = None,
    ) -> None:
        """Record an audit entry; ``tournament_id`` files it under a tournament the caller
        already knows, else it is found from the target (:func:`tournament_of`)."""
        if tournament_id is None:
            tournament_id = tournament_of(target_type, target_id, before, after)
        self.session.add(
            AuditEntry(
                guild_id=guild_id,
                actor_id=actor_id,
                action=action,
                target_type=target_type,
                target_id=None if target_id is None else str(target_id),
                before=before,
                after=after,
                tournament_id=tournament_id,
                created_at=self.clock.now(),
            )
        )


# Built once: every unit of work that emitted events runs it.
_OUTBOX_INSERT = insert(OutboxEvent.__table__)  # type: ignore[arg-type]


class ServiceContext:
    """What every service needs: the database, the clock, the file store with the checks
    on uploaded images, and who to wake after a commit."""

    def __init__(
        self,
        db: Database,
        clock: Clock | None = None,
        *,
        files: FileStore | None = None,
        randomness: random.Random | None = None,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        render: RenderExecutor | None = None,
    ) -> None:
        self.db = db
        # Pictures and certificates are drawn here, off the event loop (kernel/offload.py).
        self.render: RenderExecutor = render or RenderExecutor()
        self.clock: Clock = clock or SystemClock()
        self.files = files or FileStore(Path("data") / "files")
        self.uploads = Uploads(self.files, max_bytes=max_upload_bytes)
        self.reactions = Reactions()
        self.random: random.Random = randomness or secrets.SystemRandom()
        self._after_events: list[Callable[[], None]] = []
        self._after_timers: list[Callable[[], None]] = []

    def on_commit_with_events(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every commit that emitted events (wakes the outbox)."""
        self._after_events.append(callback)

    def on_commit_with_timers(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every commit that scheduled or cancelled timers."""
        self._after_timers.append(callback)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        async with self.db.transaction() as session:
            uow = UnitOfWork(
                session=session, clock=self.clock, reactions=self.reactions, random=self.random
            )
            yield uow
            await uow.write_outbox()
            if not self.db.is_sqlite:
                # Other processes wake at once; PostgreSQL sends these only on commit.
                if uow.emitted:
                    await notify(session, OUTBOX_CHANNEL)
                if uow.timers_changed:
                    await notify(session, TIMERS_CHANNEL)
        for committed in uow.committed_callbacks:
            committed()
        if uow.emitted:
            for callback in self._after_events:
                callback()
        if uow.timers_changed:
            for callback in self._after_timers:
                callback()

    def read(self) -> AbstractAsyncContextManager[AsyncSession]:
        return self.db.read()


# Targets that belong to one tournament: the entry is filed under it by a subquery in the
# INSERT itself, so no service has to say which tournament its change was about.
_TARGET_TOURNAMENT: dict[str, Any] = {
    "match": MatchRow,
    "registration": Registration,
    "payment": Payment,
    "dispute": Dispute,
    "certificate": Certificate,
}


def tournament_of(
    target_type: str,
    target_id: str | int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> Any:
    """The tournament an audit entry belongs to (an id, or a scalar subquery finding it
    from the target's row), so the log can be searched by tournament."""
    numeric = target_id is not None and str(target_id).isascii() and str(target_id).isdigit()
    if target_type == "tournament" and numeric:
        return int(str(target_id))
    for values in (after, before):
        found = (values or {}).get("tournament_id")
        if isinstance(found, int) and not isinstance(found, bool):
            return found
    model = _TARGET_TOURNAMENT.get(target_type)
    if model is not None and numeric and int(str(target_id)) < 2**63:
        return select(model.tournament_id).where(model.id == int(str(target_id))).scalar_subquery()
    return None
