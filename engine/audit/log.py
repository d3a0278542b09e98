"""Reading the audit log (every service writes it through ``UnitOfWork.audit``): search
by actor, action, tournament and date range, newest first and paged by id (a bounded
query on any size of log), a CSV export that is itself audited, and retention: entries
older than a server's setting are pruned in batches by a durable timer, except money
entries, which are kept for as long as the ledger is."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select

from engine.guilds import require_guild_organizer
from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput
from engine.kernel.exports import csv_bytes
from engine.kernel.text import msg
from engine.kernel.timers import TimerService, cancel_timers, schedule_timer
from engine.kernel.typed import parse_day
from engine.kernel.uow import ServiceContext, UnitOfWork
from storage.models import AuditEntry, GuildSettings

PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
EXPORT_LIMIT = 100_000  # rows in one CSV; narrow the filters for more
RETENTION_MIN_DAYS, RETENTION_MAX_DAYS = 30, 3650
PRUNE_TIMER = "audit.prune"
PRUNE_BATCH = 5_000
PRUNE_EVERY = timedelta(days=1)
PRUNE_AGAIN = timedelta(seconds=5)  # a full batch: more is waiting
# Money entries outlive retention: they explain the ledger and payments.
MONEY_ACTIONS = ("payment.", "coins.", "refund.", "prize.", "ledger.", "pool.", "challenge.win")
_ACTION_TEXT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.")


@dataclass(frozen=True)
class AuditRecord:
    id: int
    guild_id: int | None
    actor_id: int | None
    action: str
    target_type: str
    target_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime
    tournament_id: int | None = None


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    action: str | None = None  # a prefix: "payment." or "payment.refund"
    tournament_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive

    def check(self) -> AuditFilter:
        action = (self.action or "").strip().lower() or None
        if action is not None and (len(action) > 64 or not set(action) <= _ACTION_TEXT):
            raise InvalidInput(
                msg(
                    "“{action}” is not an audit action. Use letters, digits, dots and underscores, "
                    "e.g. payment. or tournament.status.",
                    action=self.action or "",
                )
            )
        if self.since and self.until and self.until <= self.since:
            raise InvalidInput(msg("The date range ends before it starts. Swap the two dates."))
        return AuditFilter(self.actor_id, action, self.tournament_id, self.since, self.until)

    def clauses(self, guild_id: int) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [AuditEntry.guild_id == guild_id]
        if self.actor_id is not None:
            where.append(AuditEntry.actor_id == self.actor_id)
        if self.action:
            where.append(AuditEntry.action.startswith(self.action, autoescape=True))
        if self.tournament_id is not None:
            where.append(AuditEntry.tournament_id == self.tournament_id)
        if self.since is not None:
            where.append(AuditEntry.created_at >= self.since)
        if self.until is not None:
            where.append(AuditEntry.created_at < self.until)
        return where


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditRecord]
    next_before: int | None  # pass as ``before_id`` for the next (older) page


def _record(r: AuditEntry) -> AuditRecord:
    return AuditRecord(
        id=r.id,
        guild_id=r.guild_id,
        actor_id=r.actor_id,
        action=r.action,
        target_type=r.target_type,
        target_id=r.target_id,
        before=r.before,
        after=r.after,
        created_at=r.created_at,
        tournament_id=r.tournament_id,
    )


async def _require_organizer(uow_or_session: Any, actor: Actor, guild_id: int) -> None:
    """The server's organizers (the role, or Manage Server): the log covers every
    tournament of the server, so a co-organizer of one tournament does not read it."""
    await require_guild_organizer(uow_or_session, actor, guild_id)


def _not_money() -> ColumnElement[bool]:
    return ~or_(*(AuditEntry.action.startswith(prefix) for prefix in MONEY_ACTIONS))


class AuditService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def recent(
        self, guild_id: int, *, limit: int = 20, action_prefix: str | None = None
    ) -> list[AuditRecord]:
        query = select(AuditEntry).where(AuditEntry.guild_id == guild_id)
        if action_prefix:
            query = query.where(AuditEntry.action.startswith(action_prefix))
        query = query.order_by(AuditEntry.id.desc()).limit(limit)
        async with self._ctx.read() as session:
            rows = (await session.scalars(query)).all()
        return [_record(r) for r in rows]

    async def check_reader(self, actor: Actor, guild_id: int) -> None:
        """Refuse anyone who may not read this server's log (before slow work starts)."""
        async with self._ctx.read() as session:
            await _require_organizer(session, actor, guild_id)

    async def filters(
        self,
        guild_id: int,
        *,
        actor_id: int | None = None,
        action: str | None = None,
        tournament_id: int | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> AuditFilter:
        """Filters from what an organizer typed; days are read in the server's time zone
        and ``until`` includes its whole day."""
        async with self._ctx.read() as session:
            timezone = await session.scalar(
                select(GuildSettings.timezone).where(GuildSettings.guild_id == guild_id)
            )
        zone = timezone or "UTC"
        return AuditFilter(
            actor_id=actor_id,
            action=action,
            tournament_id=tournament_id,
            since=parse_day(since, zone) if since else None,
            until=parse_day(until, zone, end_of_day=True) if until else None,
        ).check()

    async def search(
        self,
        actor: Actor,
        guild_id: int,
        filters: AuditFilter = AuditFilter(),
        *,
        before_id: int | None = None,
        page_size: int = PAGE_SIZE,
    ) -> AuditPage:
        """One page, newest first; organizers only (players never read the log)."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(msg("A page holds 1 to {most} entries.", most=MAX_PAGE_SIZE))
        checked = filters.check()
        where = checked.clauses(guild_id)
        if before_id is not None:
            where.append(AuditEntry.id < before_id)
        async with self._ctx.read() as session:
            await _require_organizer(session, actor, guild_id)
            rows = list(
                await session.scalars(
                    select(AuditEntry)
                    .where(*where)
                    .order_by(AuditEntry.id.desc())
                    .limit(page_size + 1)
                )
            )
        more = len(rows) > page_size
        entries = [_record(r) for r in rows[:page_size]]
        return AuditPage(entries, entries[-1].id if more and entries else None)

    async def export_csv(
        self, actor: Actor, guild_id: int, filters: AuditFilter = AuditFilter()
    ) -> tuple[bytes, int]:
        """The filtered log as CSV (newest first, at most EXPORT_LIMIT rows); audited."""
        checked = filters.check()
        async with self._ctx.read() as session:
            await _require_organizer(session, actor, guild_id)
            rows = list(
                await session.scalars(
                    select(AuditEntry)
                    .where(*checked.clauses(guild_id))
                    .order_by(AuditEntry.id.desc())
                    .limit(EXPORT_LIMIT)
                )
            )
        data = csv_bytes(
            (
                "id",
                "created_at",
                "actor_id",
                "action",
                "target_type",
                "target_id",
                "tournament_id",
                "before",
                "after",
            ),
            (
                (
                    r.id,
                    r.created_at,
                    r.actor_id,
                    r.action,
                    r.target_type,
                    r.target_id,
                    r.tournament_id,
                    _json(r.before),
                    _json(r.after),
                )
                for r in rows
            ),
        )
        async with self._ctx.unit_of_work() as uow:
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="export.audit",
                target_type="guild",
                target_id=guild_id,
                after={
                    "rows": len(rows),
                    "actor_id": checked.actor_id,
                    "action": checked.action,
                    "tournament_id": checked.tournament_id,
                    "since": checked.since.isoformat() if checked.since else None,
                    "until": checked.until.isoformat() if checked.until else None,
                },
            )
        return data, len(rows)

    async def set_retention(self, actor: Actor, guild_id: int, days: int | None) -> int | None:
        """Keep entries ``days`` days (None: forever); schedules the daily prune."""
        if days is not None and not RETENTION_MIN_DAYS <= days <= RETENTION_MAX_DAYS:
            raise InvalidInput(
                msg(
                    "Keep the audit log {low} to {high} days, or leave the number empty to "
                    "keep it forever.",
                    low=RETENTION_MIN_DAYS,
                    high=RETENTION_MAX_DAYS,
                )
            )
        async with self._ctx.unit_of_work() as uow:
            await require_guild_organizer(uow.session, actor, guild_id)
            settings = await uow.session.get(GuildSettings, guild_id, with_for_update=True)
            if settings is None:
                raise InvalidInput(msg("Run the server setup first; then set the audit retention."))
            before = settings.audit_retention_days
            settings.audit_retention_days = days
            key = f"{PRUNE_TIMER}:{guild_id}"
            if days is None:
                await cancel_timers(uow, key=key)
            else:
                await schedule_timer(
                    uow,
                    kind=PRUNE_TIMER,
                    key=key,
                    due_at=uow.clock.now() + PRUNE_AGAIN,
                    payload={"guild_id": guild_id},
                    guild_id=guild_id,
                )
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="guild.audit_retention",
                target_type="guild",
                target_id=guild_id,
                before={"days": before},
                after={"days": days},
            )
        return days


async def prune_audit(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    """One batch of a server's expired, non-money entries; the timer plans the next run."""
    guild_id = int(payload["guild_id"])
    settings = await uow.session.get(GuildSettings, guild_id)
    if settings is None or settings.audit_retention_days is None:
        return  # retention switched off: no next run
    now = uow.clock.now()
    cutoff = now - timedelta(days=settings.audit_retention_days)
    batch = select(AuditEntry.id).where(
        AuditEntry.guild_id == guild_id, AuditEntry.created_at < cutoff, _not_money()
    )
    ids = list(await uow.session.scalars(batch.order_by(AuditEntry.id).limit(PRUNE_BATCH)))
    if ids:
        await uow.session.execute(delete(AuditEntry).where(AuditEntry.id.in_(ids)))
    full = len(ids) == PRUNE_BATCH
    await schedule_timer(
        uow,
        kind=PRUNE_TIMER,
        key=f"{PRUNE_TIMER}:{guild_id}",
        due_at=now + (PRUNE_AGAIN if full else PRUNE_EVERY),
        payload={"guild_id": guild_id},
        guild_id=guild_id,
    )


def register_timers(timers: TimerService) -> None:
    timers.register(PRUNE_TIMER, prune_audit)


def _json(value: dict[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
