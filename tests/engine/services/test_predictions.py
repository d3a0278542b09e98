"""Fan predictions through the service: picking, changing, locking, refusing, scoring."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.brackets import MatchView
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, NotFound, PermissionDenied
from engine.predictions import pick_points, upset_bonus
from engine.services import Services
from storage.models import OutboxEvent, Prediction, RegistrationMember
from testkit.factories import Event, make_event


def test_the_scoring_rule() -> None:
    assert pick_points(7, 7, 1, 8) == 10  # the favourite won: no bonus
    assert pick_points(7, 7, 8, 1) == 10 + 14  # seed 8 beat seed 1
    assert pick_points(7, 7, 16, 1) == 10 + 20  # the bonus is capped
    assert pick_points(7, 9, 8, 1) == 0  # wrong pick
    assert upset_bonus(None, 1) == 0  # unseeded: no bonus


async def _event(services: Services, new_id, *, enabled: bool = True, **kwargs) -> Event:
    event = await make_event(services, new_id, players=8, **kwargs)
    if enabled:
        await services.tournaments.edit(event.organizer, event.tournament_id, "predictions", "yes")
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    return event


def fan(event: Event, new_id, name: str = "Fan") -> Actor:
    return Actor(user_id=new_id(), guild_id=event.guild_id, display_name=name)


def player_of(event: Event, registration_id: int | None) -> Actor:
    user = event.users[event.registrations.index(registration_id)]  # type: ignore[arg-type]
    return Actor(user_id=user, guild_id=event.guild_id)


def seed_of(event: Event, registration_id: int | None) -> int:
    return event.registrations.index(registration_id) + 1  # type: ignore[arg-type]


async def picks(services: Services, match_id: int) -> dict[int, int]:
    async with services.db.read() as session:
        rows = await session.scalars(select(Prediction).where(Prediction.match_id == match_id))
        return {p.user_id: p.registration_id for p in rows}


async def ready(services: Services, event: Event) -> list[MatchView]:
    return await services.brackets.matches(event.tournament_id, statuses=["ready"])


async def test_a_fan_picks_and_changes_their_pick(services: Services, new_id) -> None:
    event = await _event(services, new_id)
    match = (await ready(services, event))[0]
    alice, bob = fan(event, new_id, "Alice"), fan(event, new_id, "Bob")
    first = await services.predictions.predict(alice, match.id, 0)
    assert first.code == match.code and not first.changed
    await services.predictions.predict(bob, match.id, 1)
    changed = await services.predictions.predict(alice, match.id, 1)
    assert changed.changed
    assert await picks(services, match.id) == {
        alice.user_id: match.registration_b_id,
        bob.user_id: match.registration_b_id,
    }
    tally = await services.predictions.tally(match.id, event.guild_id)
    assert tally.picks == (0, 2) and not tally.locked
    with pytest.raises(NotFound):  # another server's match is not shown
        await services.predictions.tally(match.id, new_id())
    listed = await services.predictions.predictable(event.guild_id, alice.user_id)
    assert match.id in [m.match_id for m in listed]


async def test_players_of_the_match_cannot_predict_it(services: Services, new_id) -> None:
    event = await _event(services, new_id)
    match = (await ready(services, event))[0]
    with pytest.raises(PermissionDenied, match="You play in match"):
        await services.predictions.predict(player_of(event, match.registration_a_id), match.id, 1)
    assert await picks(services, match.id) == {}
    # They are not offered their own match either, but may predict the others.
    player = player_of(event, match.registration_a_id)
    offered = [
        m.match_id for m in await services.predictions.predictable(event.guild_id, player.user_id)
    ]
    assert match.id not in offered and offered
    await services.predictions.predict(player, offered[0], 0)


async def test_a_team_mate_of_a_side_cannot_predict_its_match(services: Services, new_id) -> None:
    event = await _event(services, new_id)
    match = (await ready(services, event))[0]
    mate = fan(event, new_id, "Mate")
    async with services.ctx.unit_of_work() as uow:
        uow.session.add(
            RegistrationMember(
                registration_id=match.registration_b_id,
                tournament_id=event.tournament_id,
                user_id=mate.user_id,
            )
        )
    with pytest.raises(PermissionDenied, match="You play in match"):
        await services.predictions.predict(mate, match.id, 0)
    assert await picks(services, match.id) == {}


async def test_predictions_off_refuses_and_changes_nothing(services: Services, new_id) -> None:
    event = await _event(services, new_id, enabled=False)
    match = (await ready(services, event))[0]
    with pytest.raises(Conflict, match="Predictions are not open"):
        await services.predictions.predict(fan(event, new_id), match.id, 0)
    assert await picks(services, match.id) == {}
    assert await services.predictions.predictable(event.guild_id) == []
    other = Actor(user_id=new_id(), guild_id=new_id())
    with pytest.raises(NotFound):
        await services.predictions.predict(other, match.id, 0)


async def test_the_first_report_locks_the_match(services: Services, new_id) -> None:
    event = await _event(services, new_id)
    match = (await ready(services, event))[0]
    alice = fan(event, new_id)
    await services.predictions.predict(alice, match.id, 0)
    await services.scores.report_score(
        player_of(event, match.registration_a_id), mine=1, theirs=0, match_id=match.id
    )
    with pytest.raises(Conflict, match="locked: a score was already reported"):
        await services.predictions.predict(alice, match.id, 1)
    with pytest.raises(Conflict, match="locked"):
        await services.predictions.predict(fan(event, new_id), match.id, 1)
    assert await picks(services, match.id) == {alice.user_id: match.registration_a_id}
    assert (await services.predictions.tally(match.id)).locked


async def test_a_live_match_is_locked(services: Services, new_id) -> None:
    event = await _event(services, new_id)
    match = (await ready(services, event))[0]
    await services.schedule.start_match(event.organizer, match.id)
    with pytest.raises(Conflict, match="locked: it is already being played"):
        await services.predictions.predict(fan(event, new_id), match.id, 0)
    assert await picks(services, match.id) == {}


async def test_a_match_waiting_for_its_sides_is_locked(services: Services, new_id) -> None:
    event = await _event(services, new_id)
    later = await services.brackets.matches(event.tournament_id, statuses=["scheduled"])
    with pytest.raises(Conflict, match="both sides are not known yet"):
        await services.predictions.predict(fan(event, new_id), later[0].id, 0)
    assert await picks(services, later[0].id) == {}


async def test_points_follow_results_and_their_corrections(services: Services, new_id) -> None:
    event = await _event(services, new_id)
    match = (await ready(services, event))[0]
    favourite, underdog = match.registration_a_id, match.registration_b_id
    if seed_of(event, favourite) > seed_of(event, underdog):
        favourite, underdog = underdog, favourite
    slot_of = {match.registration_a_id: 0, match.registration_b_id: 1}
    gap = seed_of(event, underdog) - seed_of(event, favourite)
    alice, bob = fan(event, new_id, "Alice"), fan(event, new_id, "বাংলা ভক্ত")
    await services.predictions.predict(alice, match.id, slot_of[favourite])
    await services.predictions.predict(bob, match.id, slot_of[underdog])

    # The underdog wins (an organizer enters it in slot order).
    def score(winner: int | None) -> tuple[int, int]:
        return (1, 0) if slot_of[winner] == 0 else (0, 1)

    await services.scores.set_score(
        event.organizer, event.tournament_id, match.code, *score(underdog)
    )
    board = await services.predictions.leaderboard(event.tournament_id, user_id=alice.user_id)
    assert [(r.name, r.points, r.correct, r.scored, r.upsets) for r in board.rows] == [
        ("বাংলা ভক্ত", 10 + min(2 * gap, 20), 1, 1, 1),
        ("Alice", 0, 0, 1, 0),
    ]
    assert board.matches_scored == 1 and board.yours is not None and board.yours.rank == 2

    # The organizer corrects it: the favourite won after all, and the points follow.
    await services.scores.set_score(
        event.organizer, event.tournament_id, match.code, *score(favourite)
    )
    board = await services.predictions.leaderboard(event.tournament_id)
    assert [(r.name, r.points, r.upsets) for r in board.rows] == [
        ("Alice", 10, 0),
        ("বাংলা ভক্ত", 0, 0),
    ]
    png = await services.prediction_pictures.leaderboard(board, "bn")
    assert png.startswith(b"\x89PNG")


async def test_forfeits_score_nothing(services: Services, new_id) -> None:
    event = await _event(services, new_id)
    match = (await ready(services, event))[0]
    alice = fan(event, new_id)
    await services.predictions.predict(alice, match.id, 0)
    loser = player_of(event, match.registration_b_id)
    await services.scores.disqualify(
        event.organizer, event.tournament_id, loser.user_id, reason="x"
    )
    board = await services.predictions.leaderboard(event.tournament_id)
    assert [(r.points, r.scored) for r in board.rows] == [(0, 0)]
    assert board.matches_scored == 0


async def _play_out(services: Services, event: Event) -> None:
    """The organizer decides every match for side A until the tournament completes."""
    while True:
        waiting = await services.brackets.matches(event.tournament_id, statuses=["ready"])
        if not waiting:
            break
        for match in waiting:
            await services.scores.set_score(event.organizer, event.tournament_id, match.code, 1, 0)
    assert (await services.tournaments.get(event.tournament_id)).status == "completed"


async def _rewarded_event(services: Services, new_id, funded: int) -> tuple[Event, list[Actor]]:
    """Four players, rewards 30/20/10, a pool of ``funded`` coins granted by the organizer,
    and three fans: the first picks every winner, the second half, the third none."""
    event = await make_event(services, new_id, players=4)
    organizer, tid = event.organizer, event.tournament_id
    await services.tournaments.edit(organizer, tid, "predictions", "yes")
    await services.tournaments.edit(organizer, tid, "prediction_rewards", "30/20/10")
    await services.prediction_pool.fund(organizer, tid, funded, from_wallet=False)
    await services.brackets.start(organizer, tid, seed=1)
    fans = [fan(event, new_id, name) for name in ("Oracle", "Coin flip", "রাকিব")]
    for index, match in enumerate(await ready(services, event)):
        await services.predictions.predict(fans[0], match.id, 0)  # side A always wins
        await services.predictions.predict(fans[1], match.id, index % 2)
        await services.predictions.predict(fans[2], match.id, 1)
    return event, fans


async def test_top_predictors_are_paid_from_the_pool_when_it_ends(
    services: Services, new_id
) -> None:
    event, fans = await _rewarded_event(services, new_id, funded=100)
    await _play_out(services, event)
    board = await services.predictions.leaderboard(event.tournament_id)
    assert [(r.name, r.reward_coins) for r in board.rows[:2]] == [("Oracle", 30), ("Coin flip", 20)]
    assert await services.ledger.balance(event.guild_id, fans[0].user_id) == 30
    assert await services.ledger.balance(event.guild_id, fans[1].user_id) == 20
    # Nobody with no points is paid; the rest stays in the pool.
    assert await services.ledger.balance(event.guild_id, fans[2].user_id) == 0
    assert await services.prediction_pool.balance(event.guild_id, event.tournament_id) == 50
    with pytest.raises(Conflict, match="Nobody is waiting"):
        await services.prediction_pool.payout(event.organizer, event.tournament_id)


async def test_a_short_pool_pays_in_rank_order_and_never_twice(services: Services, new_id) -> None:
    event, fans = await _rewarded_event(services, new_id, funded=40)
    await _play_out(services, event)
    # 30 for the first; 10 left cannot pay the second's 20: they wait, the pool stays >= 0.
    assert await services.ledger.balance(event.guild_id, fans[0].user_id) == 30
    assert await services.ledger.balance(event.guild_id, fans[1].user_id) == 0
    assert await services.prediction_pool.balance(event.guild_id, event.tournament_id) == 10
    async with services.db.read() as session:
        events = list(
            await session.scalars(
                select(OutboxEvent.payload).where(
                    OutboxEvent.event_type == "predictions.rewards_paid",
                    OutboxEvent.guild_id == event.guild_id,
                )
            )
        )
    assert [(e["paid"], e["unpaid"]) for e in events] == [
        (
            [{"user_id": fans[0].user_id, "place": 1, "coins": 30}],
            [{"user_id": fans[1].user_id, "place": 2, "coins": 20}],
        )
    ]
    # A stranger cannot pay out; the organizer tops the pool up and pays the rest, once.
    with pytest.raises(PermissionDenied):
        await services.prediction_pool.payout(fans[2], event.tournament_id)
    await services.prediction_pool.fund(event.organizer, event.tournament_id, 15, from_wallet=False)
    outcome = await services.prediction_pool.payout(event.organizer, event.tournament_id)
    assert [p["user_id"] for p in outcome.paid] == [fans[1].user_id] and not outcome.unpaid
    assert await services.ledger.balance(event.guild_id, fans[0].user_id) == 30
    assert await services.ledger.balance(event.guild_id, fans[1].user_id) == 20
    assert await services.prediction_pool.balance(event.guild_id, event.tournament_id) == 5
    with pytest.raises(Conflict, match="Nobody is waiting"):
        await services.prediction_pool.payout(event.organizer, event.tournament_id)


async def test_payout_before_the_end_is_refused(services: Services, new_id) -> None:
    event, _ = await _rewarded_event(services, new_id, funded=100)
    with pytest.raises(Conflict, match="has not ended yet"):
        await services.prediction_pool.payout(event.organizer, event.tournament_id)
    assert await services.prediction_pool.balance(event.guild_id, event.tournament_id) == 100
