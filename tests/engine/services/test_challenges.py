"""Challenges through the services, on SQLite and PostgreSQL: the pool covers every
prize, a reviewed claim is paid once (also under 20 racing verifications), automatic
challenges are judged from match results, and every refusal changes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.challenges import ChallengeDraft, ClaimView, Judge
from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock
from engine.kernel.errors import Conflict, InvalidInput, PermissionDenied
from engine.services import Services
from storage.db import Database
from storage.models import AuditEntry, Challenge, ChallengeClaim, OutboxEvent
from testkit.factories import Event, make_event
from testkit.payment_helpers import Guild, add_co_organizer, make_guild, png_bytes


@pytest.fixture
def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    return Services(db, clock, data_dir=tmp_path)


def draft(services: Services, **changes) -> ChallengeDraft:  # type: ignore[no-untyped-def]
    values = {
        "title": "Ace clutch",
        "rules": "Win a round 1 versus 5; post the clip.",
        "prize": 50,
        "max_winners": 2,
        "deadline": services.clock.now() + timedelta(days=3),
        "judge": Judge.REVIEW,
        **changes,
    }
    return ChallengeDraft(**values)


async def _count(services: Services, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with services.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def _events(services: Services, guild_id: int) -> list[str]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(OutboxEvent.event_type)
            .where(OutboxEvent.guild_id == guild_id, OutboxEvent.event_type.like("challenge.%"))
            .order_by(OutboxEvent.id)
        )
        return list(rows)


async def _funded(services: Services, new_id, coins: int = 100) -> Guild:  # type: ignore[no-untyped-def]
    guild = await make_guild(services, new_id)
    await services.challenges.fund(guild.owner, guild.id, coins, from_wallet=False)
    return guild


async def test_create_refuses_a_prize_larger_than_the_pool(services: Services, new_id) -> None:
    guild = await _funded(services, new_id, 90)

    with pytest.raises(InvalidInput) as refused:
        await services.challenges.create(guild.owner, guild.id, draft(services, prize=50))

    assert "100 Crowns (50 for each of 2 winners)" in refused.value.message
    assert "90 Crowns free" in refused.value.message
    assert await _count(services, Challenge, Challenge.guild_id == guild.id) == 0
    assert (await services.challenges.pool(guild.id)).balance == 90


async def test_open_challenges_keep_their_prizes_promised(services: Services, new_id) -> None:
    guild = await _funded(services, new_id, 150)
    await services.challenges.create(guild.owner, guild.id, draft(services))  # promises 100

    with pytest.raises(InvalidInput):
        await services.challenges.create(
            guild.owner, guild.id, draft(services, max_winners=1, prize=51)
        )
    pool = await services.challenges.pool(guild.id)
    assert (pool.balance, pool.promised, pool.free) == (150, 100, 50)
    await services.challenges.create(guild.owner, guild.id, draft(services, max_winners=1))
    assert await _count(services, Challenge, Challenge.guild_id == guild.id) == 2


async def test_claim_verify_pays_once(services: Services, new_id) -> None:
    guild = await _funded(services, new_id)
    challenge = await services.challenges.create(guild.owner, guild.id, draft(services))
    player = guild.member(new_id())

    claim = await services.challenges.claim(
        player, challenge.id, note="https://clips.example/ace", evidence=png_bytes()
    )
    assert (claim.status, claim.has_evidence) == ("pending", True)
    paid = await services.challenges.verify(guild.owner, claim.id)
    again = await services.challenges.verify(guild.owner, claim.id)

    assert (paid.status, paid.balance_after, paid.replayed) == ("won", 50, False)
    assert (again.status, again.replayed) == ("won", True)
    assert await services.ledger.balance(guild.id, player.user_id) == 50
    assert (await services.challenges.pool(guild.id)).balance == 50
    assert (await services.challenges.get(guild.id, challenge.id)).winners == 1
    assert [w.user_id for w in await services.challenges.winners(guild.id)] == [player.user_id]
    assert await _events(services, guild.id) == [
        "challenge.created",
        "challenge.claim_submitted",
        "challenge.won",
    ]
    async with services.db.read() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.guild_id == guild.id)
                .order_by(AuditEntry.id)
            )
        )
    assert actions[-3:] == ["challenge.claim", "pool.pay", "challenge.win"]


async def test_refusals_change_nothing(services: Services, new_id, clock: FrozenClock) -> None:
    guild = await _funded(services, new_id)
    challenge = await services.challenges.create(guild.owner, guild.id, draft(services))
    player, other = guild.member(new_id()), guild.member(new_id())
    claim = await services.challenges.claim(player, challenge.id, note="clip link")
    events = await _events(services, guild.id)

    with pytest.raises(Conflict) as twice:
        await services.challenges.claim(player, challenge.id, note="again")
    assert "already claimed" in twice.value.message
    with pytest.raises(PermissionDenied):
        await services.challenges.verify(other, claim.id)
    with pytest.raises(InvalidInput):
        await services.challenges.claim(other, challenge.id)  # no evidence at all
    with pytest.raises(InvalidInput):
        await services.challenges.claim(other, challenge.id, evidence=b"not an image")
    clock.advance(days=4)
    with pytest.raises(Conflict) as late:
        await services.challenges.claim(other, challenge.id, note="too late")
    assert "deadline" in late.value.message

    assert await _count(services, ChallengeClaim, ChallengeClaim.challenge_id == challenge.id) == 1
    assert await services.ledger.balance(guild.id, player.user_id) == 0
    assert (await services.challenges.pool(guild.id)).balance == 100
    assert await _events(services, guild.id) == events
    # A claim sent before the deadline can still be verified after it.
    assert (await services.challenges.verify(guild.owner, claim.id)).status == "won"


async def test_reject_tells_the_player_and_blocks_payment(services: Services, new_id) -> None:
    guild = await _funded(services, new_id)
    challenge = await services.challenges.create(guild.owner, guild.id, draft(services))
    player = guild.member(new_id())
    claim = await services.challenges.claim(player, challenge.id, note="clip")

    rejected = await services.challenges.reject(guild.owner, claim.id, "The clip is cut.")
    assert (rejected.status, rejected.review_note) == ("rejected", "The clip is cut.")
    with pytest.raises(Conflict):
        await services.challenges.verify(guild.owner, claim.id)
    assert await services.ledger.balance(guild.id, player.user_id) == 0
    assert (await _events(services, guild.id))[-1] == "challenge.claim_rejected"


async def test_20_concurrent_verifications_pay_once(services: Services, new_id) -> None:
    guild = await _funded(services, new_id)
    challenge = await services.challenges.create(guild.owner, guild.id, draft(services))
    player = guild.member(new_id())
    claim = await services.challenges.claim(player, challenge.id, evidence=png_bytes())
    organizers = [guild.organizer(new_id()) for _ in range(20)]

    results = await asyncio.gather(
        *(services.challenges.verify(o, claim.id) for o in organizers), return_exceptions=True
    )

    views = [r for r in results if isinstance(r, ClaimView)]
    assert len(views) == 20, [r for r in results if not isinstance(r, ClaimView)]
    assert sum(not v.replayed for v in views) == 1
    assert {v.status for v in views} == {"won"}
    assert await services.ledger.balance(guild.id, player.user_id) == 50
    assert await services.ledger.ledger_total(guild.id, player.user_id) == 50
    assert (await services.challenges.pool(guild.id)).balance == 50
    assert (await services.challenges.get(guild.id, challenge.id)).winners == 1
    assert (await _events(services, guild.id)).count("challenge.won") == 1


async def test_a_tournament_challenge_is_decided_by_who_runs_it(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4)
    owner = event.organizer
    await services.challenges.fund(owner, event.guild_id, 100, from_wallet=False)
    challenge = await services.challenges.create(
        owner, event.guild_id, draft(services, tournament_id=event.tournament_id)
    )
    player = Actor(user_id=event.users[0], guild_id=event.guild_id)
    claim = await services.challenges.claim(player, challenge.id, note="clip")
    guild = Guild(event.guild_id, owner, 0)
    co = await add_co_organizer(services, guild, event.tournament_id, new_id(), with_role=False)
    outsider = Actor(user_id=new_id(), guild_id=event.guild_id)

    with pytest.raises(PermissionDenied):
        await services.challenges.verify(outsider, claim.id)
    assert (await services.challenges.verify(co, claim.id)).status == "won"
    assert challenge.tournament_name is not None


# Automatic judging -----------------------------------------------------------------------


async def _started(services: Services, new_id, *, prize_pool: int = 200) -> Event:  # type: ignore[no-untyped-def]
    event = await make_event(services, new_id, players=4, best_of=3)
    await services.challenges.fund(event.organizer, event.guild_id, prize_pool, from_wallet=False)
    return event


async def _auto(services: Services, event: Event, judge: str, **changes):  # type: ignore[no-untyped-def]
    return await services.challenges.create(
        event.organizer,
        event.guild_id,
        draft(services, judge=judge, tournament_id=event.tournament_id, **changes),
    )


async def _play(services: Services, event: Event, index: int, first: int, second: int):  # type: ignore[no-untyped-def]
    ready = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    match = sorted(ready, key=lambda m: m.code)[index]
    await services.scores.set_score(event.organizer, event.tournament_id, match.code, first, second)
    return await services.brackets.get_match(match.id)


def _user_of(event: Event, registration_id: int | None) -> int:
    return event.users[event.registrations.index(registration_id)]  # type: ignore[arg-type]


async def test_clean_sweep_pays_the_sweeper_at_once(services: Services, new_id) -> None:
    event = await _started(services, new_id)
    challenge = await _auto(services, event, Judge.CLEAN_SWEEP, max_winners=1)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)

    close = await _play(services, event, 0, 2, 1)  # a dropped map: no prize
    assert (
        await services.ledger.balance(event.guild_id, _user_of(event, close.winner_registration_id))
        == 0
    )
    sweep = await _play(services, event, 0, 0, 2)
    sweeper = _user_of(event, sweep.winner_registration_id)

    assert await services.ledger.balance(event.guild_id, sweeper) == 50
    [winner] = await services.challenges.winners(event.guild_id)
    assert (winner.user_id, winner.match_id) == (sweeper, sweep.id)
    assert (await services.challenges.get(event.guild_id, challenge.id)).winners == 1
    # Its one place is taken: the final's sweep pays nobody more.
    final = await _play(services, event, 0, 2, 0)
    assert final.status == "completed"
    assert len(await services.challenges.winners(event.guild_id)) == 1
    assert (await services.challenges.pool(event.guild_id)).balance == 150


async def test_upset_pays_a_lower_seed_beating_a_higher_one(services: Services, new_id) -> None:
    event = await _started(services, new_id)
    await _auto(services, event, Judge.UPSET)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    ready = sorted(
        await services.brackets.matches(event.tournament_id, statuses=["ready"]),
        key=lambda m: m.code,
    )
    seeds = {r: i + 1 for i, r in enumerate(event.registrations)}

    async def play(match, underdog_wins: bool):  # type: ignore[no-untyped-def]
        a_is_underdog = seeds[match.registration_a_id] > seeds[match.registration_b_id]
        a_wins = a_is_underdog == underdog_wins
        index = sorted(
            await services.brackets.matches(event.tournament_id, statuses=["ready"]),
            key=lambda m: m.code,
        ).index(match)
        return await _play(services, event, index, *((2, 0) if a_wins else (0, 2)))

    upset_match = await play(ready[0], underdog_wins=True)
    favourite_match = await play(ready[1], underdog_wins=False)

    underdog = _user_of(event, upset_match.winner_registration_id)
    favourite = _user_of(event, favourite_match.winner_registration_id)
    assert await services.ledger.balance(event.guild_id, underdog) == 50
    assert await services.ledger.balance(event.guild_id, favourite) == 0
    assert [w.user_id for w in await services.challenges.winners(event.guild_id)] == [underdog]


async def test_first_to_two_wins(services: Services, new_id) -> None:
    event = await _started(services, new_id)
    await _auto(services, event, Judge.FIRST_TO, target=2, max_winners=1)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)

    semi_one = await _play(services, event, 0, 2, 1)
    await _play(services, event, 0, 2, 1)
    assert await services.challenges.winners(event.guild_id) == []
    final = await _play(services, event, 0, 2, 1)
    champion = _user_of(event, final.winner_registration_id)

    assert await services.ledger.balance(event.guild_id, champion) == 50
    assert semi_one.status == "completed"


async def test_no_automatic_win_after_the_deadline(
    services: Services, new_id, clock: FrozenClock
) -> None:
    event = await _started(services, new_id)
    await _auto(services, event, Judge.CLEAN_SWEEP, deadline=clock.now() + timedelta(hours=1))
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    clock.advance(hours=2)

    played = await _play(services, event, 0, 2, 0)

    assert played.status == "completed"
    assert await services.challenges.winners(event.guild_id) == []
    assert (await services.challenges.pool(event.guild_id)).balance == 200


async def test_a_win_the_pool_cannot_pay_waits_for_an_organizer(services: Services, new_id) -> None:
    event = await _started(services, new_id, prize_pool=50)
    challenge = await _auto(services, event, Judge.CLEAN_SWEEP, max_winners=1)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    # The pool's coins go elsewhere meanwhile (another payout from the same pool).
    async with services.ctx.unit_of_work() as uow:
        from engine.money import pay_from_pool

        await pay_from_pool(
            uow,
            guild_id=event.guild_id,
            key="challenges",
            user_id=new_id(),
            amount=50,
            idempotency_key=f"drain:{new_id()}",
            reason="Elsewhere",
        )

    played = await _play(services, event, 0, 2, 0)

    assert played.status == "completed"  # the result itself is never refused
    [pending] = await services.challenges.claims(event.guild_id, status="pending")
    assert pending.match_id == played.id
    await services.challenges.fund(event.organizer, event.guild_id, 50, from_wallet=False)
    paid = await services.challenges.verify(event.organizer, pending.id)
    assert paid.status == "won"
    assert (await services.challenges.get(event.guild_id, challenge.id)).winners == 1


async def test_review_queue_shows_each_organizer_what_they_decide(
    services: Services, new_id
) -> None:
    event = await make_event(services, new_id, players=4)
    owner = event.organizer
    await services.challenges.fund(owner, event.guild_id, 200, from_wallet=False)
    server_wide = await services.challenges.create(owner, event.guild_id, draft(services))
    of_cup = await services.challenges.create(
        owner, event.guild_id, draft(services, tournament_id=event.tournament_id)
    )
    player = Actor(user_id=event.users[0], guild_id=event.guild_id)
    on_server = await services.challenges.claim(
        player, server_wide.id, note="clip", evidence=png_bytes()
    )
    on_cup = await services.challenges.claim(player, of_cup.id, note="clip")
    guild = Guild(event.guild_id, owner, 0)
    co = await add_co_organizer(services, guild, event.tournament_id, new_id(), with_role=False)

    assert [c.id for c in await services.challenges.review_queue(owner, event.guild_id)] == [
        on_server.id,
        on_cup.id,
    ]
    assert [c.id for c in await services.challenges.review_queue(co, event.guild_id)] == [on_cup.id]
    with pytest.raises(PermissionDenied):
        await services.challenges.review_queue(player, event.guild_id)
    image = await services.challenges.evidence(owner, on_server.id)
    assert image is not None and image[0].startswith(b"\x89PNG") and image[1] == "image/png"
    assert await services.challenges.evidence(co, on_cup.id) is None
    with pytest.raises(PermissionDenied):
        await services.challenges.evidence(co, on_server.id)


async def test_withdrawing_the_pool_waits_for_open_challenges(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    funder = guild.organizer(new_id())
    await services.ledger.grant(guild.owner, guild.id, funder.user_id, 80, "Own", f"o:{new_id()}")
    await services.challenges.fund(funder, guild.id, 80, from_wallet=True)
    await services.challenges.fund(guild.owner, guild.id, 40, from_wallet=False)
    challenge = await services.challenges.create(guild.owner, guild.id, draft(services))
    claim = await services.challenges.claim(guild.member(new_id()), challenge.id, note="clip")
    await services.challenges.verify(guild.owner, claim.id)  # 50 paid, 50 still promised

    with pytest.raises(Conflict) as promised:
        await services.challenges.empty_pool(funder, guild.id)
    assert "still promise 50 coins" in promised.value.message
    assert (await services.challenges.pool(guild.id)).balance == 70
    await services.challenges.close(guild.owner, challenge.id)
    done = await services.challenges.empty_pool(funder, guild.id)

    assert (done.emptied, done.retired_grant) == (70, 0)
    assert await services.ledger.balance(guild.id, funder.user_id) == 70
    assert (await services.challenges.pool(guild.id)).balance == 0


async def test_a_server_wide_first_to_counts_a_members_wins(services: Services, new_id) -> None:
    event = await _started(services, new_id)
    await services.challenges.create(
        event.organizer,
        event.guild_id,
        draft(services, judge=Judge.FIRST_TO, target=2, max_winners=1),  # no tournament
    )
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)

    await _play(services, event, 0, 2, 1)
    await _play(services, event, 0, 2, 1)
    final = await _play(services, event, 0, 0, 2)

    [winner] = await services.challenges.winners(event.guild_id)
    assert winner.user_id == _user_of(event, final.winner_registration_id)
    assert winner.match_id == final.id


async def test_a_corrected_result_never_pays_a_winner_twice(services: Services, new_id) -> None:
    event = await _started(services, new_id)
    await _auto(services, event, Judge.CLEAN_SWEEP)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    sweep = await _play(services, event, 0, 2, 0)
    sweeper = _user_of(event, sweep.winner_registration_id)

    await services.scores.set_score(event.organizer, event.tournament_id, sweep.code, 2, 1)
    await services.scores.set_score(event.organizer, event.tournament_id, sweep.code, 2, 0)

    assert await services.ledger.balance(event.guild_id, sweeper) == 50
    assert len(await services.challenges.winners(event.guild_id)) == 1
