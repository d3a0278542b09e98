"""Rescheduling a match: one side proposes a new time, the other accepts or declines
before the proposal expires (a durable timer); organizers allow it per tournament
(``player_reschedule_minutes``: how far a match may move, 0 = not at all) and move matches
themselves whatever the limit. A match never moves past the next round's time, so the
schedule of the rounds after it still holds. Every step is audited.

An accepted proposal (or an organizer's move) gives the match its new time and moves its
timers: reminders, start, overdue notice and, in check-in, the check-in deadline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.brackets import (
    WAITING,
    MatchState,
    checkin_deadline,
    peek_bracket,
    plan_match_timers,
    round_time,
    schedule_checkin_timers,
    schedule_round,
)
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.kernel.text import Command, Timestamp, msg
from engine.kernel.timers import TimerService, cancel_timers, schedule_timer
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.matchday._access import lock_match, side_of_user
from engine.matchday.checkin import match_member_ids
from engine.matchday.schedule_events import MatchRescheduleDecided, MatchRescheduleProposed
from engine.tournaments import parse_local_time, require_tournament_organizer
from storage.models import GuildSettings, MatchReschedule, MatchRow, Tournament

RESCHEDULE_EXPIRY_TIMER = "match.reschedule_expiry"
PROPOSAL_LIFETIME = timedelta(minutes=30)
MIN_NOTICE = timedelta(minutes=5)  # a new time must leave the players time to get ready
MAX_NOTE = 200
_CLOCK_ONLY = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class RescheduleView:
    id: int
    match_id: int
    code: str
    status: str
    old_time: datetime | None
    new_time: datetime
    expires_at: datetime
    proposed_by: int


def _view(p: MatchReschedule, code: str) -> RescheduleView:
    return RescheduleView(
        p.id, p.match_id, code, p.status, p.old_time, p.new_time, p.expires_at, p.proposed_by
    )


def parse_match_time(text: str, tz: str, now: datetime) -> datetime:
    """ "2026-12-05 19:30", or "19:30" (the next such time) in the server's time zone."""
    clock = _CLOCK_ONLY.match(text)
    if clock is None:
        return parse_local_time(text, tz)
    hour, minute = int(clock[1]), int(clock[2])
    if hour > 23 or minute > 59:
        raise InvalidInput(msg("“{text}” is not a time of day such as 19:30.", text=text[:20]))
    local_now = now.astimezone(ZoneInfo(tz))
    day = local_now.date()
    moment = parse_local_time(f"{day.isoformat()} {hour:02d}:{minute:02d}", tz)
    if moment <= now:
        moment = parse_local_time(
            f"{(day + timedelta(days=1)).isoformat()} {hour:02d}:{minute:02d}", tz
        )
    return moment


