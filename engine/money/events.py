"""Events: The coin ledger, entry-fee payments, reviews and refunds."""

from __future__ import annotations

from dataclasses import dataclass

from engine.kernel.events import DomainEvent, domain_event


@domain_event("coins.granted")
@dataclass(frozen=True, kw_only=True)
class CoinsGranted(DomainEvent):
    """An organizer added (``amount > 0``) or removed (``amount < 0``) coins."""

    user_id: int
    actor_id: int
    amount: int
    balance_after: int
    reason: str
    coin_name: str = "coins"
    entry_id: int | None = None


@domain_event("coins.spent")
@dataclass(frozen=True, kw_only=True)
class CoinsSpent(DomainEvent):
    user_id: int
    amount: int  # positive: how many coins left the wallet
    balance_after: int
    reason: str
    tournament_id: int | None = None
    registration_id: int | None = None
    coin_name: str = "coins"


@dataclass(frozen=True, kw_only=True)
class _PaymentEvent(DomainEvent):
    payment_id: int
    tournament_id: int
    tournament_name: str
    registration_id: int
    user_id: int  # the payer (solo player or team captain)
    method: str  # PaymentMethod
    amount_minor: int = 0
    currency: str | None = None
    coins: int = 0
    amount_text: str = ""  # "৳150.00" or "50 Crowns", ready to show


@domain_event("payment.submitted")
@dataclass(frozen=True, kw_only=True)
class PaymentSubmitted(_PaymentEvent):
    reference: str | None = None


@domain_event("payment.approved")
@dataclass(frozen=True, kw_only=True)
class PaymentApproved(_PaymentEvent):
    """Money verified by an organizer (``reviewer_id``), or coins debited (no reviewer)."""

    reviewer_id: int | None = None


@domain_event("payment.rejected")
@dataclass(frozen=True, kw_only=True)
class PaymentRejected(_PaymentEvent):
    reviewer_id: int
    reason: str


@domain_event("payment.refunded")
@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(_PaymentEvent):
    """Coins are back in the wallet, or the organizer marked a money refund as sent."""

    actor_id: int | None
    reason: str


@domain_event("payment.refund_pending")
@dataclass(frozen=True, kw_only=True)
class RefundPending(_PaymentEvent):
    """A money refund is owed; an organizer still has to send it and mark it sent."""

    actor_id: int | None
    reason: str
