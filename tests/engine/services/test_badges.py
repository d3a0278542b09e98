"""Badges: awarded when a tournament completes, once; organizers define their own."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.awards import BadgeService
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, PermissionDenied
from engine.services import Services
from storage.models import (
    AuditEntry,
    BadgeDefinition,
    OutboxEvent,
)
from testkit.factories import Event, make_event
from tests.engine.services.test_certificates import finished_event, play_chalk


@pytest.fixture
def badges(services: Services) -> BadgeService:
    return BadgeService(services.ctx)


async def keys_of(badges: BadgeService, guild_id: int, user_id: int) -> list[str]:
    return sorted(e.badge.key for e in await badges.badges_of(guild_id, user_id))


async def rematch(services: Services, event: Event, new_id) -> Event:  # type: ignore[no-untyped-def]
    """A second tournament on the same server with the same players, played to the end."""
    second = await make_event(
        services,
        new_id,
        organizer=event.organizer,
        entrants=[(user, f"Player {index + 1}") for index, user in enumerate(event.users)],
    )
    await services.brackets.start(event.organizer, second.tournament_id, seed=5)
    await play_chalk(services, second)
    return second


async def test_completion_awards_the_built_in_badges_once(
    services: Services, badges: BadgeService, new_id
) -> None:
    event = await finished_event(services, new_id, players=4)
    awarded = await badges.award_for_tournament(event.tournament_id)
    champion, runner_up, third, fourth = event.users
    assert await keys_of(badges, event.guild_id, champion) == [
        "champion",
        "first_tournament",
        "podium",
        "undefeated",
    ]
    assert await keys_of(badges, event.guild_id, runner_up) == [
        "first_tournament",
        "podium",
        "runner_up",
    ]
    assert await keys_of(badges, event.guild_id, third) == ["first_tournament", "podium"]
    assert await keys_of(badges, event.guild_id, fourth) == ["first_tournament", "podium"]
    assert len(awarded) == 11
    assert await badges.award_for_tournament(event.tournament_id) == []  # re-delivery
    async with services.db.read() as session:
        events = await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.event_type == "badge.awarded",
                OutboxEvent.payload["tournament_id"].as_integer() == event.tournament_id,
            )
        )
    assert events == 11
    earned = await badges.badges_of(event.guild_id, champion)
    assert {e.tournament_id for e in earned} == {event.tournament_id}


async def test_first_tournament_is_earned_once_and_custom_thresholds_count(
    services: Services, badges: BadgeService, new_id
) -> None:
    event = await finished_event(services, new_id, players=4)
    await badges.award_for_tournament(event.tournament_id)
    veteran = await badges.create(
        event.organizer,
        event.guild_id,
        name="Regular",
        emoji="🎖️",
        description="Played two tournaments here.",
        condition="participated_n",
        threshold=2,
    )
    assert not veteran.built_in
    second = await rematch(services, event, new_id)
    new = await badges.award_for_tournament(second.tournament_id)
    keys = [(a.badge.key, a.user_id) for a in new]
    assert ("first_tournament", event.users[0]) not in keys
    assert {uid for key, uid in keys if key == "regular"} == set(event.users)
    regular = [
        e
        for e in await badges.badges_of(event.guild_id, event.users[3])
        if e.badge.key == "regular"
    ]
    assert [e.tournament_id for e in regular] == [second.tournament_id]


async def test_wins_threshold_badge(services: Services, badges: BadgeService, new_id) -> None:
    event = await finished_event(services, new_id, players=4)
    await badges.create(
        event.organizer,
        event.guild_id,
        name="Two Wins",
        emoji="<:win:123456789012345678>",
        description="Won two matches.",
        condition="wins_n",
        threshold=2,
    )
    new = await badges.award_for_tournament(event.tournament_id)
    assert {a.user_id for a in new if a.badge.key == "two_wins"} == {event.users[0]}


async def test_comeback_from_the_losers_bracket(
    services: Services, badges: BadgeService, new_id
) -> None:
    event = await finished_event(services, new_id, players=4, format="double_elim", loses_once=1)
    await badges.award_for_tournament(event.tournament_id)
    winner = event.users[1]
    keys = await keys_of(badges, event.guild_id, winner)
    assert "champion" in keys and "comeback" in keys and "undefeated" not in keys
    assert "comeback" not in await keys_of(badges, event.guild_id, event.users[0])


async def test_bad_badge_definitions_are_refused_and_change_nothing(
    services: Services, badges: BadgeService, new_id
) -> None:
    event = await finished_event(services, new_id, players=2)
    org, guild = event.organizer, event.guild_id
    good = {
        "name": "Iron Wall",
        "emoji": "🧱",
        "description": "Never lost.",
        "condition": "undefeated",
    }
    refusals = [
        (InvalidInput, {**good, "condition": "richest"}),
        (InvalidInput, {**good, "condition": "wins_n"}),  # threshold missing
        (InvalidInput, {**good, "threshold": 3}),  # undefeated takes none
        (InvalidInput, {**good, "emoji": "wall"}),
        (InvalidInput, {**good, "name": "x"}),
        (Conflict, {**good, "name": "Champion"}),  # a built-in's name
    ]
    for error, values in refusals:
        with pytest.raises(error):
            await badges.create(org, guild, **values)
    with pytest.raises(PermissionDenied):
        await badges.create(Actor(user_id=new_id(), guild_id=guild), guild, **good)
    async with services.db.read() as session:
        defined = await session.scalar(
            select(func.count())
            .select_from(BadgeDefinition)
            .where(BadgeDefinition.guild_id == guild)
        )
        audited = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.guild_id == guild, AuditEntry.action == "badge.create")
        )
    assert (defined, audited) == (0, 0)
    created = await badges.create(org, guild, **good)
    with pytest.raises(Conflict):
        await badges.create(org, guild, **{**good, "name": "iron  wall"})
    names = [b.name for b in await badges.definitions(guild)]
    assert names[-1] == created.name and "Champion" in names


async def test_unfinished_tournament_awards_nothing(
    services: Services, badges: BadgeService, new_id
) -> None:
    fresh = await make_event(services, new_id, players=2)
    with pytest.raises(Conflict):
        await badges.award_for_tournament(fresh.tournament_id)
