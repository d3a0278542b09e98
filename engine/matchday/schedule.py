"""A match's schedule on match day: the timers of ``engine.brackets.match_times`` (the
reminders before a match, its start, the overdue-result notice), an organizer starting a
match by hand, and the players who want their reminders by direct message too.

Every handler re-reads the match under its lock and refuses (the timer is settled as
skipped) when the world moved on: a finished match is reminded of nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from engine.brackets import (
    MATCH_DUE_REMINDER_TIMER,
    MATCH_OVERDUE_TIMER,
    MATCH_START_TIMER,
    STATE_WORDS,
    UNDECIDED,
    WAITING,
    MatchState,
    go_live,
    plan_match_timers,
)
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, NotFound
from engine.kernel.text import Command, msg
from engine.kernel.timers import TimerService, cancel_timers
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.matchday._access import MatchLobby, load_lobby, lock_match
from engine.matchday.checkin import match_member_ids
from engine.matchday.schedule_events import MatchResultOverdue, MatchStartingSoon
from engine.tournaments import require_tournament_organizer
from storage.models import MatchReminderOptIn, MatchRow, Tournament


def check_reportable(tournament: Tournament, row: MatchRow) -> None:
    """Results come from a LIVE match, or a READY one where match check-in is off."""
    if row.status == MatchState.READY and tournament.match_checkin_minutes > 0:
        raise Conflict(
            msg(
                "Match {code} has not started yet: both sides check in first (the Check in "
                "button in the match thread, or {checkin}).",
                code=row.code,
                checkin=Command("checkin"),
            )
        )


class MatchScheduleService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def start_match(self, actor: Actor, match_id: int) -> MatchLobby:
        """An organizer starts a match now: it goes LIVE, check-in or not."""
        async with self._ctx.unit_of_work() as uow:
            tournament, row = await lock_match(uow, match_id)
            await require_tournament_organizer(uow.session, actor, row.tournament_id)
            if row.status not in WAITING:
                raise Conflict(
                    msg(
                        "Match {code} cannot be started: it is {status}.",
                        code=row.code,
                        status=STATE_WORDS[MatchState(row.status)],
                    )
                )
            before = row.status
            await cancel_timers(uow, key=f"match:{row.id}:checkin")
            await cancel_timers(uow, key=f"match:{row.id}:checkin_reminder")
            go_live(uow, tournament, row, "organizer")
            await plan_match_timers(uow, tournament, row)
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="match.start",
                target_type="match",
                target_id=row.id,
                before={"status": before},
                after={"status": row.status},
            )
            return await load_lobby(uow.session, row)

    async def match_id(self, tournament_id: int, code: str) -> int:
        """The match of ``tournament_id`` with ``code`` (as /bracket shows it)."""
        async with self._ctx.read() as session:
            found = await session.scalar(
                select(MatchRow.id).where(
                    MatchRow.tournament_id == tournament_id,
                    MatchRow.code == code.strip().upper(),
                )
            )
        if found is None:
            raise NotFound(
                msg(
                    "There is no match {code} in this tournament; codes look like W1-2 (see "
                    "{bracket}).",
                    code=code.strip()[:24],
                    bracket=Command("bracket"),
                )
            )
        return found

    async def organizer_lobby(self, actor: Actor, match_id: int) -> MatchLobby:
        """The match, for an organizer about to decide it (others are refused)."""
        async with self._ctx.read() as session:
            row = await session.get(MatchRow, match_id)
            if row is None:
                raise NotFound(msg("That match does not exist any more."))
            await require_tournament_organizer(session, actor, row.tournament_id)
            return await load_lobby(session, row)

    async def set_reminder_dms(self, actor: Actor, guild_id: int, wanted: bool) -> bool:
        """Match reminders by direct message on this server, on or off; returns the setting."""
        async with self._ctx.unit_of_work() as uow:
            found = await uow.session.scalar(
                select(MatchReminderOptIn).where(
                    MatchReminderOptIn.guild_id == guild_id,
                    MatchReminderOptIn.user_id == actor.user_id,
                )
            )
            if wanted and found is None:
                uow.session.add(
                    MatchReminderOptIn(
                        guild_id=guild_id, user_id=actor.user_id, created_at=uow.clock.now()
                    )
                )
            elif not wanted and found is not None:
                await uow.session.execute(
                    delete(MatchReminderOptIn).where(MatchReminderOptIn.id == found.id)
                )
            return wanted


# --- timer handlers ---------------------------------------------------------------------


async def _on_start(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    tournament, row = await lock_match(uow, int(payload["match_id"]))
    if row.status != MatchState.READY:
        raise Conflict(msg("Match {code} is not waiting for its time any more.", code=row.code))
    go_live(uow, tournament, row, "scheduled_time")
    await plan_match_timers(uow, tournament, row)


async def _on_reminder(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    tournament, row = await lock_match(uow, int(payload["match_id"]))
    if row.status not in WAITING or row.scheduled_at is None:
        raise Conflict(msg("Match {code} is not waiting to be played any more.", code=row.code))
    now = uow.clock.now()
    members = await match_member_ids(
        uow.session, [r for r in (row.registration_a_id, row.registration_b_id) if r]
    )
    opted = set(
        await uow.session.scalars(
            select(MatchReminderOptIn.user_id).where(
                MatchReminderOptIn.guild_id == row.guild_id,
                MatchReminderOptIn.user_id.in_(members),
            )
        )
    )
    uow.emit(
        MatchStartingSoon(
            guild_id=row.guild_id,
            tournament_id=tournament.id,
            match_id=row.id,
            code=row.code,
            starts_at=row.scheduled_at.isoformat(),
            minutes_before=max(0, round((row.scheduled_at - now).total_seconds() / 60)),
            thread_id=row.thread_id,
            member_ids=members,
            dm_user_ids=[u for u in members if u in opted],
        )
    )


async def _on_overdue(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    tournament, row = await lock_match(uow, int(payload["match_id"]))
    if row.status not in UNDECIDED:
        raise Conflict(msg("Match {code} has its result already.", code=row.code))
    uow.audit(
        guild_id=row.guild_id,
        actor_id=None,
        action="match.result_overdue",
        target_type="match",
        target_id=row.id,
        after={"status": row.status},
    )
    uow.emit(
        MatchResultOverdue(
            guild_id=row.guild_id,
            tournament_id=tournament.id,
            match_id=row.id,
            code=row.code,
            status=row.status,
            scheduled_at=row.scheduled_at.isoformat() if row.scheduled_at else None,
            thread_id=row.thread_id,
        )
    )


def register_schedule_timers(timers: TimerService) -> None:
    """A match's start, reminders and overdue notice (the composition root calls this)."""
    timers.register(MATCH_START_TIMER, _on_start)
    timers.register(MATCH_DUE_REMINDER_TIMER, _on_reminder)
    timers.register(MATCH_OVERDUE_TIMER, _on_overdue)
