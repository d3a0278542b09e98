"""Organizer seeding: choose the method with a preview, swap two seeds before and right
after the start."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.brackets import BracketAdminService
from engine.formats import Result
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, PermissionDenied
from engine.services import Services
from storage.models import BracketState, Registration, Tournament
from testkit.factories import make_event


async def seeds_of(services: Services, tournament_id: int) -> dict[int, int | None]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(Registration).where(Registration.tournament_id == tournament_id)
        )
        return {r.id: r.seed for r in rows}


async def first_round(services: Services, tournament_id: int) -> set[frozenset[int]]:
    ready = await services.brackets.matches(tournament_id, statuses=["ready"])
    return {frozenset((m.registration_a_id, m.registration_b_id)) for m in ready}


async def test_manual_order_is_previewed_and_used_at_the_start(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4, seeding="random")
    admin = BracketAdminService(services.ctx)
    r1, r2, r3, r4 = event.registrations
    preview = await admin.set_seeding(event.organizer, event.tournament_id, "manual", [r4, r3])
    assert [(e.registration_id, e.seed) for e in preview] == [(r4, 1), (r3, 2), (r1, 3), (r2, 4)]
    assert preview[0].name == "Player 4"
    await services.brackets.start(event.organizer, event.tournament_id, seed=5)
    # 1 v 4 and 2 v 3 in the organizer's order.
    assert await first_round(services, event.tournament_id) == {
        frozenset((r4, r2)),
        frozenset((r3, r1)),
    }
    actions = [e.action for e in await services.audit.recent(event.guild_id, limit=10)]
    assert "tournament.seeding" in actions


async def test_random_and_ranked_previews(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=3)
    admin = BracketAdminService(services.ctx)
    random = await admin.set_seeding(event.organizer, event.tournament_id, "random")
    assert {e.seed for e in random} == {None}
    ranked = await admin.set_seeding(event.organizer, event.tournament_id, "ranked")
    assert sorted(e.seed for e in ranked) == [1, 2, 3]
    async with services.db.read() as session:
        tournament = await session.get(Tournament, event.tournament_id)
        assert tournament.seeding == "ranked"


async def test_bad_seeding_requests_change_nothing(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4)
    admin = BracketAdminService(services.ctx)
    before = await seeds_of(services, event.tournament_id)
    player = Actor(user_id=event.users[0], guild_id=event.guild_id)
    with pytest.raises(PermissionDenied):
        await admin.set_seeding(player, event.tournament_id, "manual", event.registrations[::-1])
    with pytest.raises(InvalidInput, match="twice"):
        r = event.registrations[0]
        await admin.set_seeding(event.organizer, event.tournament_id, "manual", [r, r])
    with pytest.raises(InvalidInput, match="not a confirmed entry"):
        await admin.set_seeding(event.organizer, event.tournament_id, "manual", [new_id()])
    with pytest.raises(InvalidInput, match="only works with manual"):
        await admin.set_seeding(event.organizer, event.tournament_id, "random", [1])
    with pytest.raises(InvalidInput):
        await admin.swap(event.organizer, event.tournament_id, event.registrations[0], new_id())
    assert await seeds_of(services, event.tournament_id) == before
    actions = [e.action for e in await services.audit.recent(event.guild_id, limit=10)]
    assert "tournament.seeding" not in actions and "tournament.seed_swap" not in actions


async def test_swap_before_start_makes_seeding_manual(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4, seeding="random")
    admin = BracketAdminService(services.ctx)
    r1, r2, r3, r4 = event.registrations
    preview = await admin.swap(event.organizer, event.tournament_id, r1, r4)
    assert [e.registration_id for e in preview] == [r4, r2, r3, r1]
    assert (await seeds_of(services, event.tournament_id))[r4] == 1
    async with services.db.read() as session:
        assert (await session.get(Tournament, event.tournament_id)).seeding == "manual"


async def test_swap_after_start_redraws_until_a_result(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=8)  # manual: sign-up order
    admin = BracketAdminService(services.ctx)
    await services.brackets.start(event.organizer, event.tournament_id, seed=2)
    regs = event.registrations
    assert frozenset((regs[0], regs[7])) in await first_round(services, event.tournament_id)
    await admin.swap(event.organizer, event.tournament_id, regs[7], regs[6])
    pairs = await first_round(services, event.tournament_id)
    assert frozenset((regs[0], regs[6])) in pairs and frozenset((regs[1], regs[7])) in pairs
    assert len(pairs) == 4
    bracket, version = await services.brackets.bracket(event.tournament_id)
    assert version == 2
    assert bracket.participant(regs[7]).seed == 7

    match = next(iter(await services.brackets.matches(event.tournament_id, statuses=["ready"])))
    await services.brackets.apply(event.organizer, event.tournament_id, Result(match.code, (1, 0)))
    async with services.db.read() as session:
        state = await session.scalar(
            select(BracketState).where(BracketState.tournament_id == event.tournament_id)
        )
        stored = list(state.participants)
    with pytest.raises(Conflict, match="Results are already recorded"):
        await admin.swap(event.organizer, event.tournament_id, regs[0], regs[1])
    async with services.db.read() as session:
        state = await session.scalar(
            select(BracketState).where(BracketState.tournament_id == event.tournament_id)
        )
        assert list(state.participants) == stored
    with pytest.raises(Conflict, match="already started"):
        await admin.set_seeding(event.organizer, event.tournament_id, "random")


async def test_swap_moves_a_bye(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=3)
    admin = BracketAdminService(services.ctx)
    await services.brackets.start(event.organizer, event.tournament_id, seed=2)
    r1, r2, r3 = event.registrations
    await admin.swap(event.organizer, event.tournament_id, r1, r3)
    bye = await services.brackets.match_by_code(event.tournament_id, "W1-1")
    assert bye.status == "completed" and bye.winner_registration_id == r3
    final = await services.brackets.match_by_code(event.tournament_id, "W2-1")
    assert final.registration_a_id == r3
    ready = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    assert {frozenset((m.registration_a_id, m.registration_b_id)) for m in ready} == {
        frozenset((r2, r1))
    }
