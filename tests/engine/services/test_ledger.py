from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput, PermissionDenied
from engine.money import CoinsGranted, InsufficientCoins, move_coins
from engine.services import Services
from storage.models import LedgerEntry, OutboxEvent
from storage.models.enums import LedgerKind


async def _guild(services: Services, new_id) -> tuple[int, Actor]:
    guild_id = new_id()
    owner = Actor(user_id=new_id(), guild_id=guild_id, can_manage_guild=True)
    await services.guilds.configure(owner, guild_id, GuildSetup(coin_name="Crowns"))
    return guild_id, owner


async def _entries(services: Services, guild_id: int, user_id: int) -> int:
    async with services.db.read() as session:
        return await session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.guild_id == guild_id, LedgerEntry.user_id == user_id)
        )


async def test_grant_credits_audits_and_emits(services: Services, new_id) -> None:
    guild_id, owner = await _guild(services, new_id)
    member = new_id()
    entry = await services.ledger.grant(
        owner, guild_id, member, 120, "Weekly quiz", f"g:{new_id()}"
    )
    assert (entry.amount, entry.balance_after, entry.kind) == (120, 120, LedgerKind.GRANT)
    assert not entry.replayed
    wallet = await services.ledger.wallet(guild_id, member)
    assert wallet.balance == 120 and wallet.coin_name == "Crowns"
    assert [e.reason for e in wallet.recent] == ["Weekly quiz"]
    [audit] = await services.audit.recent(guild_id, action_prefix="coins.")
    assert audit.action == "coins.grant" and audit.after["balance"] == 120
    async with services.db.read() as session:
        payloads = (
            await session.scalars(
                select(OutboxEvent.payload).where(OutboxEvent.event_type == "coins.granted")
            )
        ).all()
    event = next(CoinsGranted.from_payload(p) for p in payloads if p["user_id"] == member)
    assert event.amount == 120 and event.coin_name == "Crowns" and event.actor_id == owner.user_id


async def test_negative_grant_removes_but_never_below_zero(services: Services, new_id) -> None:
    guild_id, owner = await _guild(services, new_id)
    member = new_id()
    await services.ledger.grant(owner, guild_id, member, 50, "Signup bonus", f"g:{new_id()}")
    taken = await services.ledger.grant(owner, guild_id, member, -20, "Typo", f"g:{new_id()}")
    assert taken.balance_after == 30
    audits_before = await services.audit.recent(guild_id)
    with pytest.raises(InsufficientCoins) as caught:
        await services.ledger.grant(owner, guild_id, member, -31, "Too much", f"g:{new_id()}")
    assert "only 30 Crowns" in caught.value.message and "at most 30" in caught.value.message
    assert await services.ledger.balance(guild_id, member) == 30
    assert await _entries(services, guild_id, member) == 2
    assert await services.audit.recent(guild_id) == audits_before


async def test_repeated_key_moves_once(services: Services, new_id) -> None:
    guild_id, owner = await _guild(services, new_id)
    member, key = new_id(), f"g:{new_id()}"
    first = await services.ledger.grant(owner, guild_id, member, 10, "Bonus", key)
    again = await services.ledger.grant(owner, guild_id, member, 10, "Bonus", key)
    assert again.replayed and again.id == first.id
    assert await services.ledger.balance(guild_id, member) == 10
    assert len(await services.audit.recent(guild_id, action_prefix="coins.")) == 1


async def test_non_organizer_cannot_grant(services: Services, new_id) -> None:
    guild_id, _ = await _guild(services, new_id)
    stranger = Actor(user_id=new_id(), guild_id=guild_id)
    with pytest.raises(PermissionDenied):
        await services.ledger.grant(
            stranger, guild_id, stranger.user_id, 999, "Me", "k" + str(new_id())
        )
    assert await services.ledger.balance(guild_id, stranger.user_id) == 0
    assert await _entries(services, guild_id, stranger.user_id) == 0


@pytest.mark.parametrize(("amount", "reason"), [(0, "Zero"), (5, "   "), (2_000_000, "Huge")])
async def test_bad_grants_change_nothing(services: Services, new_id, amount, reason) -> None:
    guild_id, owner = await _guild(services, new_id)
    member = new_id()
    with pytest.raises(InvalidInput) as caught:
        await services.ledger.grant(owner, guild_id, member, amount, reason, f"g:{new_id()}")
    assert caught.value.message.endswith(".")
    assert await _entries(services, guild_id, member) == 0
    assert await services.audit.recent(guild_id, action_prefix="coins.") == []


async def test_spend_refused_with_balance_and_need(services: Services, new_id) -> None:
    guild_id, owner = await _guild(services, new_id)
    member = new_id()
    await services.ledger.grant(owner, guild_id, member, 7, "Start", f"g:{new_id()}")
    with pytest.raises(InsufficientCoins) as caught:
        async with services.ctx.unit_of_work() as uow:
            await move_coins(
                uow,
                guild_id=guild_id,
                user_id=member,
                amount=-10,
                kind=LedgerKind.CHALLENGE,
                reason="Challenge stake",
                idempotency_key=f"c:{new_id()}",
                actor_id=member,
            )
    message = caught.value.message
    assert "balance is 7 Crowns" in message and "needs 10" in message and "3 more" in message
    assert await services.ledger.balance(guild_id, member) == 7
    assert await services.ledger.ledger_total(guild_id, member) == 7


async def test_history_is_newest_first_and_sums_to_balance(services: Services, new_id) -> None:
    guild_id, owner = await _guild(services, new_id)
    member = new_id()
    for amount in (5, 10, -3):
        await services.ledger.grant(
            owner, guild_id, member, amount, f"Move {amount}", f"g:{new_id()}"
        )
    history = await services.ledger.history(guild_id, member, limit=2)
    assert [e.amount for e in history] == [-3, 10]
    assert [e.balance_after for e in history] == [12, 15]
    assert await services.ledger.ledger_total(guild_id, member) == 12
    # Another guild's wallet of the same member is separate.
    assert await services.ledger.balance(new_id(), member) == 0


async def test_a_balance_stays_within_what_the_database_holds(services: Services, new_id) -> None:
    from engine.money import MAX_BALANCE

    guild_id, _ = await _guild(services, new_id)
    member = new_id()

    async def prize(amount: int) -> None:
        async with services.ctx.unit_of_work() as uow:
            await move_coins(
                uow,
                guild_id=guild_id,
                user_id=member,
                amount=amount,
                kind=LedgerKind.PRIZE,
                reason="Prize",
                idempotency_key=f"p:{new_id()}",
                actor_id=None,
            )

    await prize(MAX_BALANCE - 5)
    with pytest.raises(InvalidInput, match="the most a wallet holds"):
        await prize(10)
    assert await services.ledger.balance(guild_id, member) == MAX_BALANCE - 5
    await prize(5)  # exactly full is fine
    assert await services.ledger.balance(guild_id, member) == MAX_BALANCE