class RescheduleService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def check_can_propose(self, actor: Actor, match_id: int) -> None:
        """Refuse before the form opens when the actor could not propose anyway."""
        async with self._ctx.unit_of_work() as uow:
            tournament, row = await lock_match(uow, match_id)
            await self._proposer_side(uow, tournament, row, actor)

    async def propose(
        self, actor: Actor, match_id: int, when: str, note: str | None = None
    ) -> RescheduleView:
        async with self._ctx.unit_of_work() as uow:
            tournament, row = await lock_match(uow, match_id)
            registration_id = await self._proposer_side(uow, tournament, row, actor)
            now = uow.clock.now()
            new_time = parse_match_time(when, await _timezone(uow, row.guild_id), now)
            await _check_time(uow, tournament, row, new_time, cap=True)
            text = (note or "").strip()[:MAX_NOTE] or None
            expires = now + PROPOSAL_LIFETIME
            if row.scheduled_at is not None and now + MIN_NOTICE < row.scheduled_at < expires:
                expires = row.scheduled_at  # an answer after the match's time is no use
            proposal = MatchReschedule(
                match_id=row.id,
                guild_id=row.guild_id,
                registration_id=registration_id,
                proposed_by=actor.user_id,
                old_time=row.scheduled_at,
                new_time=new_time,
                note=text,
                status="pending",
                created_at=now,
                expires_at=expires,
            )
            uow.session.add(proposal)
            await uow.session.flush()
            await schedule_timer(
                uow,
                kind=RESCHEDULE_EXPIRY_TIMER,
                key=f"match:{row.id}:reschedule:{proposal.id}",
                due_at=expires,
                payload={"proposal_id": proposal.id},
                guild_id=row.guild_id,
            )
            other = (
                row.registration_b_id
                if registration_id == row.registration_a_id
                else (row.registration_a_id)
            )
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="match.reschedule_proposed",
                target_type="match",
                target_id=row.id,
                before={"scheduled_at": _iso(row.scheduled_at)},
                after={"proposal_id": proposal.id, "new_time": new_time.isoformat()},
            )
            uow.emit(
                MatchRescheduleProposed(
                    guild_id=row.guild_id,
                    tournament_id=tournament.id,
                    match_id=row.id,
                    code=row.code,
                    proposal_id=proposal.id,
                    proposed_by=actor.user_id,
                    old_time=_iso(row.scheduled_at),
                    new_time=new_time.isoformat(),
                    expires_at=expires.isoformat(),
                    note=text,
                    thread_id=row.thread_id,
                    opponent_user_ids=await match_member_ids(uow.session, [other] if other else []),
                )
            )
            return _view(proposal, row.code)

    async def respond(self, actor: Actor, proposal_id: int, *, accept: bool) -> RescheduleView:
        async with self._ctx.unit_of_work() as uow:
            match_id = await uow.session.scalar(
                select(MatchReschedule.match_id).where(MatchReschedule.id == proposal_id)
            )
            if match_id is None:
                raise NotFound(msg("That reschedule proposal does not exist any more."))
            tournament, row = await lock_match(uow, match_id)
            proposal = await _locked_proposal(uow, proposal_id)
            if proposal.status != "pending":
                raise Conflict(
                    msg(
                        "This proposal for match {code} was already {status}; nothing changed.",
                        code=row.code,
                        status=proposal.status,
                    )
                )
            side = await side_of_user(uow.session, row, actor.user_id)
            sides = (row.registration_a_id, row.registration_b_id)
            if side is None or sides[side] == proposal.registration_id:
                raise PermissionDenied(
                    msg(
                        "Only the other side of match {code} can answer this proposal.",
                        code=row.code,
                    )
                )
            if uow.clock.now() >= proposal.expires_at:
                raise Conflict(
                    msg("This proposal expired; the match keeps its time. Propose again.")
                )
            if accept:
                await _check_time(uow, tournament, row, proposal.new_time, cap=True)
                await _move(uow, tournament, row, proposal.new_time)
            await self._decide(
                uow, tournament, row, proposal, "accepted" if accept else "declined", actor
            )
            return _view(proposal, row.code)

    async def set_time(
        self, actor: Actor, tournament_id: int, code: str, when: str
    ) -> RescheduleView:
        """An organizer moves a match (no player limit; never past the next round)."""
        async with self._ctx.unit_of_work() as uow:
            match_id = await uow.session.scalar(
                select(MatchRow.id).where(
                    MatchRow.tournament_id == tournament_id,
                    MatchRow.code == code.strip().upper(),
                )
            )
            if match_id is None:
                raise NotFound(
                    msg(
                        "There is no match {code} in this tournament; codes look like W1-2 "
                        "(see {bracket}).",
                        code=code.strip()[:24],
                        bracket=Command("bracket"),
                    )
                )
            tournament, row = await lock_match(uow, match_id)
            await require_tournament_organizer(uow.session, actor, row.tournament_id)
            now = uow.clock.now()
            new_time = parse_match_time(when, await _timezone(uow, row.guild_id), now)
            if row.status not in WAITING and row.status != MatchState.SCHEDULED:
                raise Conflict(
                    msg(
                        "Match {code} has already started or ended; its time cannot move.",
                        code=row.code,
                    )
                )
            await _check_time(uow, tournament, row, new_time, cap=False)
            old = row.scheduled_at
            proposal = MatchReschedule(
                match_id=row.id,
                guild_id=row.guild_id,
                registration_id=None,
                proposed_by=actor.user_id,
                old_time=old,
                new_time=new_time,
                status="overridden",
                created_at=now,
                expires_at=now,
                decided_by=actor.user_id,
                decided_at=now,
            )
            uow.session.add(proposal)
            await uow.session.flush()
            for pending in await _pending_of(uow, row.id):
                await self._decide(uow, tournament, row, pending, "withdrawn", actor)
            await _move(uow, tournament, row, new_time)
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="match.reschedule_set",
                target_type="match",
                target_id=row.id,
                before={"scheduled_at": _iso(old)},
                after={"scheduled_at": new_time.isoformat()},
            )
            uow.emit(_decided(tournament, row, proposal, "overridden", actor.user_id))
            return _view(proposal, row.code)

    async def _proposer_side(
        self, uow: UnitOfWork, tournament: Tournament, row: MatchRow, actor: Actor
    ) -> int:
        if actor.guild_id is not None and row.guild_id != actor.guild_id:
            raise NotFound(msg("That match is not on this server."))
        side = await side_of_user(uow.session, row, actor.user_id)
        if side is None:
            raise PermissionDenied(
                msg(
                    "Only the players of match {code} can propose a new time; organizers "
                    "set one with {set_time}.",
                    code=row.code,
                    set_time=Command("match set-time"),
                )
            )
        if tournament.player_reschedule_minutes <= 0:
            raise Conflict(
                msg(
                    "The organizers of {name} do not allow players to reschedule matches; "
                    "ask an organizer.",
                    name=tournament.name,
                )
            )
        if row.status not in WAITING:
            raise Conflict(
                msg(
                    "Match {code} cannot be rescheduled now: only a match waiting to be "
                    "played can move.",
                    code=row.code,
                )
            )
        if await _pending_of(uow, row.id):
            raise Conflict(
                msg(
                    "Match {code} already has a proposal waiting for an answer; wait for it "
                    "to be answered or to expire.",
                    code=row.code,
                )
            )
        registration_id = (row.registration_a_id, row.registration_b_id)[side]
        assert registration_id is not None
        return registration_id

    async def _decide(
        self,
        uow: UnitOfWork,
        tournament: Tournament,
        row: MatchRow,
        proposal: MatchReschedule,
        outcome: str,
        actor: Actor | None,
    ) -> None:
        await _settle(uow, tournament, row, proposal, outcome, actor.user_id if actor else None)


