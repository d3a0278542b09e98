"""Prizes: money prizes marked paid by an organizer (the winners told, paid/unpaid shown,
an unpaid report), and coin prizes split across a team's roster (the remainder rule)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from engine.formats import Result
from engine.kernel.clock import FrozenClock
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.services import Services
from storage.db import Database
from storage.models import Placing, RegistrationMember, Tournament
from testkit.factories import make_event
from testkit.payment_helpers import Guild, events, make_guild, png_bytes


@pytest.fixture
def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    return Services(db, clock, data_dir=tmp_path)


async def _finished(services: Services, new_id, guild: Guild, **pools: object):  # type: ignore[no-untyped-def]
    """A two-player final played to the end: the first entrant wins."""
    event = await make_event(services, new_id, organizer=guild.owner, players=2)
    async with services.db.transaction() as session:
        await session.execute(
            update(Tournament).where(Tournament.id == event.tournament_id).values(**pools)
        )
    return event


async def _play_final(services: Services, guild: Guild, event) -> None:  # type: ignore[no-untyped-def]
    await services.brackets.start(guild.owner, event.tournament_id, seed=1)
    [final] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    scores = (1, 0) if final.registration_a_id == event.registrations[0] else (0, 1)
    await services.brackets.apply(guild.owner, event.tournament_id, Result(final.code, scores))


async def test_money_prizes_are_marked_paid_and_the_winner_told(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    event = await _finished(
        services,
        new_id,
        guild,
        prize_pool_minor=100_000,
        prize_distribution=[60, 40],
        currency="BDT",
    )
    await _play_final(services, guild, event)
    tid, (winner, runner_up) = event.tournament_id, event.registrations
    co = guild.member(new_id())
    await services.tournaments.add_co_organizer(guild.owner, tid, co.user_id)

    owed = await services.prizes.unpaid(co, tid)
    assert [(p.registration_id, p.amount_text) for p in owed] == [
        (winner, "৳600.00"),
        (runner_up, "৳400.00"),
    ]
    player = guild.member(event.users[0])
    with pytest.raises(PermissionDenied):
        await services.prizes.unpaid(player, tid)
    with pytest.raises(PermissionDenied):
        await services.prizes.mark_paid(player, tid, winner, method="bKash", reference="X1")
    with pytest.raises(InvalidInput):
        await services.prizes.mark_paid(co, tid, winner, method="b", reference="X1")

    paid = await services.prizes.mark_paid(
        co, tid, winner, method="bKash", reference="9BD7K2LQ1X", receipt=png_bytes()
    )
    assert paid.is_paid and paid.paid_by == co.user_id and paid.paid_method == "bKash"
    [event_row] = await events(services, "prize.paid", registration_id=winner)
    assert event_row["user_ids"] == [event.users[0]] and event_row["amount_text"] == "৳600.00"
    with pytest.raises(Conflict, match="already marked paid"):
        await services.prizes.mark_paid(co, tid, winner, method="Cash", reference="again")

    shown = {p.registration_id: p.is_paid for p in await services.prizes.prizes(tid)}
    assert shown == {winner: True, runner_up: False}
    assert [p.registration_id for p in await services.prizes.unpaid(co, tid)] == [runner_up]
    async with services.db.read() as session:
        placing = await session.get(Placing, paid.placing_id)
        assert placing is not None and placing.prize_receipt_sha256 is not None
    actions = [e.action for e in await services.audit.recent(guild.id, limit=50)]
    assert actions.count("prize.paid") == 1


async def test_an_entry_without_a_money_prize_cannot_be_marked(services: Services, new_id):
    guild = await make_guild(services, new_id)
    event = await _finished(services, new_id, guild, prize_pool_coins=50, prize_distribution=[100])
    await _play_final(services, guild, event)
    with pytest.raises(NotFound, match="no money prize"):
        await services.prizes.mark_paid(
            guild.owner, event.tournament_id, event.registrations[0], method="bKash", reference="1"
        )


async def test_team_coin_prize_is_split_with_the_remainder_to_the_captain(
    services: Services, new_id
) -> None:
    """100 coins to a team of three: 33 each, and the 1 coin that does not divide goes to
    the captain (who registered the team): 34 + 33 + 33, nothing invented or lost."""
    guild = await make_guild(services, new_id)
    event = await _finished(services, new_id, guild, prize_pool_coins=100, prize_distribution=[100])
    captain = event.users[0]
    mates = [new_id(), new_id()]
    async with services.db.transaction() as session:
        for mate in mates:
            session.add(
                RegistrationMember(
                    registration_id=event.registrations[0],
                    tournament_id=event.tournament_id,
                    user_id=mate,
                )
            )
    await _play_final(services, guild, event)

    balances = [await services.ledger.balance(guild.id, u) for u in (captain, *mates)]
    assert balances == [34, 33, 33]
    assert sum(balances) == 100
    assert await services.ledger.balance(guild.id, event.users[1]) == 0  # 2nd place: 0 %
