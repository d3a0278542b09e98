"""Match day core: start a tournament, results move the bracket, completion pays out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.brackets import MatchState, correct_result
from engine.formats import Result
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, PermissionDenied
from engine.services import Services
from storage.models import Placing, Ranking, Tournament
from testkit.factories import Event, make_event


async def play_chalk(services: Services, event: Event) -> int:
    """Report every playable match with the better seed winning; returns matches played."""
    played = 0
    while True:
        ready = await services.brackets.matches(
            event.tournament_id, statuses=[MatchState.READY, MatchState.CHECKIN]
        )
        if not ready:
            return played
        for match in ready:
            seed = {r: i for i, r in enumerate(event.registrations)}
            a_better = seed[match.registration_a_id] < seed[match.registration_b_id]
            wins = (match.best_of // 2) + 1
            scores = (wins, 0) if a_better else (0, wins)
            await services.brackets.apply(
                event.organizer, event.tournament_id, Result(match.code, scores)
            )
            played += 1


async def status_of(services: Services, tournament_id: int) -> str:
    async with services.db.read() as session:
        return await session.scalar(select(Tournament.status).where(Tournament.id == tournament_id))


async def test_start_stores_every_match_and_opens_round_one(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=8)
    summary = await services.brackets.start(event.organizer, event.tournament_id, seed=7)
    assert (summary.participant_count, summary.match_count, summary.ready_count) == (8, 7, 4)
    assert await status_of(services, event.tournament_id) == "live"
    ready = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    pairs = sorted(
        tuple(
            sorted(
                (
                    event.registrations.index(m.registration_a_id) + 1,
                    event.registrations.index(m.registration_b_id) + 1,
                )
            )
        )
        for m in ready
    )
    assert pairs == [(1, 8), (2, 7), (3, 6), (4, 5)]  # manual seeding = sign-up order here
    actions = [e.action for e in await services.audit.recent(event.guild_id, limit=10)]
    assert "tournament.start" in actions


async def test_single_elimination_to_champion_pays_prizes_and_rates(
    services: Services, new_id
) -> None:
    event = await make_event(
        services,
        new_id,
        players=8,
        prize_pool_coins=1000,
        prize_distribution=[50, 30, 20],
        best_of=3,
    )
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    assert await play_chalk(services, event) == 7
    assert await status_of(services, event.tournament_id) == "completed"
    async with services.db.read() as session:
        placings = {
            p.registration_id: p
            for p in await session.scalars(
                select(Placing).where(Placing.tournament_id == event.tournament_id)
            )
        }
        ratings = (
            await session.scalars(select(Ranking).where(Ranking.guild_id == event.guild_id))
        ).all()
    champion, runner_up = event.registrations[0], event.registrations[1]
    assert placings[champion].place == 1 and placings[champion].prize_coins == 500
    assert placings[runner_up].place == 2 and placings[runner_up].prize_coins == 300
    thirds = [p for p in placings.values() if p.place == 3]
    assert len(thirds) == 2 and all(p.prize_coins == 100 for p in thirds)  # 20% shared
    assert await services.ledger.balance(event.guild_id, event.users[0]) == 500
    best = max(ratings, key=lambda r: r.rating)
    assert best.subject_id == event.users[0] and best.matches_played == 3


async def test_double_elimination_with_byes_runs_to_the_end(services: Services, new_id) -> None:
    event = await make_event(
        services, new_id, format="double_elim", players=6, options={"grand_final": "reset"}
    )
    summary = await services.brackets.start(event.organizer, event.tournament_id, seed=3)
    assert summary.ready_count == 2  # seeds 1 and 2 have byes
    await play_chalk(services, event)
    assert await status_of(services, event.tournament_id) == "completed"
    async with services.db.read() as session:
        first = await session.scalar(
            select(Placing.registration_id).where(
                Placing.tournament_id == event.tournament_id, Placing.place == 1
            )
        )
    assert first == event.registrations[0]


async def test_swiss_rounds_are_created_as_the_previous_completes(
    services: Services, new_id
) -> None:
    event = await make_event(services, new_id, format="swiss", players=8)
    await services.brackets.start(event.organizer, event.tournament_id, seed=5)
    assert len(await services.brackets.matches(event.tournament_id)) == 4
    await play_chalk(services, event)
    assert len(await services.brackets.matches(event.tournament_id)) == 12  # 3 rounds
    assert await status_of(services, event.tournament_id) == "completed"


async def test_corrected_result_resets_unplayed_dependents(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    semis = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    for match in semis:
        await services.brackets.apply(
            event.organizer, event.tournament_id, Result(match.code, (1, 0))
        )
    final = (await services.brackets.matches(event.tournament_id, statuses=["ready"]))[0]
    first = semis[0]
    async with services.ctx.unit_of_work() as uow:
        applied = await correct_result(
            uow, event.tournament_id, Result(first.code, (0, 1)), actor_id=event.organizer.user_id
        )
    assert [r.code for r in applied.completed] == [first.code]
    now_final = await services.brackets.get_match(final.id)
    assert now_final.status == "ready"
    assert first.registration_b_id in (now_final.registration_a_id, now_final.registration_b_id)

    # Once the final is played, the semifinal can no longer be changed.
    await services.brackets.apply(event.organizer, event.tournament_id, Result(final.code, (1, 0)))
    with pytest.raises(Conflict):
        async with services.ctx.unit_of_work() as uow:
            await correct_result(
                uow,
                event.tournament_id,
                Result(first.code, (1, 0)),
                actor_id=event.organizer.user_id,
            )


async def test_start_refusals_change_nothing(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=1)
    with pytest.raises(Conflict, match="at least 2"):
        await services.brackets.start(event.organizer, event.tournament_id)
    stranger = Actor(user_id=new_id(), guild_id=event.guild_id)
    other = await make_event(services, new_id, players=4)
    with pytest.raises(PermissionDenied):
        await services.brackets.start(stranger, other.tournament_id)
    for tid in (event.tournament_id, other.tournament_id):
        assert await status_of(services, tid) == "registration_open"
        assert await services.brackets.matches(tid) == []


async def test_invalid_score_for_best_of_is_refused(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4, best_of=5)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    match = (await services.brackets.matches(event.tournament_id, statuses=["ready"]))[0]
    with pytest.raises(InvalidInput):
        await services.brackets.apply(
            event.organizer, event.tournament_id, Result(match.code, (2, 2))
        )
    assert (await services.brackets.get_match(match.id)).status == "ready"
    await services.brackets.apply(event.organizer, event.tournament_id, Result(match.code, (3, 1)))
    decided = await services.brackets.get_match(match.id)
    assert (decided.status, decided.score_a, decided.score_b) == ("completed", 3, 1)


async def test_correction_reopens_an_open_match_whose_opponent_changed(
    services: Services, new_id
) -> None:
    """Double elimination: W2-1 is ready (but unplayed) when W1-1's result is corrected,
    so W2-1 now has another player; its pairing restarts with a reset and a new ready."""
    event = await make_event(services, new_id, format="double_elim", players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    first_round = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    for match in first_round:
        await services.brackets.apply(
            event.organizer, event.tournament_id, Result(match.code, (1, 0))
        )
    final = await services.brackets.match_by_code(event.tournament_id, "W2-1")
    assert final.status == "ready"
    corrected = first_round[0]
    async with services.ctx.unit_of_work() as uow:
        applied = await correct_result(
            uow,
            event.tournament_id,
            Result(corrected.code, (0, 1)),
            actor_id=event.organizer.user_id,
        )
    reopened = await services.brackets.get_match(final.id)
    assert reopened.status == "ready"
    assert corrected.registration_b_id in (reopened.registration_a_id, reopened.registration_b_id)
    assert final.id in [r.id for r in applied.reset] and final.id in [r.id for r in applied.ready]
