"""Rescheduling on SQLite and PostgreSQL with a frozen clock: an accepted proposal moves
the match and its reminders; a declined or expired one changes nothing; the organizer's
limits hold and every refusal changes nothing; organizers move matches directly."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock
from engine.kernel.errors import Conflict, InvalidInput, PermissionDenied
from engine.matchday import MatchRescheduleDecided, MatchRescheduleProposed
from engine.services import Services
from storage.models import Tournament
from testkit.factories import Event
from tests.engine.services.test_match_schedule import events, scheduled_event


def sides(event: Event, match: Any) -> tuple[Actor, Actor]:
    def actor(registration_id: int) -> Actor:
        user = event.users[event.registrations.index(registration_id)]
        return Actor(user_id=user, guild_id=event.guild_id)

    return actor(match.registration_a_id), actor(match.registration_b_id)


def text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")  # the test servers' zone is UTC


async def timers_of(services: Services, match_id: int) -> dict[str, datetime]:
    return {
        t.key.split(":", 2)[2]: t.due_at
        for t in await services.timers.pending(f"match:{match_id}:")
        if ":reschedule:" not in t.key
    }


async def first_match(services: Services, new_id: Any, first: datetime) -> tuple[Event, Any]:
    event = await scheduled_event(services, new_id, first=first, players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    [match, _] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    return event, match


async def test_an_accepted_proposal_moves_the_match_and_its_reminders(
    services: Services, clock: FrozenClock, new_id
) -> None:
    first = clock.now() + timedelta(hours=2)
    event, match = await first_match(services, new_id, first)
    a, b = sides(event, match)
    later = first + timedelta(minutes=30)
    proposal = await services.reschedules.propose(a, match.id, text(later), "Work runs late")
    assert proposal.status == "pending" and proposal.expires_at == clock.now() + timedelta(
        minutes=30
    )
    [proposed] = await events(services, MatchRescheduleProposed, event.tournament_id)
    assert proposed.opponent_user_ids == [b.user_id] and proposed.note == "Work runs late"

    with pytest.raises(PermissionDenied, match="other side"):
        await services.reschedules.respond(a, proposal.id, accept=True)
    accepted = await services.reschedules.respond(b, proposal.id, accept=True)
    assert accepted.status == "accepted"
    assert (await services.brackets.get_match(match.id)).scheduled_at == later
    assert await timers_of(services, match.id) == {
        "remind:60": later - timedelta(minutes=60),
        "remind:15": later - timedelta(minutes=15),
        "start": later,
        "overdue": later + timedelta(minutes=60),
    }
    [decided] = await events(services, MatchRescheduleDecided, event.tournament_id)
    assert (decided.outcome, decided.scheduled_at) == ("accepted", later.isoformat())
    actions = [e.action for e in await services.audit.recent(event.guild_id, limit=10)]
    assert "match.reschedule_proposed" in actions and "match.reschedule_accepted" in actions
    with pytest.raises(Conflict, match="already accepted"):
        await services.reschedules.respond(b, proposal.id, accept=False)


async def test_declined_and_expired_proposals_change_nothing(
    services: Services, clock: FrozenClock, new_id
) -> None:
    first = clock.now() + timedelta(hours=2)
    event, match = await first_match(services, new_id, first)
    a, b = sides(event, match)
    before = await timers_of(services, match.id)

    declined = await services.reschedules.propose(a, match.id, text(first + timedelta(minutes=20)))
    assert (await services.reschedules.respond(b, declined.id, accept=False)).status == "declined"
    assert (await services.brackets.get_match(match.id)).scheduled_at == first
    assert await timers_of(services, match.id) == before

    expiring = await services.reschedules.propose(b, match.id, text(first - timedelta(minutes=20)))
    clock.advance(minutes=31)
    with pytest.raises(Conflict, match="expired"):
        await services.reschedules.respond(a, expiring.id, accept=True)
    await services.timers.fire_due()
    with pytest.raises(Conflict, match="already expired"):
        await services.reschedules.respond(a, expiring.id, accept=True)
    assert (await services.brackets.get_match(match.id)).scheduled_at == first
    assert await timers_of(services, match.id) == before
    decided = await events(services, MatchRescheduleDecided, event.tournament_id)
    assert [e.outcome for e in decided] == ["declined", "expired"]


async def test_the_organizers_limits_hold_and_refusals_change_nothing(
    services: Services, clock: FrozenClock, new_id
) -> None:
    first = clock.now() + timedelta(hours=3)
    event, match = await first_match(services, new_id, first)  # next round at +45 minutes
    a, b = sides(event, match)
    stranger = Actor(user_id=new_id(), guild_id=event.guild_id)
    with pytest.raises(PermissionDenied, match="Only the players"):
        await services.reschedules.propose(stranger, match.id, text(first + timedelta(minutes=10)))
    with pytest.raises(InvalidInput, match="next round starts"):
        await services.reschedules.propose(a, match.id, text(first + timedelta(minutes=45)))
    with pytest.raises(InvalidInput, match="at least 5 minutes"):
        await services.reschedules.propose(a, match.id, text(clock.now()))
    with pytest.raises(InvalidInput, match="at most 120 minutes"):
        await services.reschedules.propose(a, match.id, text(first - timedelta(minutes=121)))
    with pytest.raises(InvalidInput):
        await services.reschedules.propose(a, match.id, "next tuesday")
    await services.reschedules.propose(a, match.id, text(first + timedelta(minutes=10)))
    with pytest.raises(Conflict, match="already has a proposal"):
        await services.reschedules.propose(b, match.id, text(first + timedelta(minutes=5)))

    async with services.db.transaction() as session:
        await session.execute(
            update(Tournament)
            .where(Tournament.id == event.tournament_id)
            .values(player_reschedule_minutes=0)
        )
    _, other = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    c, _ = sides(event, other)
    with pytest.raises(Conflict, match="do not allow players"):
        await services.reschedules.propose(c, other.id, text(first + timedelta(minutes=10)))
    assert (await services.brackets.get_match(match.id)).scheduled_at == first
    assert (await services.brackets.get_match(other.id)).scheduled_at == first


async def test_an_organizer_moves_a_match_past_the_player_limit(
    services: Services, clock: FrozenClock, new_id
) -> None:
    first = clock.now() + timedelta(hours=4)
    event, match = await first_match(services, new_id, first)
    a, _ = sides(event, match)
    pending = await services.reschedules.propose(a, match.id, text(first + timedelta(minutes=10)))
    with pytest.raises(PermissionDenied):
        await services.reschedules.set_time(a, event.tournament_id, match.code, text(first))
    earlier = first - timedelta(hours=3)  # beyond the players' 120 minutes
    moved = await services.reschedules.set_time(
        event.organizer, event.tournament_id, match.code, text(earlier)
    )
    assert moved.status == "overridden"
    assert (await services.brackets.get_match(match.id)).scheduled_at == earlier
    assert (await timers_of(services, match.id))["start"] == earlier
    with pytest.raises(Conflict, match="already withdrawn"):
        await services.reschedules.respond(a, pending.id, accept=True)
    with pytest.raises(InvalidInput, match="next round"):
        await services.reschedules.set_time(
            event.organizer, event.tournament_id, match.code, text(first + timedelta(hours=1))
        )
    assert "match.reschedule_set" in [
        e.action for e in await services.audit.recent(event.guild_id, limit=10)
    ]
