"""Refunds of entry fees, inside a caller's unit of work.

Coins go straight back to the ledger (LedgerKind.REFUND, key ``refund:<payment id>``) and
the payment becomes REFUNDED. Money cannot be moved by the bot: the payment becomes
REFUND_PENDING and an organizer marks it sent later (→ REFUNDED). Every function here is
idempotent: a payment already refunded (or pending) is left alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.entries import EntryReleased
from engine.kernel.uow import UnitOfWork
from engine.money.events import PaymentRefunded, RefundPending
from engine.money.ledger import coin_name_of
from engine.money.methods import PAYMENT_METHODS, amount_text
from engine.tournaments import TournamentCancelling
from storage.models import Payment, Registration, Tournament
from storage.models.enums import PaymentStatus

_REFUNDABLE = (PaymentStatus.APPROVED, PaymentStatus.SUBMITTED)


def event_fields(payment: Payment, tournament_name: str, coin_name: str) -> dict[str, Any]:
    """The fields every payment event shares."""
    return {
        "guild_id": payment.guild_id,
        "payment_id": payment.id,
        "tournament_id": payment.tournament_id,
        "tournament_name": tournament_name,
        "registration_id": payment.registration_id,
        "user_id": payment.user_id,
        "method": payment.method,
        "amount_minor": payment.amount_minor,
        "currency": payment.currency,
        "coins": payment.coins,
        "amount_text": amount_text(payment, coin_name),
    }


async def refund_payment(
    uow: UnitOfWork, payment: Payment, tournament_name: str, actor_id: int | None, reason: str
) -> str:
    """Refund one APPROVED (or, in bulk refunds, SUBMITTED) payment; return its new status.

    The caller holds the payment row lock and has checked permissions.
    """
    before = payment.status
    now = uow.clock.now()
    coin_name = await coin_name_of(uow.session, payment.guild_id)
    method = PAYMENT_METHODS.get(payment.method)
    # The method says whether it can give the payment back now (coins) or not (money).
    if (
        before == PaymentStatus.APPROVED
        and method is not None
        and await method.refund(uow, payment, tournament_name, actor_id)
    ):
        payment.status = PaymentStatus.REFUNDED
        payment.refunded_at = now
        event: PaymentRefunded | RefundPending = PaymentRefunded(
            **event_fields(payment, tournament_name, coin_name), actor_id=actor_id, reason=reason
        )
    else:
        # Money was sent (approved, or still waiting for review): it has to go back by hand.
        payment.status = PaymentStatus.REFUND_PENDING
        if before == PaymentStatus.SUBMITTED:
            payment.reviewed_at = now
            payment.review_note = (
                f"Not reviewed before the refund ({reason}). Check the proof before sending "
                "money back."
            )[:1000]
        event = RefundPending(
            **event_fields(payment, tournament_name, coin_name), actor_id=actor_id, reason=reason
        )
    uow.audit(
        guild_id=payment.guild_id,
        actor_id=actor_id,
        action="payment.refund"
        if payment.status == PaymentStatus.REFUNDED
        else "payment.refund_pending",
        target_type="payment",
        target_id=payment.id,
        before={"status": before},
        after={"status": payment.status, "reason": reason},
    )
    uow.emit(event)
    return payment.status


async def mark_refund_sent(
    uow: UnitOfWork, payment: Payment, tournament_name: str, actor_id: int, note: str
) -> None:
    """REFUND_PENDING → REFUNDED once the organizer sent the money back."""
    payment.status = PaymentStatus.REFUNDED
    payment.refunded_at = uow.clock.now()
    uow.audit(
        guild_id=payment.guild_id,
        actor_id=actor_id,
        action="payment.refund_sent",
        target_type="payment",
        target_id=payment.id,
        before={"status": PaymentStatus.REFUND_PENDING},
        after={"status": PaymentStatus.REFUNDED, "note": note},
    )
    coin_name = await coin_name_of(uow.session, payment.guild_id)
    uow.emit(
        PaymentRefunded(
            **event_fields(payment, tournament_name, coin_name), actor_id=actor_id, reason=note
        )
    )


async def _refund_where(uow: UnitOfWork, condition: Any, actor_id: int | None, reason: str) -> int:
    rows = await uow.session.execute(
        select(Payment, Tournament.name)
        .join(Tournament, Tournament.id == Payment.tournament_id)
        .where(condition, Payment.status.in_(_REFUNDABLE))
        .order_by(Payment.id)
        .with_for_update(of=Payment)
        .execution_options(populate_existing=True)
    )
    count = 0
    for payment, tournament_name in rows.all():
        await refund_payment(uow, payment, tournament_name, actor_id, reason)
        count += 1
    return count


async def refund_registration_payments(
    uow: UnitOfWork, registration_id: int, actor_id: int | None, reason: str
) -> int:
    """Refund every approved payment of a registration and turn every proof still under
    review into a pending money refund; return how many payments changed.

    Runs in the caller's transaction (e.g. /unregister), which has locked the
    registration row and decides the registration's own new status. Idempotent.
    """
    return await _refund_where(uow, Payment.registration_id == registration_id, actor_id, reason)


async def refund_tournament_payments(
    uow: UnitOfWork, tournament_id: int, actor_id: int | None, reason: str
) -> int:
    """The same for every registration of a tournament (a cancelled event). Idempotent."""
    # Tournament, registrations, then payments: the lock order every payment path uses.
    await uow.session.execute(
        select(Tournament.id).where(Tournament.id == tournament_id).with_for_update()
    )
    await uow.session.execute(
        select(Registration.id)
        .where(Registration.tournament_id == tournament_id)
        .order_by(Registration.id)
        .with_for_update()
    )
    return await _refund_where(uow, Payment.tournament_id == tournament_id, actor_id, reason)


async def refund_released_entry(uow: UnitOfWork, moment: EntryReleased) -> int:
    """Reaction: an entry left the tournament (registered by the composition root)."""
    return await refund_registration_payments(
        uow, moment.registration_id, moment.actor_id, moment.reason
    )


async def refund_cancelled_tournament(uow: UnitOfWork, moment: TournamentCancelling) -> int:
    """Reaction: the tournament was cancelled (registered by the composition root)."""
    return await refund_tournament_payments(
        uow, moment.tournament_id, moment.actor_id, moment.reason
    )
