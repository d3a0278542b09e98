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

from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

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
    # Outbox rows and audit entries not written yet: all of a transaction's go out in one
    # statement each just before the commit (write_outbox), instead of one INSERT per row.
    # Each is kept with the savepoint it was recorded in, if any (see _Pending).
    _outbox: list[_Pending] = field(default_factory=list)
    _audit: list[_Pending] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.session.sync_session.info[_UOW] = self

    def _pending(self, row: dict[str, Any]) -> _Pending:
        return _Pending(row, self.session.sync_session.get_nested_transaction())

    def _forget_savepoint(self, savepoint: SessionTransaction) -> None:
        """A savepoint was rolled back: what was recorded in it (or in savepoints inside
        it) goes with it."""
        self._outbox = [p for p in self._outbox if not p.inside(savepoint)]
        self._audit = [p for p in self._audit if not p.inside(savepoint)]

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
            self._pending(
                {
                    "event_type": event.event_type,
                    "guild_id": event.guild_id,
                    "payload": event.to_payload(),
                    "created_at": now,
                    "next_attempt_at": now,
                    "attempts": 0,
                }
            )
        )
        self.emitted.append(event)

    async def write_outbox(self) -> None:
        """Write the audit entries and the events recorded so far, each kind in its order
        and in one batched statement.

        The session is flushed first (what a savepoint made rows of comes before these,
        and the rows an entry refers to exist), then the rows go in as plain table
        INSERTs: the ORM's unit of work costs more than the statement itself."""
        if not (self._outbox or self._audit):
            return
        await self.session.flush()
        if self._audit:
            audit, self._audit = self._audit, []
            for rows in _batches([p.row for p in audit]):
                if len(rows) == 1 and not _plain_row(rows[0]):
                    # Its tournament is a subquery on its target: an INSERT of its own.
                    await self.session.execute(_AUDIT_INSERT.values(**rows[0]))
                else:
                    await self.session.execute(_AUDIT_INSERT, rows)
        if self._outbox:
            outbox, self._outbox = self._outbox, []
            await self.session.execute(_OUTBOX_INSERT, [p.row for p in outbox])

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
        entry = {
            "guild_id": guild_id,
            "actor_id": actor_id,
            "action": action,
            "target_type": target_type,
            "target_id": None if target_id is None else str(target_id),
            "before": before,
            "after": after,
            "tournament_id": tournament_id,
            "created_at": self.clock.now(),
        }
        self._audit.append(self._pending(entry))


# Built once: every unit of work that emitted events runs it.
_OUTBOX_INSERT = insert(OutboxEvent.__table__)  # type: ignore[arg-type]
_AUDIT_INSERT = insert(AuditEntry.__table__)  # type: ignore[arg-type]
_UOW = "deltacrown.unit_of_work"


@dataclass(frozen=True, slots=True)
class _Pending:
    """A row to write at the end of the transaction, and the savepoint (a nested
    :class:`SessionTransaction`) it was recorded in: rolling that savepoint back drops
    it, as it drops the savepoint's other changes, and the rows recorded before it stay
    (they are written in the order they were recorded)."""

    row: dict[str, Any]
    savepoint: SessionTransaction | None

    def inside(self, savepoint: SessionTransaction) -> bool:
        current = self.savepoint
        while current is not None:
            if current is savepoint:
                return True
            current = current.parent
        return False


def _plain_row(row: dict[str, Any]) -> bool:
    return isinstance(row["tournament_id"], int | None)


def _batches(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Runs of rows with plain values (one statement each run), and each row whose
    tournament is a subquery alone, in their order."""
    batches: list[list[dict[str, Any]]] = []
    for row in rows:
        if _plain_row(row) and batches and _plain_row(batches[-1][0]):
            batches[-1].append(row)
        else:
            batches.append([row])
    return batches


@event.listens_for(Session, "after_soft_rollback")
def _savepoint_rolled_back(session: Session, previous: SessionTransaction) -> None:
    uow = session.info.get(_UOW)
    if uow is not None and previous.nested:
        uow._forget_savepoint(previous)


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
