"""A unit of work writes its audit entries and events at the end, in one statement per
kind, in the order they were recorded; a savepoint rolled back takes its own with it and
leaves the ones recorded before it (on SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from engine.kernel.clock import FrozenClock
from engine.kernel.events import DomainEvent, domain_event
from engine.kernel.uow import ServiceContext, UnitOfWork
from storage.db import Database
from storage.models import AuditEntry, OutboxEvent


@domain_event("test.batched")
@dataclass(frozen=True, kw_only=True)
class Batched(DomainEvent):
    tag: str = ""


class Undo(Exception):
    """Rolls a savepoint back."""


def _record(uow: UnitOfWork, guild_id: int, tag: str, *, target_id: int = 1) -> None:
    uow.audit(
        guild_id=guild_id,
        actor_id=7,
        action=f"test.{tag}",
        target_type="match" if target_id > 1 else "thing",
        target_id=target_id,
    )
    uow.emit(Batched(guild_id=guild_id, tag=tag))


async def _written(db: Database, guild_id: int) -> tuple[list[str], list[str]]:
    async with db.read() as session:
        audit = await session.scalars(
            select(AuditEntry.action).where(AuditEntry.guild_id == guild_id).order_by(AuditEntry.id)
        )
        events = await session.scalars(
            select(OutboxEvent.payload)
            .where(OutboxEvent.guild_id == guild_id, OutboxEvent.event_type == "test.batched")
            .order_by(OutboxEvent.id)
        )
        return [a.removeprefix("test.") for a in audit], [e["tag"] for e in events]


async def test_a_rolled_back_savepoint_takes_only_its_own_rows(
    db: Database, clock: FrozenClock, new_id
) -> None:
    guild_id = new_id()
    async with ServiceContext(db, clock).unit_of_work() as uow:
        _record(uow, guild_id, "before")
        with pytest.raises(Undo):
            async with uow.session.begin_nested():
                _record(uow, guild_id, "undone")
                async with uow.session.begin_nested():
                    _record(uow, guild_id, "undone-inner")
                raise Undo
        async with uow.session.begin_nested():
            _record(uow, guild_id, "kept")
            with pytest.raises(Undo):
                async with uow.session.begin_nested():
                    _record(uow, guild_id, "undone-inside-kept")
                    raise Undo
        _record(uow, guild_id, "after")
    order = ["before", "kept", "after"]
    assert await _written(db, guild_id) == (order, order)


async def test_an_entry_filed_by_its_targets_tournament_keeps_its_place(
    db: Database, clock: FrozenClock, new_id
) -> None:
    """An entry whose tournament is found from its target by a subquery is written on
    its own, between the batched ones, in order."""
    guild_id = new_id()
    async with ServiceContext(db, clock).unit_of_work() as uow:
        _record(uow, guild_id, "one")
        _record(uow, guild_id, "two", target_id=10**12 + new_id() % 10**6)  # no such match
        _record(uow, guild_id, "three")
    order = ["one", "two", "three"]
    assert await _written(db, guild_id) == (order, order)
