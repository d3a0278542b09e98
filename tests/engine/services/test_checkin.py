"""Check-in (tournament window and match check-in) and the scheduled tournament timers,
on SQLite and PostgreSQL with a frozen clock: advance it, then fire what is due."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from engine.brackets import MatchState, MatchView, schedule_match_checkin_reminder
from engine.entries import TournamentCheckInClosed, TournamentCheckInOpened
from engine.formats import Result
from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock
from engine.kernel.errors import Conflict, DomainError, PermissionDenied
from engine.kernel.events import DomainEvent
from engine.matchday import (
    CheckInService,
    MatchCheckInComplete,
    MatchCheckInMissed,
    MatchCheckInReminder,
    MatchNoShow,
    MatchSideCheckedIn,
)
from engine.services import Services
from engine.tournaments import (
    RegistrationClosingSoon,
    TournamentAutoStartFailed,
    schedule_tournament_timers,
)
from storage.db import Database
from storage.models import MatchRow, OutboxEvent, Registration, RegistrationMember, Tournament
from storage.models.enums import RegistrationStatus, TournamentStatus
from testkit.factories import Event, make_event

E = TypeVar("E", bound=DomainEvent)


def checkin_of(services: Services) -> CheckInService:
    return services.checkin


async def configure(services: Services, tournament_id: int, **values: Any) -> None:
    """Change tournament columns and re-plan its timers, as the tournament flows do."""
    async with services.ctx.unit_of_work() as uow:
        row = await uow.session.get(Tournament, tournament_id, with_for_update=True)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        await schedule_tournament_timers(uow, row)


async def set_status(services: Services, registration_id: int, status: str) -> None:
    async with services.db.transaction() as session:
        entry = await session.get(Registration, registration_id)
        entry.status = status


async def add_entry(services: Services, event: Event, user: int, status: str) -> int:
    now = services.clock.now()
    async with services.db.transaction() as session:
        entry = Registration(
            tournament_id=event.tournament_id,
            guild_id=event.guild_id,
            user_id=user,
            display_name=f"Late {user % 1000}",
            status=status,
            field_values={},
            created_at=now,
            updated_at=now,
        )
        session.add(entry)
        await session.flush()
        session.add(
            RegistrationMember(
                registration_id=entry.id, tournament_id=event.tournament_id, user_id=user
            )
        )
        return entry.id


async def add_member(services: Services, event: Event, registration_id: int, user: int) -> None:
    async with services.db.transaction() as session:
        session.add(
            RegistrationMember(
                registration_id=registration_id, tournament_id=event.tournament_id, user_id=user
            )
        )


async def entry(services: Services, registration_id: int) -> Registration:
    async with services.db.read() as session:
        row = await session.get(Registration, registration_id)
        assert row is not None
        return row


async def tournament(services: Services, tournament_id: int) -> Tournament:
    async with services.db.read() as session:
        row = await session.get(Tournament, tournament_id)
        assert row is not None
        return row


async def events(services: Services, cls: type[E], tournament_id: int) -> list[E]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.event_type == cls.event_type)
            .order_by(OutboxEvent.id)
        )
        return [
            cls.from_payload(r.payload)
            for r in rows
            if r.payload.get("tournament_id") == tournament_id
        ]


async def audits(services: Services, event: Event, action: str) -> list[Any]:
    return [e for e in await services.audit.recent(event.guild_id, limit=200) if e.action == action]


async def pending_kinds(services: Services, tournament_id: int) -> dict[str, Any]:
    timers = await services.timers.pending(f"tournament:{tournament_id}:")
    return {t.kind: t.due_at for t in timers}


def actor(event: Event, user: int) -> Actor:
    return Actor(user_id=user, guild_id=event.guild_id)


def user_of(event: Event, registration_id: int | None) -> int:
    assert registration_id is not None
    return event.users[event.registrations.index(registration_id)]


# --- tournament check-in ----------------------------------------------------------------


async def test_checkin_refusals_team_members_and_second_click(
    services: Services, clock: FrozenClock, new_id
) -> None:
    checkin = checkin_of(services)
    event = await make_event(services, new_id, players=4)
    start = clock.now() + timedelta(hours=1)
    await configure(
        services,
        event.tournament_id,
        checkin_enabled=True,
        checkin_window_minutes=30,
        starts_at=start,
        status=TournamentStatus.REGISTRATION_CLOSED,
    )
    await set_status(services, event.registrations[3], RegistrationStatus.AWAITING_PAYMENT)
    first = actor(event, event.users[0])

    with pytest.raises(Conflict, match=r"Check-in for .* opens <t:\d+:R>"):
        await checkin.check_in_tournament(first, event.tournament_id)
    with pytest.raises(PermissionDenied, match="You are not registered"):
        await checkin.check_in_tournament(actor(event, new_id()), event.tournament_id)

    clock.advance(minutes=30)  # the window is open
    with pytest.raises(Conflict, match="/pay"):
        await checkin.check_in_tournament(actor(event, event.users[3]), event.tournament_id)
    view = await checkin.check_in_tournament(first, event.tournament_id)
    assert view.registration_id == event.registrations[0] and view.checked_in_at == clock.now()

    # A team member (not the captain) checks the whole entry in.
    teammate = new_id()
    await add_member(services, event, event.registrations[1], teammate)
    view = await checkin.check_in_tournament(actor(event, teammate), event.tournament_id)
    assert view.registration_id == event.registrations[1]

    clock.advance(minutes=5)
    with pytest.raises(Conflict, match="already checked in"):
        await checkin.check_in_tournament(first, event.tournament_id)
    with pytest.raises(Conflict, match="already checked in"):  # the captain, same entry
        await checkin.check_in_tournament(actor(event, event.users[1]), event.tournament_id)
    assert (await entry(services, event.registrations[0])).checked_in_at == view.checked_in_at

    clock.set(start)  # closed, though the close timer has not fired yet
    with pytest.raises(Conflict, match="closed <t:"):
        await checkin.check_in_tournament(actor(event, event.users[2]), event.tournament_id)
    assert (await entry(services, event.registrations[2])).checked_in_at is None
    assert len(await audits(services, event, "registration.checkin")) == 2


async def test_window_announced_then_no_shows_removed_waitlist_promoted_and_started(
    services: Services, clock: FrozenClock, new_id
) -> None:
    checkin = checkin_of(services)
    event = await make_event(services, new_id, players=4)
    waiting_user = new_id()
    waiting = await add_entry(services, event, waiting_user, RegistrationStatus.WAITLISTED)
    start = clock.now() + timedelta(hours=1)
    await configure(
        services,
        event.tournament_id,
        checkin_enabled=True,
        starts_at=start,
        status=TournamentStatus.REGISTRATION_CLOSED,
    )
    planned = await pending_kinds(services, event.tournament_id)
    assert planned == {
        "tournament.checkin_open": start - timedelta(minutes=30),
        "tournament.checkin_close": start,
        "tournament.start": start,
    }

    clock.advance(minutes=30)
    await services.timers.fire_due()
    [opened] = await events(services, TournamentCheckInOpened, event.tournament_id)
    assert opened.closes_at == start.isoformat() and opened.participant_count == 4
    with pytest.raises(Conflict, match="on the waitlist"):
        await checkin.check_in_tournament(actor(event, waiting_user), event.tournament_id)

    for user in event.users[:2]:
        await checkin.check_in_tournament(actor(event, user), event.tournament_id)
    # /checkin without a tournament finds the one window open for this player.
    result = await checkin.check_in(actor(event, event.users[2]))
    assert (
        result.tournament is not None
        and result.tournament.registration_id == (event.registrations[2])
    )

    clock.set(start)
    await services.timers.fire_due()
    no_show = await entry(services, event.registrations[3])
    assert no_show.status == RegistrationStatus.WITHDRAWN
    promoted = await entry(services, waiting)
    assert promoted.status == RegistrationStatus.CONFIRMED and promoted.checked_in_at is not None
    [closed] = await events(services, TournamentCheckInClosed, event.tournament_id)
    assert closed.removed == [{"registration_id": event.registrations[3], "name": "Player 4"}]
    assert [p["registration_id"] for p in closed.promoted] == [waiting]
    assert (await tournament(services, event.tournament_id)).status == TournamentStatus.LIVE
    bracket, _ = await services.brackets.bracket(event.tournament_id)
    assert {p.id for p in bracket.participants} == {*event.registrations[:3], waiting}
    removed = [
        a for a in await audits(services, event, "registration.withdrawn") if a.actor_id is None
    ]
    assert [int(a.target_id) for a in removed] == [event.registrations[3]]

    with pytest.raises(Conflict, match="bracket is already made"):
        await checkin.check_in_tournament(actor(event, event.users[0]), event.tournament_id)
    assert await pending_kinds(services, event.tournament_id) == {}


# --- scheduled open / close / start -----------------------------------------------------


async def test_scheduled_open_reminder_close_and_start(
    services: Services, clock: FrozenClock, new_id
) -> None:
    checkin_of(services)
    event = await make_event(services, new_id, players=4)
    await set_status(services, event.registrations[3], RegistrationStatus.AWAITING_PAYMENT)
    now = clock.now()
    closes, start = now + timedelta(hours=3), now + timedelta(hours=4)
    await configure(
        services,
        event.tournament_id,
        status=TournamentStatus.PUBLISHED,
        registration_opens_at=now + timedelta(minutes=10),
        registration_closes_at=closes,
        starts_at=start,
    )
    assert set(await pending_kinds(services, event.tournament_id)) == {
        "tournament.open",
        "tournament.remind_close",
        "tournament.close",
        "tournament.start",
    }

    clock.advance(minutes=10)
    await services.timers.fire_due()
    t = await tournament(services, event.tournament_id)
    assert t.status == TournamentStatus.REGISTRATION_OPEN
    assert "tournament.open" not in await pending_kinds(services, event.tournament_id)

    clock.set(closes - timedelta(hours=1))
    await services.timers.fire_due()
    [soon] = await events(services, RegistrationClosingSoon, event.tournament_id)
    assert soon.unpaid_user_ids == [event.users[3]] and soon.slots_left == 0
    assert soon.closes_at == closes.isoformat()

    clock.set(closes)
    await services.timers.fire_due()
    t = await tournament(services, event.tournament_id)
    assert t.status == TournamentStatus.REGISTRATION_CLOSED

    clock.set(start)
    await services.timers.fire_due()
    assert (await tournament(services, event.tournament_id)).status == TournamentStatus.LIVE
    bracket, _ = await services.brackets.bracket(event.tournament_id)
    assert len(bracket.participants) == 3  # the unpaid entry is not in the field
    moves = [
        (a.after or {}).get("status")
        for a in reversed(await audits(services, event, "tournament.status"))
        if a.actor_id is None
    ]
    assert moves == ["registration_open", "registration_closed", "live"]


async def test_timers_follow_edits_and_fire_once(
    services: Services, clock: FrozenClock, new_id
) -> None:
    checkin_of(services)
    event = await make_event(services, new_id, players=4)
    now = clock.now()
    await configure(
        services,
        event.tournament_id,
        registration_closes_at=now + timedelta(hours=2),
        starts_at=now + timedelta(hours=5),
        checkin_enabled=True,
    )
    moved = now + timedelta(hours=3)
    await configure(services, event.tournament_id, registration_closes_at=moved)
    timers = await services.timers.pending(f"tournament:{event.tournament_id}:")
    assert [t.due_at for t in timers if t.kind == "tournament.close"] == [moved]  # moved
    assert len(timers) == 5

    await configure(services, event.tournament_id, checkin_enabled=False)
    assert set(await pending_kinds(services, event.tournament_id)) == {
        "tournament.remind_close",
        "tournament.close",
        "tournament.start",
    }

    clock.set(moved - timedelta(minutes=30))  # the reminder is due
    await services.timers.fire_due()
    await configure(services, event.tournament_id, name="Renamed Cup")  # unrelated edit
    clock.advance(minutes=1)
    await services.timers.fire_due()
    assert len(await events(services, RegistrationClosingSoon, event.tournament_id)) == 1

    await configure(services, event.tournament_id, status=TournamentStatus.CANCELLED)
    assert await pending_kinds(services, event.tournament_id) == {}


async def test_scheduled_open_and_close_survive_a_restart(
    db: Database, clock: FrozenClock, new_id
) -> None:
    first = Services(db, clock)
    checkin_of(first)
    event = await make_event(first, new_id, players=3)
    now = clock.now()
    await configure(
        first,
        event.tournament_id,
        status=TournamentStatus.PUBLISHED,
        registration_opens_at=now + timedelta(minutes=10),
        registration_closes_at=now + timedelta(hours=2),
        starts_at=now + timedelta(days=1),
    )
    # The process stops here; the next one starts after both moments passed.
    clock.advance(hours=2, minutes=30)
    second = Services(db, clock)
    checkin_of(second)
    await second.timers.fire_due()
    assert (await tournament(second, event.tournament_id)).status == (
        TournamentStatus.REGISTRATION_CLOSED
    )
    third = Services(db, clock)
    checkin_of(third)
    await third.timers.fire_due()
    moves = [a for a in await audits(third, event, "tournament.status") if a.actor_id is None]
    assert len(moves) == 2  # opened once, closed once
    history = {t.kind: t for t in await third.timers.history(f"tournament:{event.tournament_id}:")}
    assert history["tournament.open"].outcome is None
    assert history["tournament.close"].outcome is None
    reminder = history["tournament.remind_close"]  # too late to remind: dropped, not sent
    assert reminder.cancelled_at is not None and reminder.fired_at is None
    assert set(await pending_kinds(third, event.tournament_id)) == {"tournament.start"}


async def test_refused_autostart_tells_the_organizers(
    services: Services, clock: FrozenClock, new_id
) -> None:
    checkin_of(services)
    event = await make_event(services, new_id, players=1)
    start = clock.now() + timedelta(minutes=20)
    await configure(
        services,
        event.tournament_id,
        starts_at=start,
        checkin_enabled=True,
        status=TournamentStatus.REGISTRATION_CLOSED,
    )
    clock.advance(minutes=10)
    await checkin_of(services).check_in_tournament(
        actor(event, event.users[0]), event.tournament_id
    )
    clock.set(start)
    await services.timers.fire_due()
    [failed] = await events(services, TournamentAutoStartFailed, event.tournament_id)
    assert "at least 2" in failed.reason
    t = await tournament(services, event.tournament_id)
    assert t.status == TournamentStatus.REGISTRATION_CLOSED
    # The check-in close that was due with the start still happened.
    assert len(await events(services, TournamentCheckInClosed, event.tournament_id)) == 1


# --- match check-in ---------------------------------------------------------------------


async def started(services: Services, new_id, minutes: int = 15) -> tuple[Event, list[MatchView]]:
    event = await make_event(services, new_id, players=4, match_checkin_minutes=minutes)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    waiting = await services.brackets.matches(event.tournament_id, statuses=[MatchState.CHECKIN])
    assert len(waiting) == 2
    return event, waiting


async def test_both_sides_check_in_and_the_match_is_ready(services: Services, new_id) -> None:
    checkin = checkin_of(services)
    event, (match, other) = await started(services, new_id)
    side_a = actor(event, user_of(event, match.registration_a_id))
    side_b = actor(event, user_of(event, match.registration_b_id))

    with pytest.raises(PermissionDenied, match="not playing in match"):
        await checkin.check_in_match(
            actor(event, user_of(event, other.registration_a_id)), match.id
        )
    first = await checkin.check_in_match(side_a, match.id)
    assert not first.both_in
    with pytest.raises(Conflict, match="already checked in"):
        await checkin.check_in_match(side_a, match.id)
    assert (await services.brackets.get_match(match.id)).status == MatchState.CHECKIN

    result = await checkin.check_in(side_b)  # /checkin with no tournament
    [done] = result.matches
    assert done.both_in and done.match_id == match.id
    view = await services.brackets.get_match(match.id)
    assert view.status == MatchState.LIVE and view.live_at == services.clock.now()
    assert view.checked_in_a_at is not None and view.checked_in_b_at is not None
    [complete] = await events(services, MatchCheckInComplete, event.tournament_id)
    assert complete.match_id == match.id
    sides = await events(services, MatchSideCheckedIn, event.tournament_id)
    assert [e.waiting_for_registration_id for e in sides] == [match.registration_b_id, None]
    # Check-in is over; only the overdue-result notice is left.
    pending = await services.timers.pending(f"match:{match.id}:")
    assert [t.kind for t in pending] == ["match.result_overdue"]
    with pytest.raises(Conflict, match="/report"):
        await checkin.check_in_match(side_a, match.id)


async def test_deadline_forfeits_a_missing_side_and_pings_when_nobody_came(
    services: Services, clock: FrozenClock, new_id
) -> None:
    checkin = checkin_of(services)
    event, (half, empty) = await started(services, new_id, minutes=30)
    for match in (half, empty):
        async with services.ctx.unit_of_work() as uow:
            row = await uow.session.get(MatchRow, match.id)
            await schedule_match_checkin_reminder(uow, row)
    present = user_of(event, half.registration_a_id)
    await checkin.check_in_match(actor(event, present), half.id)

    clock.advance(minutes=20)  # ten minutes left
    await services.timers.fire_due()
    reminders = {
        e.match_id: e for e in await events(services, MatchCheckInReminder, event.tournament_id)
    }
    assert reminders[half.id].missing_user_ids == [user_of(event, half.registration_b_id)]
    assert len(reminders[empty.id].missing_user_ids) == 2

    clock.advance(minutes=10)  # the deadline passed; its timer has not fired yet
    late = actor(event, user_of(event, half.registration_b_id))
    with pytest.raises(Conflict, match="closed"):
        await checkin.check_in_match(late, half.id)
    await services.timers.fire_due()

    forfeited = await services.brackets.get_match(half.id)
    assert forfeited.status == MatchState.COMPLETED
    assert forfeited.winner_registration_id == half.registration_a_id
    assert forfeited.outcome == "forfeit"
    [no_show] = await events(services, MatchNoShow, event.tournament_id)
    assert no_show.forfeited_registration_id == half.registration_b_id
    final = next(m for m in await services.brackets.matches(event.tournament_id) if m.round == 2)
    assert half.registration_a_id in (final.registration_a_id, final.registration_b_id)

    # Nobody came to the other match: organizers are pinged, nobody forfeits.
    [missed] = await events(services, MatchCheckInMissed, event.tournament_id)
    assert missed.match_id == empty.id
    still = await services.brackets.get_match(empty.id)
    assert still.status == MatchState.CHECKIN and still.winner_registration_id is None
    assert len(await audits(services, event, "match.no_show")) == 1

    # Late arrivals may still check in once the deadline has settled it.
    for registration in (empty.registration_a_id, empty.registration_b_id):
        await checkin.check_in_match(actor(event, user_of(event, registration)), empty.id)
    assert (await services.brackets.get_match(empty.id)).status == MatchState.LIVE
    await services.brackets.apply(event.organizer, event.tournament_id, Result(empty.code, (1, 0)))
    final = await services.brackets.get_match(final.id)
    assert final.status == MatchState.CHECKIN  # the final opens its own check-in


async def test_refusals_change_nothing(services: Services, new_id) -> None:
    checkin = checkin_of(services)
    event, (match, _) = await started(services, new_id)
    stranger = actor(event, new_id())
    with pytest.raises(DomainError):
        await checkin.check_in(stranger)
    with pytest.raises(PermissionDenied):
        await checkin.check_in_match(stranger, match.id)
    assert await audits(services, event, "match.checkin") == []
    view = await services.brackets.get_match(match.id)
    assert view.checked_in_a_at is None and view.checked_in_b_at is None


async def test_a_failed_autostart_closes_open_registration(
    services: Services, clock: FrozenClock, new_id
) -> None:
    event = await make_event(services, new_id, players=1)  # registration is open
    start = clock.now() + timedelta(minutes=20)
    await configure(services, event.tournament_id, starts_at=start, checkin_enabled=True)
    clock.set(start)
    await services.timers.fire_due()
    assert len(await events(services, TournamentAutoStartFailed, event.tournament_id)) == 1
    # Check-in is over, so a late sign-up could never reach the bracket.
    t = await tournament(services, event.tournament_id)
    assert t.status == TournamentStatus.REGISTRATION_CLOSED


async def test_manual_start_in_the_window_withdraws_who_did_not_check_in(
    services: Services, clock: FrozenClock, new_id
) -> None:
    event = await make_event(services, new_id, players=4)
    start = clock.now() + timedelta(minutes=60)
    await configure(
        services,
        event.tournament_id,
        starts_at=start,
        checkin_enabled=True,
        checkin_window_minutes=30,
    )
    with pytest.raises(Conflict, match=r"Check-in for .* opens"):
        await services.brackets.start(event.organizer, event.tournament_id)
    clock.advance(minutes=40)  # inside the window
    for user in event.users[:3]:
        await services.checkin.check_in_tournament(actor(event, user), event.tournament_id)
    summary = await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    assert summary.participant_count == 3
    no_show = await entry(services, event.registrations[3])
    assert no_show.status == RegistrationStatus.WITHDRAWN  # told, not silently left out
    assert len(await events(services, TournamentCheckInClosed, event.tournament_id)) == 1
