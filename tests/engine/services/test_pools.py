"""Coin pools: funding from a wallet or as a grant, paying out never overdraws, a replayed
key pays nothing, and emptying a pool returns wallet coins to their funders. On SQLite and
PostgreSQL, with races settled by the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.kernel.clock import FrozenClock
from engine.kernel.errors import PermissionDenied
from engine.money import (
    InsufficientCoins,
    LedgerEntryView,
    PoolExhausted,
    empty_pool,
    pay_from_pool,
)
from engine.services import Services
from storage.db import Database
from storage.models import AuditEntry, CoinPool
from storage.models.enums import LedgerKind
from testkit.payment_helpers import make_guild


@pytest.fixture
def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    return Services(db, clock, data_dir=tmp_path)


async def _pay(services: Services, guild_id: int, key: str, user_id: int, amount: int, ikey: str):
    async with services.ctx.unit_of_work() as uow:
        return await pay_from_pool(
            uow,
            guild_id=guild_id,
            key=key,
            user_id=user_id,
            amount=amount,
            idempotency_key=ikey,
            reason="Prize",
            kind=LedgerKind.CHALLENGE,
        )


async def _audit_actions(services: Services, guild_id: int) -> list[str]:
    async with services.ctx.read() as session:
        rows = await session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.guild_id == guild_id, AuditEntry.action.like("pool.%"))
            .order_by(AuditEntry.id)
        )
        return list(rows)


async def test_grant_funding_and_payout(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    winner = new_id()

    view = await services.pools.fund(guild.owner, guild.id, "challenge:1", 100, from_wallet=False)
    assert (view.balance, view.funded_total, view.coin_name) == (100, 100, "Crowns")

    entry = await _pay(services, guild.id, "challenge:1", winner, 60, f"win:{new_id()}")
    assert (entry.amount, entry.balance_after, entry.kind) == (60, 60, "challenge")
    assert await services.pools.balance(guild.id, "challenge:1") == 40
    assert await services.ledger.balance(guild.id, winner) == 60
    assert await _audit_actions(services, guild.id) == ["pool.fund", "pool.pay"]


async def test_funding_from_wallet_spends_the_organizers_coins(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    await services.ledger.grant(guild.owner, guild.id, guild.owner.user_id, 50, "Own", "o:1")

    view = await services.pools.fund(guild.owner, guild.id, "predictions:7", 30, from_wallet=True)

    assert view.balance == 30
    assert await services.ledger.balance(guild.id, guild.owner.user_id) == 20


async def test_refusals_change_nothing(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    player = guild.member(new_id())
    await services.pools.fund(guild.owner, guild.id, "p", 10, from_wallet=False)

    with pytest.raises(PermissionDenied):
        await services.pools.fund(player, guild.id, "p", 10, from_wallet=False)
    with pytest.raises(InsufficientCoins):
        await services.pools.fund(guild.owner, guild.id, "p", 10, from_wallet=True)
    with pytest.raises(PoolExhausted) as exhausted:
        await _pay(services, guild.id, "p", player.user_id, 11, f"k:{new_id()}")
    with pytest.raises(PoolExhausted):
        await _pay(services, guild.id, "missing", player.user_id, 1, f"k:{new_id()}")

    assert "holds 10 Crowns, not enough to pay 11" in exhausted.value.message
    assert (exhausted.value.balance, exhausted.value.needed) == (10, 11)
    assert await services.pools.balance(guild.id, "p") == 10
    assert await services.ledger.balance(guild.id, player.user_id) == 0
    assert await _audit_actions(services, guild.id) == ["pool.fund"]


async def test_a_replayed_key_pays_nothing_and_says_so(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    winner = new_id()
    await services.pools.fund(guild.owner, guild.id, "p", 100, from_wallet=False)
    key = f"once:{new_id()}"

    first = await _pay(services, guild.id, "p", winner, 25, key)
    again = await _pay(services, guild.id, "p", winner, 25, key)

    assert (first.replayed, again.replayed, again.id) == (False, True, first.id)
    assert await services.pools.balance(guild.id, "p") == 75
    assert await services.ledger.balance(guild.id, winner) == 25


async def test_funding_with_the_same_key_twice_funds_once(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    first = await services.pools.fund(
        guild.owner, guild.id, "p", 5, from_wallet=False, idempotency_key="f:1"
    )
    again = await services.pools.fund(
        guild.owner, guild.id, "p", 5, from_wallet=False, idempotency_key="f:1"
    )
    assert (first.replayed, again.replayed, again.balance) == (False, True, 5)


async def test_40_concurrent_payouts_never_overdraw(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    await services.pools.fund(guild.owner, guild.id, "race", 30, from_wallet=False)
    winners = [new_id() for _ in range(40)]

    results = await asyncio.gather(
        *(_pay(services, guild.id, "race", w, 3, f"r:{w}") for w in winners),
        return_exceptions=True,
    )

    paid = [r for r in results if isinstance(r, LedgerEntryView)]
    refused = [r for r in results if isinstance(r, PoolExhausted)]
    assert (len(paid), len(refused), len(results)) == (10, 30, 40)
    assert await services.pools.balance(guild.id, "race") == 0
    async with services.ctx.read() as session:
        paid_total = await session.scalar(
            select(func.sum(CoinPool.paid_total)).where(CoinPool.guild_id == guild.id)
        )
    assert paid_total == 30


async def test_20_concurrent_payouts_with_one_key_pay_once(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    winner = new_id()
    await services.pools.fund(guild.owner, guild.id, "race", 100, from_wallet=False)
    key = f"one:{new_id()}"

    results = await asyncio.gather(
        *(_pay(services, guild.id, "race", winner, 7, key) for _ in range(20))
    )

    assert sum(not r.replayed for r in results) == 1
    assert len({r.id for r in results}) == 1
    assert await services.pools.balance(guild.id, "race") == 93
    assert await services.ledger.balance(guild.id, winner) == 7


async def test_emptying_returns_wallet_coins_and_retires_granted_ones(
    services: Services, new_id
) -> None:
    guild = await make_guild(services, new_id)
    funder = guild.organizer(new_id())
    await services.ledger.grant(guild.owner, guild.id, funder.user_id, 40, "Own", f"o:{new_id()}")
    await services.pools.fund(guild.owner, guild.id, "p", 50, from_wallet=False)
    await services.pools.fund(funder, guild.id, "p", 40, from_wallet=True)
    await _pay(services, guild.id, "p", new_id(), 60, f"w:{new_id()}")

    result = await services.pools.empty(guild.owner, guild.id, "p")
    again = await services.pools.empty(guild.owner, guild.id, "p")

    assert (result.emptied, result.retired_grant) == (30, 0)
    assert [(e.user_id, e.amount) for e in result.returned] == [(funder.user_id, 30)]
    assert again.emptied == 0
    assert await services.ledger.balance(guild.id, funder.user_id) == 30
    assert await services.pools.balance(guild.id, "p") == 0


async def test_emptying_a_granted_pool_moves_no_wallet(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    await services.pools.fund(guild.owner, guild.id, "g", 20, from_wallet=False)
    async with services.ctx.unit_of_work() as uow:
        result = await empty_pool(uow, guild_id=guild.id, key="g", actor_id=guild.owner.user_id)
    assert (result.emptied, result.retired_grant, result.returned) == (20, 20, [])
    assert await services.pools.balance(guild.id, "g") == 0
