"""Concurrent registrations are settled by the database, on SQLite and PostgreSQL.

Every ``register`` call runs in its own transaction (its own session); the calls are
started together with ``asyncio.gather``.
"""

from __future__ import annotations

import asyncio

import pytest

from engine.kernel.errors import Conflict, DomainError
from engine.services import Services
from storage.models import Registration, RegistrationMember
from storage.models.enums import RegistrationStatus as RS
from testkit.registration_helpers import (
    count_rows,
    make_game,
    make_tournament,
    outbox_types,
    player,
    set_ids,
)


@pytest.fixture
def guild(new_id) -> int:
    return new_id()


async def test_200_players_race_for_64_slots(services: Services, db, clock, guild, new_id):
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game, max_participants=64, fee_coins=10)
    players = [new_id() for _ in range(200)]
    await set_ids(services, guild, game, *players)

    views = await asyncio.gather(
        *(services.registration.register(player(guild, uid), tid) for uid in players)
    )

    statuses = [v.status for v in views]
    assert statuses.count(RS.AWAITING_PAYMENT) == 64 and statuses.count(RS.WAITLISTED) == 136
    assert len({v.id for v in views}) == 200
    assert await count_rows(db, Registration, Registration.tournament_id == tid) == 200
    assert await count_rows(db, RegistrationMember, RegistrationMember.tournament_id == tid) == 200
    # Commit order: the 64 slot holders committed before every waitlisted entry, and the
    # place each entry was told when it committed is still its place in the waitlist.
    slot_ids = [v.id for v in views if v.status != RS.WAITLISTED]
    waiting = sorted((v for v in views if v.status == RS.WAITLISTED), key=lambda v: v.id)
    assert max(slot_ids) < waiting[0].id
    assert [v.waitlist_position for v in waiting] == list(range(1, 137))
    listed = await services.registration.list(tid, statuses=[RS.WAITLISTED])
    assert [(v.id, v.waitlist_position) for v in listed] == [
        (v.id, v.waitlist_position) for v in waiting
    ]
    assert (await outbox_types(db, guild)).count("registration.tournament_full") == 1


async def test_one_player_registering_ten_times_at_once(
    services: Services, db, clock, guild, new_id
) -> None:
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game)
    alice = new_id()
    await set_ids(services, guild, game, alice)

    results = await asyncio.gather(
        *(services.registration.register(player(guild, alice), tid) for _ in range(10)),
        return_exceptions=True,
    )

    refusals = [r for r in results if isinstance(r, DomainError)]
    assert len(refusals) == 9 and all(isinstance(r, Conflict) for r in refusals)
    assert all(r.message.startswith("You are already registered for Winter Cup") for r in refusals)
    assert len([r for r in results if not isinstance(r, BaseException)]) == 1
    assert await count_rows(db, Registration, Registration.tournament_id == tid) == 1
    assert len(await services.audit.recent(guild, action_prefix="registration.")) == 1


async def test_two_teams_sharing_a_player_register_at_once(
    services: Services, db, clock, guild, new_id
) -> None:
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game, team_size=2)
    shared = new_id()
    teams = []
    for name, tag in (("Night Owls", "OWL"), ("Red Foxes", "FOX")):
        captain = new_id()
        team = await services.teams.create(player(guild, captain), name, tag)
        invite = await services.teams.invite(player(guild, captain), team.id, shared)
        await services.teams.answer_invite(player(guild, shared), invite.id, True)
        await set_ids(services, guild, game, captain)
        teams.append(team)
    await set_ids(services, guild, game, shared)

    results = await asyncio.gather(
        *(
            services.registration.register(player(guild, t.captain_id), tid, team_id=t.id)
            for t in teams
        ),
        return_exceptions=True,
    )

    [refusal] = [r for r in results if isinstance(r, BaseException)]
    assert isinstance(refusal, Conflict) and f"<@{shared}>" in refusal.message
    assert await count_rows(db, Registration, Registration.tournament_id == tid) == 1
    assert await count_rows(db, RegistrationMember, RegistrationMember.tournament_id == tid) == 2


async def test_withdrawals_and_registrations_interleave_without_overfilling(
    services: Services, db, clock, guild, new_id
) -> None:
    slots = 3
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game, max_participants=slots)
    first = [new_id() for _ in range(slots)]
    later = [new_id() for _ in range(10)]
    await set_ids(services, guild, game, *first, *later)
    for uid in first:
        await services.registration.register(player(guild, uid), tid)

    await asyncio.gather(
        *(services.registration.unregister(player(guild, uid), tid) for uid in first),
        *(services.registration.register(player(guild, uid), tid) for uid in later),
    )

    views = await services.registration.list(tid)
    holding = [v for v in views if v.holds_slot]
    assert len(holding) == slots
    waiting = [v for v in views if v.status == RS.WAITLISTED]
    assert len(waiting) == 10 - slots
    assert [v.waitlist_position for v in waiting] == list(range(1, 10 - slots + 1))
