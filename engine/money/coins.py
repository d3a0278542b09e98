"""Paying with coins: the bot debits the wallet, the entry is confirmed at once, and a
refund puts the coins straight back (LedgerKind.REFUND, key ``refund:<payment id>``)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.entries import confirm_paid
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict
from engine.kernel.text import Command, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.money.events import CoinsSpent, PaymentApproved
from engine.money.ledger import move_coins
from engine.money.methods import (
    PaymentMethodSpec,
    PayRequest,
    Settlement,
    new_payment,
    register_payment_method,
)
from engine.money.refunds import event_fields
from storage.models import Payment, Registration, Tournament
from storage.models.enums import LedgerKind, PaymentMethod, PaymentStatus, RegistrationStatus


@dataclass(frozen=True)
class CoinMethod(PaymentMethodSpec):
    """The server's own currency; it is called whatever the server named its coins."""

    settlement: Settlement = Settlement.LEDGER

    def label_for(self, coin_name: str) -> str:
        return coin_name

    def fee(self, tournament: Tournament) -> int:
        return tournament.entry_fee_coins

    def amount_text(self, payment: Payment, coin_name: str) -> str:
        return f"{payment.coins} {coin_name or 'coins'}"

    async def pay(
        self,
        uow: UnitOfWork,
        ctx: ServiceContext,
        actor: Actor,
        tournament: Tournament,
        reg: Registration,
        request: PayRequest,
        coin_name: str,
    ) -> Payment:
        fee = tournament.entry_fee_coins
        entry = await move_coins(
            uow,
            guild_id=tournament.guild_id,
            user_id=actor.user_id,
            amount=-fee,
            kind=LedgerKind.ENTRY_FEE,
            reason=f"Entry fee: {tournament.name}"[:200],
            idempotency_key=f"fee:{reg.id}",
            actor_id=actor.user_id,
        )
        if entry.replayed:
            raise Conflict(
                msg(
                    "The entry fee for {name} was already paid with {coin_name}, so "
                    "nothing was charged again.",
                    name=tournament.name,
                    coin_name=coin_name,
                )
            )
        payment = await new_payment(uow, tournament, reg, self.key, status=PaymentStatus.APPROVED)
        payment.coins = fee
        payment.reviewed_at = uow.clock.now()
        await uow.session.flush()
        await confirm_paid(uow, reg.id, actor_id=actor.user_id)
        uow.audit(
            guild_id=tournament.guild_id,
            actor_id=actor.user_id,
            action="payment.coins",
            target_type="payment",
            target_id=payment.id,
            before={"registration_status": RegistrationStatus.AWAITING_PAYMENT},
            after={"coins": fee, "balance_after": entry.balance_after, "status": "approved"},
        )
        uow.emit(
            CoinsSpent(
                guild_id=tournament.guild_id,
                user_id=actor.user_id,
                amount=fee,
                balance_after=entry.balance_after,
                reason=entry.reason,
                tournament_id=tournament.id,
                registration_id=reg.id,
                coin_name=coin_name,
            )
        )
        uow.emit(PaymentApproved(**event_fields(payment, tournament.name, coin_name)))
        return payment

    async def refund(
        self, uow: UnitOfWork, payment: Payment, tournament_name: str, actor_id: int | None
    ) -> bool:
        await move_coins(
            uow,
            guild_id=payment.guild_id,
            user_id=payment.user_id,
            amount=payment.coins,
            kind=LedgerKind.REFUND,
            reason=f"Refund: {tournament_name}"[:200],
            idempotency_key=f"refund:{payment.id}",
            actor_id=actor_id,
        )
        return True


COINS = register_payment_method(
    CoinMethod(
        key=PaymentMethod.COINS.value,
        label="coins",
        title="Coins",
        instructions=msg(
            "Paid from your {wallet} at once; your entry is confirmed right away.",
            wallet=Command("wallet"),
        ),
    )
)
