"""The match schedule on SQLite and PostgreSQL with a frozen clock: round times give every
match its time, reminders and the overdue notice fire exactly once (also across a restart
in the middle), a match goes LIVE at its time, and editing the schedule moves the timers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import select, update

from engine.brackets import MatchLive, MatchState, round_time, schedule_round, view_of
from engine.formats import FormatOptions, Participant, create_bracket
from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock
from engine.kernel.errors import Conflict, InvalidInput, PermissionDenied
from engine.kernel.events import DomainEvent
from engine.matchday import MatchResultOverdue, MatchStartingSoon
from engine.services import Services
from storage.db import Database
from storage.models import MatchRow, OutboxEvent, Timer, Tournament
from testkit.factories import Event, make_event

E = TypeVar("E", bound=DomainEvent)


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


async def scheduled_event(
    services: Services, new_id: Any, *, first: datetime, interval: int = 45, **kwargs: Any
) -> Event:
    event = await make_event(services, new_id, **kwargs)
    async with services.db.transaction() as session:
        await session.execute(
            update(Tournament)
            .where(Tournament.id == event.tournament_id)
            .values(round_times=[first.isoformat()], round_interval_minutes=interval)
        )
    return event


def player(event: Event, match: Any) -> Actor:
    user = event.users[event.registrations.index(match.registration_a_id)]
    return Actor(user_id=user, guild_id=event.guild_id)


def test_schedule_rounds_count_over_the_whole_event() -> None:
    people = [Participant(i, f"P{i}", i) for i in range(1, 9)]
    double = create_bracket("double_elim", people, FormatOptions.from_mapping({}))
    rounds = {code: schedule_round(double, m) for code, m in double.matches.items()}
    by_key = {double.matches[c].round_key: r for c, r in rounds.items()}
    # Losers round 1 is played beside winners round 2; the grand final comes last.
    assert (by_key["W1"], by_key["W2"], by_key["L1"], by_key["W3"], by_key["L4"]) == (
        1,
        2,
        2,
        3,
        5,
    )
    assert by_key["GF"] == 6 and max(rounds.values()) == 6


def test_round_time_lists_then_interval_then_as_soon_as_ready() -> None:
    first = datetime.fromisoformat("2026-01-01T18:00:00+00:00")
    t = Tournament(round_times=[first.isoformat(), "2026-01-01T19:00:00+00:00"])
    t.round_interval_minutes = 30
    assert round_time(t, 1) == first
    assert round_time(t, 2) == first + timedelta(hours=1)
    assert round_time(t, 4) == first + timedelta(hours=2)
    t.round_interval_minutes = 0
    assert round_time(t, 3) is None  # after the listed times: as soon as ready
    assert round_time(Tournament(round_times=None), 1) is None


async def test_matches_get_their_round_times(services: Services, new_id) -> None:
    first = services.clock.now() + timedelta(hours=2)
    event = await scheduled_event(services, new_id, first=first)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    matches = await services.brackets.matches(event.tournament_id)
    times = {m.round: m.scheduled_at for m in matches}
    assert times == {
        1: first,
        2: first + timedelta(minutes=45),
        3: first + timedelta(minutes=90),
    }
    [one] = [m for m in matches if m.round == 1][:1]
    pending = {t.key: t.due_at for t in await services.timers.pending(f"match:{one.id}:")}
    assert pending == {
        f"match:{one.id}:remind:60": first - timedelta(minutes=60),
        f"match:{one.id}:remind:15": first - timedelta(minutes=15),
        f"match:{one.id}:start": first,
        f"match:{one.id}:overdue": first + timedelta(minutes=60),
    }
    reminders = sorted(t.due_at for t in await services.timers.pending(f"match:{one.id}:remind:"))
    assert reminders == [first - timedelta(minutes=60), first - timedelta(minutes=15)]


async def test_a_reminder_fires_once_across_a_restart_in_the_middle(
    db: Database, clock: FrozenClock, new_id
) -> None:
    services = Services(db, clock)
    first = clock.now() + timedelta(hours=2)
    event = await scheduled_event(services, new_id, first=first, players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)

    # (The database is shared with other tests: count this tournament's events, not the
    # timers one call fired.)
    clock.set(first - timedelta(minutes=60))
    await services.timers.fire_due()  # the 60-minute reminder of both matches
    sixty = await events(services, MatchStartingSoon, event.tournament_id)
    assert sorted(e.minutes_before for e in sixty) == [60, 60]
    assert all(len(e.member_ids) == 2 and e.dm_user_ids == [] for e in sixty)

    # The process dies having claimed the 15-minute reminders, before firing them.
    clock.set(first - timedelta(minutes=15))
    ours = {
        t.id
        for m in await services.brackets.matches(event.tournament_id, statuses=["ready"])
        for t in await services.timers.pending(f"match:{m.id}:remind:15")
    }
    assert len(ours) == 2
    claimed = {timer_id for timer_id, _, _ in await services.timers._claim(500)}
    assert ours and ours <= claimed
    await services.timers.fire_due()  # its lease still holds them: nothing of ours fires
    assert len(await events(services, MatchStartingSoon, event.tournament_id)) == 2

    # A restarted process (a new timer service on the same database) fires them once the
    # lease is over; running both processes again fires nothing more.
    restarted = Services(db, clock)
    clock.advance(minutes=6)
    await restarted.timers.fire_due()
    await restarted.timers.fire_due()
    await services.timers.fire_due()
    fired = await events(services, MatchStartingSoon, event.tournament_id)
    by_match: dict[int, list[int]] = {}
    for e in fired:
        by_match.setdefault(e.match_id, []).append(e.minutes_before)
    assert len(by_match) == 2
    # Each match: one 60-minute reminder and one fired late by the dead process's lease
    # (reminded "9 minutes before" rather than 15): never twice.
    assert all(len(minutes) == 2 and minutes[0] == 60 for minutes in by_match.values())
    # It fired after the match's time? No: the restart came 9 minutes before it.
    assert all(0 < minutes[1] <= 15 for minutes in by_match.values())


async def test_a_ready_match_goes_live_at_its_time_and_takes_reports(
    services: Services, clock: FrozenClock, new_id
) -> None:
    first = clock.now() + timedelta(hours=1)
    event = await scheduled_event(services, new_id, first=first, players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    [match, other] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    clock.set(first)
    await services.timers.fire_due()
    live = await services.brackets.get_match(match.id)
    assert live.status == MatchState.LIVE and live.live_at == first
    assert {e.how for e in await events(services, MatchLive, event.tournament_id)} == {
        "scheduled_time"
    }
    outcome = await services.scores.report_score(
        player(event, match), mine=1, theirs=0, match_id=match.id
    )
    assert outcome.state == "awaiting_confirmation"
    # The start of a match reported before its time settles as skipped, not as LIVE.
    assert (await services.brackets.get_match(other.id)).status == MatchState.LIVE


async def test_overdue_results_are_told_once_and_finished_matches_never(
    services: Services, clock: FrozenClock, new_id
) -> None:
    first = clock.now() + timedelta(minutes=30)
    event = await scheduled_event(services, new_id, first=first, players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    [played, late] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    await services.scores.set_score(event.organizer, event.tournament_id, played.code, 1, 0)
    clock.set(first + timedelta(minutes=60))
    await services.timers.fire_due()
    clock.advance(hours=3)
    await services.timers.fire_due()
    overdue = await events(services, MatchResultOverdue, event.tournament_id)
    assert [(e.match_id, e.status) for e in overdue] == [(late.id, "live")]
    audited = [
        a
        for a in await services.audit.recent(event.guild_id, limit=50)
        if a.action == "match.result_overdue"
    ]
    assert len(audited) == 1


async def test_reports_wait_for_check_in_where_it_is_on(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4, match_checkin_minutes=15)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    [match, _] = await services.brackets.matches(event.tournament_id, statuses=["checkin"])
    with pytest.raises(Conflict, match="checked in"):
        await services.scores.report_score(
            player(event, match), mine=1, theirs=0, match_id=match.id
        )
    # A match left READY while check-in is on (turned on after it opened) waits too.
    async with services.db.transaction() as session:
        await session.execute(
            update(MatchRow).where(MatchRow.id == match.id).values(status="ready")
        )
    with pytest.raises(Conflict, match="check in first"):
        await services.scores.report_score(
            player(event, match), mine=1, theirs=0, match_id=match.id
        )
    assert (await services.brackets.get_match(match.id)).status == "ready"


async def test_an_organizer_starts_a_match_and_a_player_cannot(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4, match_checkin_minutes=15)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    [match, _] = await services.brackets.matches(event.tournament_id, statuses=["checkin"])
    with pytest.raises(PermissionDenied):
        await services.schedule.start_match(player(event, match), match.id)
    assert (await services.brackets.get_match(match.id)).status == "checkin"
    lobby = await services.schedule.start_match(event.organizer, match.id)
    assert lobby.match.status == "live"
    assert [t.kind for t in await services.timers.pending(f"match:{match.id}:")] == [
        "match.result_overdue"
    ]
    with pytest.raises(Conflict, match="cannot be started"):
        await services.schedule.start_match(event.organizer, match.id)
    assert next(a.action for a in await services.audit.recent(event.guild_id, limit=5)) == (
        "match.start"
    )


async def test_editing_the_round_times_moves_matches_and_their_timers(
    services: Services, clock: FrozenClock, new_id
) -> None:
    first = clock.now() + timedelta(hours=2)
    event = await scheduled_event(services, new_id, first=first, players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    [match, _] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    later = first + timedelta(hours=1)
    text = later.strftime("%Y-%m-%d %H:%M")
    change = await services.tournaments.edit(
        event.organizer, event.tournament_id, "round_times", text
    )
    assert change.tournament.round_times == (later,)
    moved = await services.brackets.get_match(match.id)
    assert moved.scheduled_at == later
    final = next(m for m in await services.brackets.matches(event.tournament_id) if m.round == 2)
    assert final.scheduled_at == later + timedelta(minutes=45)
    due = {
        t.key.split(":", 2)[2]: t.due_at
        for t in await services.timers.pending(f"match:{match.id}:")
    }
    assert due == {
        "remind:60": later - timedelta(minutes=60),
        "remind:15": later - timedelta(minutes=15),
        "start": later,
        "overdue": later + timedelta(minutes=60),
    }
    # Nothing was left behind at the old times.
    async with services.db.read() as session:
        stale = await session.scalars(
            select(Timer).where(
                Timer.key.startswith(f"match:{match.id}:"),
                Timer.fired_at.is_(None),
                Timer.cancelled_at.is_(None),
                Timer.due_at < later - timedelta(minutes=60),
            )
        )
        assert list(stale) == []


async def test_bad_schedules_are_refused_and_change_nothing(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4)
    tid, org = event.tournament_id, event.organizer
    before = await services.tournaments.get(tid)
    with pytest.raises(InvalidInput, match="go forward"):
        await services.tournaments.edit(
            org, tid, "round_times", "2030-01-01 19:00\n2030-01-01 18:00"
        )
    with pytest.raises(InvalidInput, match="first round's time"):
        await services.tournaments.edit(org, tid, "round_interval_minutes", "45")
    with pytest.raises(InvalidInput, match="different reminder"):
        await services.tournaments.edit(org, tid, "reminder_minutes", "15, 15")
    with pytest.raises(InvalidInput, match="1 to 1440"):
        await services.tournaments.edit(org, tid, "reminder_minutes", "0")
    with pytest.raises(InvalidInput):
        await services.tournaments.edit(org, tid, "round_times", "tomorrow evening")
    after = await services.tournaments.get(tid)
    assert after == before
    changed = await services.tournaments.edit(org, tid, "reminder_minutes", "15, 120")
    assert changed.tournament.reminder_minutes == (120, 15)


async def test_the_bracket_picture_heads_rounds_with_their_times_and_shows_live(
    services: Services, clock: FrozenClock, new_id
) -> None:
    first = clock.now() + timedelta(hours=2)  # Thursday 14:00 UTC
    event = await scheduled_event(services, new_id, first=first, players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    [match, _] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    await services.schedule.start_match(event.organizer, match.id)
    snapshot = await services.pictures.snapshot(event.tournament_id)
    assert snapshot.live == {match.code: "live"}
    [section] = view_of(snapshot).sections
    assert [r.time for r in section.rounds] == ["Thu 14:00", "Thu 14:45"]
    # The round says it once: no match repeats the round's time or best-of.
    assert all(m.time is None and m.best_of is None for r in section.rounds for m in r.matches)
    images = await services.pictures.images_of(snapshot)
    assert images and images[0].png_bytes.startswith(b"\x89PNG")


async def test_an_edit_never_repeats_a_reminder_already_sent(
    services: Services, clock: FrozenClock, new_id
) -> None:
    first = clock.now() + timedelta(hours=2)
    event = await scheduled_event(services, new_id, first=first, players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    [match, _] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    clock.set(first - timedelta(minutes=60))
    await services.timers.fire_due()
    await services.tournaments.edit(
        event.organizer, event.tournament_id, "reminder_minutes", "60, 15, 5"
    )
    keys = {
        t.key.rsplit(":", 1)[1] for t in await services.timers.pending(f"match:{match.id}:remind:")
    }
    assert keys == {"15", "5"}  # the 60-minute one was sent for this very time already
    for before in (15, 5):
        clock.set(first - timedelta(minutes=before))
        await services.timers.fire_due()
    sent = [
        e
        for e in await events(services, MatchStartingSoon, event.tournament_id)
        if e.match_id == match.id
    ]
    assert [e.minutes_before for e in sent] == [60, 15, 5]
