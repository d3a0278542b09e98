"""The coin ledger: balances, grants, spends, idempotency.

Every coin movement is one append-only ``LedgerEntry`` with a unique idempotency key; the
``Wallet`` row caches the balance and serialises spending. A movement is ONE conditional
UPDATE (``balance + amount >= 0``) followed by the entry insert, in the caller's
transaction, so concurrent spends can never take a balance below zero and a retried
request (same key) never moves coins twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from engine.guilds import require_guild_organizer
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput
from engine.kernel.sql import insert_ignoring_conflicts
from engine.kernel.text import Text, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.money.events import CoinsGranted
from storage.models import GuildSettings, LedgerEntry, Wallet
from storage.models.enums import LedgerKind

MAX_GRANT = 1_000_000
# Fits PostgreSQL's 32-bit integer column with room to spare, on SQLite too.
MAX_BALANCE = 2_000_000_000
HISTORY_LIMIT = 50
DEFAULT_COIN_NAME = "coins"


class InsufficientCoins(Conflict):
    """A spend would take a wallet below zero; nothing was moved."""

    def __init__(self, message: Text, *, balance: int, needed: int) -> None:
        super().__init__(message)
        self.balance = balance
        self.needed = needed


@dataclass(frozen=True)
class LedgerEntryView:
    id: int
    guild_id: int
    user_id: int
    amount: int
    balance_after: int
    kind: str
    reason: str
    idempotency_key: str
    actor_id: int | None
    created_at: datetime
    # True when the idempotency key had already been used: nothing moved this time.
    replayed: bool = False

    @classmethod
    def of(cls, row: LedgerEntry, *, replayed: bool = False) -> LedgerEntryView:
        return cls(
            id=row.id,
            guild_id=row.guild_id,
            user_id=row.user_id,
            amount=row.amount,
            balance_after=row.balance_after,
            kind=row.kind,
            reason=row.reason,
            idempotency_key=row.idempotency_key,
            actor_id=row.actor_id,
            created_at=row.created_at,
            replayed=replayed,
        )


@dataclass(frozen=True)
class WalletView:
    guild_id: int
    user_id: int
    balance: int
    coin_name: str
    recent: list[LedgerEntryView]


async def coin_name_of(session: AsyncSession, guild_id: int) -> str:
    name = await session.scalar(
        select(GuildSettings.coin_name).where(GuildSettings.guild_id == guild_id)
    )
    return name or DEFAULT_COIN_NAME


async def balance_of(session: AsyncSession, guild_id: int, user_id: int) -> int:
    balance = await session.scalar(
        select(Wallet.balance).where(Wallet.guild_id == guild_id, Wallet.user_id == user_id)
    )
    return balance or 0


async def _ensure_wallet(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> None:
    # Two first-time movements racing both try to create the row; the loser's insert
    # becomes a no-op instead of an error.
    stmt = (
        insert_ignoring_conflicts(session, Wallet)
        .values(guild_id=guild_id, user_id=user_id, balance=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["guild_id", "user_id"])
    )
    await session.execute(stmt)


async def _entry_by_key(session: AsyncSession, key: str) -> LedgerEntry | None:
    return await session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == key))


def _replay(row: LedgerEntry, guild_id: int, user_id: int, amount: int) -> LedgerEntryView:
    if (row.guild_id, row.user_id, row.amount) != (guild_id, user_id, amount):
        raise Conflict(
            msg(
                "This request was already used for a different coin movement, so nothing "
                "was moved. Start the action again."
            )
        )
    return LedgerEntryView.of(row, replayed=True)


def _validate(amount: int, kind: str, reason: str, key: str) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise InvalidInput(msg("The number of coins must be a whole number other than zero."))
    if kind not in set(LedgerKind):
        raise ValueError(f"unknown ledger kind {kind!r}")
    if not reason.strip() or len(reason) > 200:
        raise InvalidInput(msg("Give a reason of 1 to 200 characters for the coin movement."))
    if not key or len(key) > 120:
        raise ValueError("an idempotency key of 1 to 120 characters is required")


async def _insufficient(
    session: AsyncSession, guild_id: int, user_id: int, amount: int
) -> InsufficientCoins:
    balance = await balance_of(session, guild_id, user_id)
    coins = await coin_name_of(session, guild_id)
    needed = -amount
    return InsufficientCoins(
        msg(
            "Not enough {coins}: the balance is {balance} {coins} and this needs "
            "{needed} ({needed2} more). Earn or ask an organizer for {coins}, then try "
            "again.",
            coins=coins,
            balance=balance,
            needed=needed,
            needed2=needed - balance,
        ),
        balance=balance,
        needed=needed,
    )


async def move_coins(
    uow: UnitOfWork,
    *,
    guild_id: int,
    user_id: int,
    amount: int,
    kind: str,
    reason: str,
    idempotency_key: str,
    actor_id: int | None,
) -> LedgerEntryView:
    """Add (``amount > 0``) or take (``amount < 0``) coins inside the caller's transaction.

    Raises ``InsufficientCoins`` when the balance would go below zero. A key that was
    already used returns the original entry with ``replayed=True`` and moves nothing.
    Callers audit and emit their own events (a prize, a fee, a grant mean different things).
    """
    _validate(amount, kind, reason, idempotency_key)
    session = uow.session
    existing = await _entry_by_key(session, idempotency_key)
    if existing is not None:
        return _replay(existing, guild_id, user_id, amount)
    now = uow.clock.now()
    await _ensure_wallet(session, guild_id, user_id, now)
    try:
        # The savepoint covers the debit AND the entry: when a concurrent request with the
        # same key wins, the unique key fails here and the debit is undone with it.
        async with session.begin_nested():
            balance_after = await session.scalar(
                update(Wallet)
                .where(
                    Wallet.guild_id == guild_id,
                    Wallet.user_id == user_id,
                    Wallet.balance + amount >= 0,
                    Wallet.balance + amount <= MAX_BALANCE,
                )
                .values(balance=Wallet.balance + amount, updated_at=now)
                .returning(Wallet.balance)
                .execution_options(synchronize_session=False)
            )
            if balance_after is None:
                entry_id = None
            else:
                entry_id = await session.scalar(
                    insert(LedgerEntry)
                    .values(
                        guild_id=guild_id,
                        user_id=user_id,
                        amount=amount,
                        balance_after=balance_after,
                        kind=str(kind),
                        reason=reason.strip(),
                        idempotency_key=idempotency_key,
                        actor_id=actor_id,
                        created_at=now,
                    )
                    .returning(LedgerEntry.id)
                )
    except IntegrityError:
        winner = await _entry_by_key(session, idempotency_key)
        if winner is None:
            raise
        return _replay(winner, guild_id, user_id, amount)
    if balance_after is None or entry_id is None:
        if amount > 0:
            raise InvalidInput(
                msg(
                    "That would take the balance over {max_balance:,} coins, the most a "
                    "wallet holds. Grant a smaller amount.",
                    max_balance=MAX_BALANCE,
                )
            )
        raise await _insufficient(session, guild_id, user_id, amount)
    return LedgerEntryView(
        id=entry_id,
        guild_id=guild_id,
        user_id=user_id,
        amount=amount,
        balance_after=balance_after,
        kind=str(kind),
        reason=reason.strip(),
        idempotency_key=idempotency_key,
        actor_id=actor_id,
        created_at=now,
    )


class LedgerService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def balance(self, guild_id: int, user_id: int) -> int:
        async with self._ctx.read() as session:
            return await balance_of(session, guild_id, user_id)

    async def history(self, guild_id: int, user_id: int, limit: int = 10) -> list[LedgerEntryView]:
        """The most recent movements first."""
        async with self._ctx.read() as session:
            return await self._history(session, guild_id, user_id, limit)

    async def wallet(self, guild_id: int, user_id: int, limit: int = 10) -> WalletView:
        """Balance, the guild's coin name and recent movements, from one snapshot."""
        async with self._ctx.read() as session:
            return WalletView(
                guild_id=guild_id,
                user_id=user_id,
                balance=await balance_of(session, guild_id, user_id),
                coin_name=await coin_name_of(session, guild_id),
                recent=await self._history(session, guild_id, user_id, limit),
            )

    async def ledger_total(self, guild_id: int, user_id: int) -> int:
        """The sum of every entry: always equal to the balance (the wallet is its cache)."""
        async with self._ctx.read() as session:
            total = await session.scalar(
                select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                    LedgerEntry.guild_id == guild_id, LedgerEntry.user_id == user_id
                )
            )
            return int(total or 0)

    @staticmethod
    async def _history(
        session: AsyncSession, guild_id: int, user_id: int, limit: int
    ) -> list[LedgerEntryView]:
        rows = await session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.guild_id == guild_id, LedgerEntry.user_id == user_id)
            .order_by(LedgerEntry.id.desc())
            .limit(max(1, min(limit, HISTORY_LIMIT)))
        )
        return [LedgerEntryView.of(row) for row in rows]

    async def grant(
        self,
        actor: Actor,
        guild_id: int,
        user_id: int,
        amount: int,
        reason: str,
        idempotency_key: str,
    ) -> LedgerEntryView:
        """An organizer adds coins (or removes them with a negative amount, never below zero)."""
        if isinstance(amount, int) and abs(amount) > MAX_GRANT:
            raise InvalidInput(
                msg(
                    "Grants are limited to {max_grant:,} coins at a time. Use a smaller amount.",
                    max_grant=MAX_GRANT,
                )
            )
        async with self._ctx.unit_of_work() as uow:
            await require_guild_organizer(uow.session, actor, guild_id)
            settings = await uow.session.get(GuildSettings, guild_id)
            try:
                entry = await move_coins(
                    uow,
                    guild_id=guild_id,
                    user_id=user_id,
                    amount=amount,
                    kind=LedgerKind.GRANT,
                    reason=reason,
                    idempotency_key=idempotency_key,
                    actor_id=actor.user_id,
                )
            except InsufficientCoins as short:
                coins = settings.coin_name if settings else DEFAULT_COIN_NAME
                raise InsufficientCoins(
                    msg(
                        "That member has only {balance} {coins}, so {needed} cannot be "
                        "removed. Remove at most {balance} {coins}.",
                        balance=short.balance,
                        coins=coins,
                        needed=short.needed,
                    ),
                    balance=short.balance,
                    needed=short.needed,
                ) from None
            if entry.replayed:
                return entry
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="coins.grant",
                target_type="wallet",
                target_id=user_id,
                before={"balance": entry.balance_after - entry.amount},
                after={"balance": entry.balance_after, "amount": amount, "reason": entry.reason},
            )
            uow.emit(
                CoinsGranted(
                    guild_id=guild_id,
                    user_id=user_id,
                    actor_id=actor.user_id,
                    amount=amount,
                    balance_after=entry.balance_after,
                    reason=entry.reason,
                    coin_name=settings.coin_name if settings else DEFAULT_COIN_NAME,
                    entry_id=entry.id,
                )
            )
            return entry
