"""Concurrency: the database, not Python, decides who gets the last coin.

Every task runs its own transaction (its own session) through ``asyncio.gather``, on
SQLite (BEGIN IMMEDIATE) and PostgreSQL (row locks + conditional UPDATE).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from engine.kernel.clock import FrozenClock
from engine.kernel.errors import Conflict
from engine.money import InsufficientCoins, LedgerEntryView, move_coins
from engine.services import Services
from storage.db import Database
from storage.models.enums import LedgerKind, PaymentStatus, RegistrationStatus
from testkit.payment_helpers import (
    add_co_organizer,
    make_guild,
    make_registration,
    make_tournament,
    payments_of,
    png_bytes,
    registration_status,
)


@pytest.fixture
def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    return Services(db, clock, data_dir=tmp_path)


async def _spend(services: Services, guild_id: int, user_id: int, key: str) -> LedgerEntryView:
    async with services.ctx.unit_of_work() as uow:
        return await move_coins(
            uow,
            guild_id=guild_id,
            user_id=user_id,
            amount=-1,
            kind=LedgerKind.CHALLENGE,
            reason="Race",
            idempotency_key=key,
            actor_id=user_id,
        )


async def test_500_concurrent_spends_of_300_coins(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    member = new_id()
    await services.ledger.grant(guild.owner, guild.id, member, 300, "Stake", f"g:{new_id()}")
    prefix = new_id()

    results = await asyncio.gather(
        *(_spend(services, guild.id, member, f"race:{prefix}:{i}") for i in range(500)),
        return_exceptions=True,
    )

    successes = [r for r in results if isinstance(r, LedgerEntryView)]
    refusals = [r for r in results if isinstance(r, InsufficientCoins)]
    unexpected = [r for r in results if not isinstance(r, LedgerEntryView | InsufficientCoins)]
    assert unexpected == []
    assert (len(successes), len(refusals)) == (300, 200)
    assert all("balance is 0" in r.message and "needs 1" in r.message for r in refusals)
    assert sorted(s.balance_after for s in successes) == list(range(300))
    assert await services.ledger.balance(guild.id, member) == 0
    assert await services.ledger.ledger_total(guild.id, member) == 0


async def test_one_key_charges_once_under_50_concurrent_calls(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    member = new_id()
    await services.ledger.grant(guild.owner, guild.id, member, 10, "Stake", f"g:{new_id()}")
    key = f"once:{new_id()}"

    results = await asyncio.gather(*(_spend(services, guild.id, member, key) for _ in range(50)))

    assert len({r.id for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert await services.ledger.balance(guild.id, member) == 9
    assert await services.ledger.ledger_total(guild.id, member) == 9


async def test_first_use_wallet_creation_races_safely(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    member, prefix = new_id(), new_id()

    async def credit(i: int) -> LedgerEntryView:
        async with services.ctx.unit_of_work() as uow:
            return await move_coins(
                uow,
                guild_id=guild.id,
                user_id=member,
                amount=2,
                kind=LedgerKind.PRIZE,
                reason="Prize",
                idempotency_key=f"prize:{prefix}:{i}",
                actor_id=None,
            )

    await asyncio.gather(*(credit(i) for i in range(30)))
    assert await services.ledger.balance(guild.id, member) == 60
    assert await services.ledger.ledger_total(guild.id, member) == 60


async def test_20_concurrent_approve_clicks_approve_once(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=15000)
    player = guild.member(new_id())
    reg = await make_registration(services, guild, tid, player.user_id)
    view = await services.payments.pay(
        player, tid, "bkash", reference="RACE12345", proof=png_bytes()
    )
    organizers = [await add_co_organizer(services, guild, tid, new_id()) for _ in range(20)]

    results = await asyncio.gather(
        *(services.payments.approve(o, view.id) for o in organizers), return_exceptions=True
    )

    approved = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(approved), len(refused)) == (1, 19)
    assert all("already approved" in r.message for r in refused)
    [payment] = await payments_of(services, reg)
    assert payment.status == PaymentStatus.APPROVED
    assert payment.reviewer_id == approved[0].reviewer_id
    assert await registration_status(services, reg) == RegistrationStatus.CONFIRMED
    audits = await services.audit.recent(guild.id, action_prefix="payment.approve")
    assert len(audits) == 1


async def test_double_pay_with_coins_charges_once(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_coins=25)
    player = guild.member(new_id())
    reg = await make_registration(services, guild, tid, player.user_id)
    await services.ledger.grant(guild.owner, guild.id, player.user_id, 100, "Seed", f"g:{new_id()}")

    results = await asyncio.gather(
        *(services.payments.pay(player, tid, "coins") for _ in range(10)), return_exceptions=True
    )

    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))
    assert await services.ledger.balance(guild.id, player.user_id) == 75
    assert len(await payments_of(services, reg)) == 1
