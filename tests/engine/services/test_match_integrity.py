"""What a correction, a reset or a disqualification leaves behind: ratings counted once,
no dispute stranded on a match that changed under it."""

from __future__ import annotations

from sqlalchemy import select

from engine.kernel.actors import Actor
from engine.services import Services
from storage.models import Dispute, Ranking
from testkit.factories import Event, make_event


def player(event: Event, registration_id: int | None) -> Actor:
    index = event.registrations.index(registration_id)  # type: ignore[arg-type]
    return Actor(user_id=event.users[index], guild_id=event.guild_id)


async def ratings(services: Services, event: Event) -> dict[int, tuple[int, int]]:
    async with services.db.read() as session:
        rows = await session.scalars(select(Ranking).where(Ranking.guild_id == event.guild_id))
        return {r.subject_id: (r.rating, r.matches_played) for r in rows}


async def dispute_status(services: Services, dispute_id: int) -> str:
    async with services.db.read() as session:
        dispute = await session.get(Dispute, dispute_id)
        assert dispute is not None
        return dispute.status


async def test_a_corrected_result_counts_in_ratings_once(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    match = (await services.brackets.matches(event.tournament_id, statuses=["ready"]))[0]
    await services.scores.set_score(event.organizer, event.tournament_id, match.code, 1, 0)
    first = await ratings(services, event)
    await services.scores.set_score(event.organizer, event.tournament_id, match.code, 0, 1)
    corrected = await ratings(services, event)
    # Each played one match, and the correction is exactly the mirror of the first result.
    assert sorted(played for _, played in corrected.values()) == [1, 1]
    winner, loser = player(event, match.registration_b_id), player(event, match.registration_a_id)
    assert corrected[winner.user_id][0] == first[loser.user_id][0]
    assert corrected[loser.user_id][0] == first[winner.user_id][0]


async def test_a_reset_closes_the_old_pairings_dispute(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    semis = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    for match in semis:
        await services.scores.set_score(event.organizer, event.tournament_id, match.code, 1, 0)
    final = (await services.brackets.matches(event.tournament_id, statuses=["ready"]))[0]
    a, b = final.registration_a_id, final.registration_b_id
    await services.scores.report_score(player(event, a), mine=1, theirs=0, match_id=final.id)
    clash = await services.scores.report_score(
        player(event, b), mine=1, theirs=0, match_id=final.id
    )
    assert clash.dispute_id is not None

    # A semifinal is corrected: the final gets a new pairing and starts over.
    await services.scores.set_score(event.organizer, event.tournament_id, semis[0].code, 0, 1)
    assert await dispute_status(services, clash.dispute_id) == "resolved"
    again = await services.brackets.get_match(final.id)
    assert again.status == "ready" and again.thread_id is None
    await services.scores.report_score(
        player(event, again.registration_a_id), mine=1, theirs=0, match_id=final.id
    )
    second = await services.scores.report_score(
        player(event, again.registration_b_id), mine=1, theirs=0, match_id=final.id
    )
    assert second.dispute_id is not None and second.dispute_id != clash.dispute_id


async def test_walkovers_after_a_dq_close_their_disputes(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4, format="round_robin")
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    cheat = event.registrations[0]
    open_matches = [
        m
        for m in await services.brackets.matches(event.tournament_id, statuses=["ready"])
        if cheat in (m.registration_a_id, m.registration_b_id)
    ]
    disputes = []
    for match in open_matches:
        opponent = (
            match.registration_b_id if match.registration_a_id == cheat else match.registration_a_id
        )
        opened = await services.disputes.open_dispute(
            player(event, opponent),
            reason="cheating",
            description="Aim assist on stream.",
            match_id=match.id,
        )
        disputes.append(opened.id)
    await services.scores.disqualify(
        event.organizer, event.tournament_id, event.users[0], reason="Cheating."
    )
    assert [await dispute_status(services, d) for d in disputes] == ["resolved"] * len(disputes)
    assert await services.disputes.open_disputes(event.organizer, event.guild_id) == []
