"""Coin pools: coins a server sets aside for prizes it pays later (a challenge's reward, a
prediction round's pot), each under a unique key per server such as ``challenge:12``.

An organizer funds a pool from their own wallet (a ledger spend, returned to that wallet
when the pool is emptied back) or as a server grant (new coins, like ``/coins grant``).
Paying out is ONE conditional UPDATE (``balance - amount >= 0``) plus a ledger credit to
the winner carrying the caller's idempotency key, in the caller's transaction: two payouts
racing for the last coins cannot overdraw the pool, and a replayed key pays nothing and
says so (``LedgerEntryView.replayed``). Every movement is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from engine.guilds import require_guild_organizer
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput
from engine.kernel.sql import insert_ignoring_conflicts
from engine.kernel.text import Text, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.money.ledger import (
    MAX_BALANCE,
    MAX_GRANT,
    LedgerEntryView,
    _entry_by_key,
    coin_name_of,
    move_coins,
)
from storage.models import CoinPool, CoinPoolFunding
from storage.models.enums import LedgerKind

MAX_POOL_KEY = 64


class PoolExhausted(Conflict):
    """A payout would take a pool below zero (or the pool does not exist); nothing moved."""

    def __init__(self, message: Text, *, balance: int, needed: int) -> None:
        super().__init__(message)
        self.balance = balance
        self.needed = needed


@dataclass(frozen=True)
class PoolView:
    id: int
    guild_id: int
    key: str
    balance: int
    funded_total: int
    paid_total: int
    coin_name: str
    # True when the funding's idempotency key had already been used: nothing moved.
    replayed: bool = False


@dataclass(frozen=True)
class PoolReturn:
    """What emptying a pool did: coins back to the wallets they came from, and the granted
    coins that simply went away."""

    key: str
    emptied: int
    returned: list[LedgerEntryView]
    retired_grant: int


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_POOL_KEY:
        raise ValueError(f"a pool key of 1 to {MAX_POOL_KEY} characters is required")


async def _pool(session: AsyncSession, guild_id: int, key: str) -> CoinPool | None:
    return await session.scalar(
        select(CoinPool)
        .where(CoinPool.guild_id == guild_id, CoinPool.key == key)
        .execution_options(populate_existing=True)
    )


async def _view(session: AsyncSession, pool: CoinPool, *, replayed: bool = False) -> PoolView:
    return PoolView(
        id=pool.id,
        guild_id=pool.guild_id,
        key=pool.key,
        balance=pool.balance,
        funded_total=pool.funded_total,
        paid_total=pool.paid_total,
        coin_name=await coin_name_of(session, pool.guild_id),
        replayed=replayed,
    )


async def pool_view(session: AsyncSession, guild_id: int, key: str) -> PoolView | None:
    pool = await _pool(session, guild_id, key)
    return None if pool is None else await _view(session, pool)


async def pool_balance(session: AsyncSession, guild_id: int, key: str) -> int:
    balance = await session.scalar(
        select(CoinPool.balance).where(CoinPool.guild_id == guild_id, CoinPool.key == key)
    )
    return balance or 0


async def fund_pool(
    uow: UnitOfWork,
    *,
    actor_id: int,
    guild_id: int,
    key: str,
    amount: int,
    from_wallet: bool,
    idempotency_key: str,
) -> PoolView:
    """Put coins into a pool (created on first use) inside the caller's transaction.

    The caller checks who may fund; this moves the coins (a spend from ``actor_id``'s
    wallet when ``from_wallet``, refused with ``InsufficientCoins`` when it is short),
    records the funding and audits it. A used ``idempotency_key`` moves nothing again.
    """
    _check_key(key)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(msg("The number of coins must be a whole number above zero."))
    if amount > MAX_GRANT:
        raise InvalidInput(
            msg(
                "A pool is funded with at most {max_grant:,} coins at a time. Use a smaller "
                "amount.",
                max_grant=MAX_GRANT,
            )
        )
    session = uow.session
    done = await session.scalar(
        select(CoinPoolFunding).where(CoinPoolFunding.idempotency_key == idempotency_key)
    )
    if done is not None:
        pool = await session.get(CoinPool, done.pool_id)
        assert pool is not None
        return await _view(session, pool, replayed=True)
    now = uow.clock.now()
    await session.execute(
        insert_ignoring_conflicts(session, CoinPool)
        .values(
            guild_id=guild_id,
            key=key,
            balance=0,
            funded_total=0,
            paid_total=0,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["guild_id", "key"])
    )
    if from_wallet:
        await move_coins(
            uow,
            guild_id=guild_id,
            user_id=actor_id,
            amount=-amount,
            kind=LedgerKind.POOL,
            reason=f"Prize pool {key}"[:200],
            idempotency_key=f"pool-fund:{idempotency_key}"[:120],
            actor_id=actor_id,
        )
    balance_after = await session.scalar(
        update(CoinPool)
        .where(
            CoinPool.guild_id == guild_id,
            CoinPool.key == key,
            CoinPool.balance + amount <= MAX_BALANCE,
        )
        .values(
            balance=CoinPool.balance + amount,
            funded_total=CoinPool.funded_total + amount,
            updated_at=now,
        )
        .returning(CoinPool.balance)
        .execution_options(synchronize_session=False)
    )
    if balance_after is None:
        raise InvalidInput(
            msg(
                "That would take the pool over {max_balance:,} coins, the most it holds. "
                "Fund a smaller amount.",
                max_balance=MAX_BALANCE,
            )
        )
    pool = await _pool(session, guild_id, key)
    assert pool is not None
    session.add(
        CoinPoolFunding(
            pool_id=pool.id,
            actor_id=actor_id,
            amount=amount,
            from_wallet=from_wallet,
            returned=0,
            idempotency_key=idempotency_key,
            created_at=now,
        )
    )
    await session.flush()
    uow.audit(
        guild_id=guild_id,
        actor_id=actor_id,
        action="pool.fund",
        target_type="pool",
        target_id=pool.id,
        before={"balance": balance_after - amount},
        after={
            "key": key,
            "amount": amount,
            "balance": balance_after,
            "from_wallet": from_wallet,
        },
    )
    return await _view(session, pool)


class _Replayed(Exception):
    def __init__(self, entry: LedgerEntryView) -> None:
        self.entry = entry


async def pay_from_pool(
    uow: UnitOfWork,
    *,
    guild_id: int,
    key: str,
    user_id: int,
    amount: int,
    idempotency_key: str,
    reason: str,
    kind: str = LedgerKind.PRIZE,
    actor_id: int | None = None,
) -> LedgerEntryView:
    """Pay ``amount`` coins from the pool to ``user_id``'s wallet, in the caller's
    transaction. Raises ``PoolExhausted`` when the pool holds less (nothing moves). A key
    that was already used returns the original entry with ``replayed=True`` and moves
    nothing, including under concurrent calls with the same key."""
    _check_key(key)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError("a pool payout is a whole number of coins above zero")
    session = uow.session
    existing = await _entry_by_key(session, idempotency_key)
    if existing is not None:
        return LedgerEntryView.of(existing, replayed=True)
    now = uow.clock.now()
    try:
        # The savepoint covers the pool debit AND the credit: when a concurrent payout
        # with the same key wins, the credit is a replay and the debit is undone with it.
        async with session.begin_nested():
            pool_after = await session.scalar(
                update(CoinPool)
                .where(
                    CoinPool.guild_id == guild_id,
                    CoinPool.key == key,
                    CoinPool.balance - amount >= 0,
                )
                .values(
                    balance=CoinPool.balance - amount,
                    paid_total=CoinPool.paid_total + amount,
                    updated_at=now,
                )
                .returning(CoinPool.balance)
                .execution_options(synchronize_session=False)
            )
            if pool_after is None:
                entry = None
            else:
                entry = await move_coins(
                    uow,
                    guild_id=guild_id,
                    user_id=user_id,
                    amount=amount,
                    kind=kind,
                    reason=reason,
                    idempotency_key=idempotency_key,
                    actor_id=actor_id,
                )
                if entry.replayed:
                    raise _Replayed(entry)
    except _Replayed as replay:
        return replay.entry
    if entry is None or pool_after is None:
        # A payout with this key may have committed while we waited for the pool's lock.
        winner = await _entry_by_key(session, idempotency_key)
        if winner is not None:
            return LedgerEntryView.of(winner, replayed=True)
        balance = await pool_balance(session, guild_id, key)
        raise PoolExhausted(
            msg(
                "The prize pool holds {balance} {coins}, not enough to pay {amount}. "
                "An organizer can add coins to it first.",
                balance=balance,
                coins=await coin_name_of(session, guild_id),
                amount=amount,
            ),
            balance=balance,
            needed=amount,
        )
    pool_id = await session.scalar(
        select(CoinPool.id).where(CoinPool.guild_id == guild_id, CoinPool.key == key)
    )
    uow.audit(
        guild_id=guild_id,
        actor_id=actor_id,
        action="pool.pay",
        target_type="pool",
        target_id=pool_id,
        before={"balance": pool_after + amount},
        after={
            "key": key,
            "user_id": user_id,
            "amount": amount,
            "balance": pool_after,
            "ledger_entry_id": entry.id,
        },
    )
    return entry


async def empty_pool(
    uow: UnitOfWork, *, guild_id: int, key: str, actor_id: int | None
) -> PoolReturn:
    """Take everything left in a pool out: coins funded from wallets go back to those
    wallets (newest funding first, never more than each gave), granted coins go away.
    Idempotent: an empty pool returns nothing."""
    _check_key(key)
    session = uow.session
    pool = await session.scalar(
        select(CoinPool)
        .where(CoinPool.guild_id == guild_id, CoinPool.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if pool is None or pool.balance <= 0:
        return PoolReturn(key=key, emptied=0, returned=[], retired_grant=0)
    left = pool.balance
    emptied = left
    returned: list[LedgerEntryView] = []
    fundings = await session.scalars(
        select(CoinPoolFunding)
        .where(CoinPoolFunding.pool_id == pool.id, CoinPoolFunding.from_wallet.is_(True))
        .order_by(CoinPoolFunding.id.desc())
        .with_for_update()
    )
    for funding in list(fundings):
        give = min(left, funding.amount - funding.returned)
        if give <= 0:
            continue
        entry = await pay_from_pool(
            uow,
            guild_id=guild_id,
            key=key,
            user_id=funding.actor_id,
            amount=give,
            idempotency_key=f"pool-return:{funding.id}:{funding.returned + give}",
            reason=f"Returned from prize pool {key}"[:200],
            kind=LedgerKind.POOL,
            actor_id=actor_id,
        )
        funding.returned += give
        returned.append(entry)
        left -= give
        if left <= 0:
            break
    if left > 0:
        await session.execute(
            update(CoinPool)
            .where(CoinPool.id == pool.id, CoinPool.balance >= left)
            .values(balance=CoinPool.balance - left, updated_at=uow.clock.now())
            .execution_options(synchronize_session=False)
        )
    await session.flush()
    uow.audit(
        guild_id=guild_id,
        actor_id=actor_id,
        action="pool.empty",
        target_type="pool",
        target_id=pool.id,
        before={"balance": emptied},
        after={
            "key": key,
            "balance": 0,
            "returned": sum(e.amount for e in returned),
            "retired_grant": left,
        },
    )
    return PoolReturn(key=key, emptied=emptied, returned=returned, retired_grant=left)


class PoolService:
    """Organizer-facing pool operations, each its own unit of work."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def fund(
        self,
        actor: Actor,
        guild_id: int,
        key: str,
        amount: int,
        *,
        from_wallet: bool,
        idempotency_key: str | None = None,
    ) -> PoolView:
        """An organizer adds coins to a pool: from their wallet, or as a server grant."""
        async with self._ctx.unit_of_work() as uow:
            await require_guild_organizer(uow.session, actor, guild_id)
            return await fund_pool(
                uow,
                actor_id=actor.user_id,
                guild_id=guild_id,
                key=key,
                amount=amount,
                from_wallet=from_wallet,
                idempotency_key=idempotency_key or f"pool:{uuid.uuid4().hex}",
            )

    async def balance(self, guild_id: int, key: str) -> int:
        async with self._ctx.read() as session:
            return await pool_balance(session, guild_id, key)

    async def view(self, guild_id: int, key: str) -> PoolView | None:
        async with self._ctx.read() as session:
            return await pool_view(session, guild_id, key)

    async def empty(self, actor: Actor, guild_id: int, key: str) -> PoolReturn:
        """An organizer takes what is left out of a pool (see :func:`empty_pool`)."""
        async with self._ctx.unit_of_work() as uow:
            await require_guild_organizer(uow.session, actor, guild_id)
            return await empty_pool(uow, guild_id=guild_id, key=key, actor_id=actor.user_id)