async def _settle(
    uow: UnitOfWork,
    tournament: Tournament,
    row: MatchRow,
    proposal: MatchReschedule,
    outcome: str,
    actor_id: int | None,
) -> None:
    proposal.status = outcome
    proposal.decided_by = actor_id
    proposal.decided_at = uow.clock.now()
    await cancel_timers(uow, key=f"match:{row.id}:reschedule:{proposal.id}")
    uow.audit(
        guild_id=row.guild_id,
        actor_id=actor_id,
        action=f"match.reschedule_{outcome}",
        target_type="match",
        target_id=row.id,
        after={"proposal_id": proposal.id, "new_time": proposal.new_time.isoformat()},
    )
    if outcome != "withdrawn":  # an organizer's move says it for the proposal it replaced
        uow.emit(_decided(tournament, row, proposal, outcome, actor_id))


def _decided(
    tournament: Tournament,
    row: MatchRow,
    proposal: MatchReschedule,
    outcome: str,
    actor_id: int | None,
) -> MatchRescheduleDecided:
    return MatchRescheduleDecided(
        guild_id=row.guild_id,
        tournament_id=tournament.id,
        match_id=row.id,
        code=row.code,
        proposal_id=proposal.id,
        outcome=outcome,
        decided_by=actor_id,
        scheduled_at=_iso(row.scheduled_at),
        thread_id=row.thread_id,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


async def _timezone(uow: UnitOfWork, guild_id: int) -> str:
    zone = await uow.session.scalar(
        select(GuildSettings.timezone).where(GuildSettings.guild_id == guild_id)
    )
    return zone or "UTC"


async def _locked_proposal(uow: UnitOfWork, proposal_id: int) -> MatchReschedule:
    proposal = await uow.session.scalar(
        select(MatchReschedule)
        .where(MatchReschedule.id == proposal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert proposal is not None  # deleted only with its match
    return proposal


async def _pending_of(uow: UnitOfWork, match_id: int) -> list[MatchReschedule]:
    rows = await uow.session.scalars(
        select(MatchReschedule).where(
            MatchReschedule.match_id == match_id, MatchReschedule.status == "pending"
        )
    )
    return list(rows)


async def _check_time(
    uow: UnitOfWork, tournament: Tournament, row: MatchRow, new_time: datetime, *, cap: bool
) -> None:
    now = uow.clock.now()
    if new_time < now + MIN_NOTICE:
        raise InvalidInput(
            msg(
                "The new time must be at least 5 minutes from now; {when} is too soon.",
                when=Timestamp(new_time, "F"),
            )
        )
    if new_time == row.scheduled_at:
        raise InvalidInput(msg("Match {code} is already at that time.", code=row.code))
    if cap:
        base = row.scheduled_at or now
        limit = timedelta(minutes=tournament.player_reschedule_minutes)
        if abs(new_time - base) > limit:
            raise InvalidInput(
                msg(
                    "Players may move match {code} by at most {minutes} minutes from its "
                    "time ({when}); ask an organizer for more.",
                    code=row.code,
                    minutes=tournament.player_reschedule_minutes,
                    when=Timestamp(base, "F"),
                )
            )
    bracket = await peek_bracket(uow, tournament.id)
    match = bracket.matches.get(row.code)
    if match is None:
        return
    following = round_time(tournament, schedule_round(bracket, match) + 1)
    if following is not None and new_time >= following:
        raise InvalidInput(
            msg(
                "Match {code} must be played before the next round starts ({when}); pick "
                "an earlier time.",
                code=row.code,
                when=Timestamp(following, "F"),
            )
        )


async def _move(uow: UnitOfWork, tournament: Tournament, row: MatchRow, new_time: datetime) -> None:
    row.scheduled_at = new_time
    row.updated_at = uow.clock.now()
    if row.status == MatchState.SCHEDULED:
        return  # its timers are planned when it opens
    if row.status == MatchState.CHECKIN and row.checkin_deadline is not None:
        row.checkin_deadline = checkin_deadline(tournament, row, uow.clock.now())
        await schedule_checkin_timers(uow, row)
    await plan_match_timers(uow, tournament, row)


async def _on_expiry(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    proposal_id = int(payload["proposal_id"])
    match_id = await uow.session.scalar(
        select(MatchReschedule.match_id).where(MatchReschedule.id == proposal_id)
    )
    if match_id is None:
        raise Conflict(msg("That reschedule proposal does not exist any more."))
    tournament, row = await lock_match(uow, match_id)
    proposal = await _locked_proposal(uow, proposal_id)
    if proposal.status != "pending":
        raise Conflict(msg("The proposal was answered in time."))
    await _settle(uow, tournament, row, proposal, "expired", None)


def register_reschedule_timers(timers: TimerService) -> None:
    timers.register(RESCHEDULE_EXPIRY_TIMER, _on_expiry)
