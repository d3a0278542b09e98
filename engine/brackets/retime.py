"""Moving match times when the tournament's round times change (a reaction of the edit)."""

from __future__ import annotations

from sqlalchemy import select

from engine.brackets._sync import (
    schedule_checkin_timers,
)
from engine.brackets.match_times import (
    checkin_deadline,
    match_times,
    plan_match_timers,
)
from engine.brackets.states import MatchState
from engine.brackets.store import (
    peek_bracket,
)
from engine.kernel.uow import UnitOfWork
from engine.tournaments import MatchScheduleChanged
from storage.models import MatchRow, Tournament


async def retime_matches(uow: UnitOfWork, moment: MatchScheduleChanged) -> None:
    """Reaction: new round times, reminders or deadline — every unfinished match takes
    its round's time and an open match's timers (and check-in deadline) follow."""
    tournament = await uow.session.get(Tournament, moment.tournament_id)
    assert tournament is not None  # locked by the edit
    rows = await uow.session.scalars(
        select(MatchRow)
        .where(
            MatchRow.tournament_id == tournament.id,
            MatchRow.status.not_in([MatchState.COMPLETED.value, MatchState.CANCELLED.value]),
        )
        .with_for_update()
    )
    rows_list = list(rows)
    if not rows_list:
        return
    times = match_times(tournament, await peek_bracket(uow, tournament.id))
    for row in rows_list:
        if row.code not in times:
            continue
        new_time = times[row.code]
        moved = new_time != row.scheduled_at
        if moved:
            row.scheduled_at = new_time
            row.updated_at = uow.clock.now()
        if row.status == MatchState.SCHEDULED:
            continue  # its timers are planned when it opens
        if moved and row.status == MatchState.CHECKIN and row.checkin_deadline is not None:
            row.checkin_deadline = checkin_deadline(tournament, row, uow.clock.now())
            await schedule_checkin_timers(uow, row)
        # Also when only the reminders or the deadline changed; a reminder already sent
        # for the same moment is not planned again.
        await plan_match_timers(uow, tournament, row)
