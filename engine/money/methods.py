"""One registry of payment methods, the only list of them in the product.

Each method is a strategy (:class:`PaymentMethodSpec`): how it is paid (coins through the
ledger at once, or money sent outside the bot and reviewed from a proof), what it needs
from the player, its label and instructions, what the fee is and how it is refunded.
``engine.money.coins`` and ``engine.money.transfers`` register the built-in ones; the
/pay choices, the lists inside messages and the tournament rules are read from here.

A new money method is one ``register_payment_method(MoneyMethod(...))`` (a line in the
built-in table of ``engine/money/transfers.py``, or a module of its own imported next to
it by ``engine/money/payments.py``) plus its tests; a new way of settling subclasses
:class:`PaymentMethodSpec`. Keys fit ``Payment.method`` (8 characters).
``tests/engine/money/toy_method.py`` is this recipe followed once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from sqlalchemy import func, select

from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput
from engine.kernel.text import Text, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.kernel.uploads import CheckedImage
from engine.money.rules import format_money
from engine.tournaments import offer_payment_method, withdraw_payment_method
from storage.models import Payment, Registration, Tournament


class Settlement(StrEnum):
    """Who moves the value: the bot (coins, paid and refunded at once) or people (money
    sent outside the bot, checked by an organizer, refunded by hand)."""

    LEDGER = "ledger"
    REVIEW = "review"


@dataclass(frozen=True)
class PayRequest:
    """What the player sent with /pay, as the method checked it before the transaction."""

    reference: str | None = None
    proof: bytes | None = None
    proof_name: str | None = None
    image: CheckedImage | None = None  # the proof, once checked


@dataclass(frozen=True)
class PaymentMethodSpec(ABC):
    """A way to pay an entry fee. ``label`` reads inside a sentence ("bank transfer"),
    ``title`` as a choice ("Bank transfer"); ``instructions`` tell a player how to pay."""

    key: str
    label: str
    title: str
    instructions: Text
    needs_reference: bool = False
    needs_proof: bool = False

    settlement: Settlement = Settlement.REVIEW

    @property
    def paid_at_once(self) -> bool:
        return self.settlement is Settlement.LEDGER

    def label_for(self, coin_name: str) -> str:
        return self.label

    @abstractmethod
    def fee(self, tournament: Tournament) -> int:
        """The fee this method pays: coins or minor units of money."""

    @abstractmethod
    def amount_text(self, payment: Payment, coin_name: str) -> str:
        """What was paid, ready to show ("40 Crowns", "৳150.00")."""

    async def check(self, ctx: ServiceContext, request: PayRequest) -> PayRequest:
        """Refuse a request that cannot be right, before any lock is taken."""
        return request

    @abstractmethod
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
        """Record the payment inside the caller's transaction (tournament and registration
        locked, the fee owed and this method accepted)."""

    async def refund(
        self, uow: UnitOfWork, payment: Payment, tournament_name: str, actor_id: int | None
    ) -> bool:
        """Give an approved payment back; True when it is back now, False when an
        organizer has to send it by hand (the payment then waits as REFUND_PENDING)."""
        return False


_METHODS: dict[str, PaymentMethodSpec] = {}
# Read-only and live: a method registered later (a plugin, a test) shows up here too.
PAYMENT_METHODS: Mapping[str, PaymentMethodSpec] = MappingProxyType(_METHODS)


def register_payment_method(spec: PaymentMethodSpec) -> PaymentMethodSpec:
    """Add a method; its place in the registry is its place in every list of choices."""
    if spec.key in _METHODS:
        raise ValueError(f"The payment method {spec.key!r} is registered twice.")
    _METHODS[spec.key] = spec
    offer_payment_method(spec.key, coins=spec.paid_at_once)
    return spec


def unregister_payment_method(key: str) -> None:
    """Remove a method (tests that register a toy method clean up with this)."""
    _METHODS.pop(key, None)
    withdraw_payment_method(key)


def payment_method(key: str) -> PaymentMethodSpec:
    try:
        return _METHODS[key]
    except KeyError:
        raise InvalidInput(
            msg("Choose a payment method: {methods_text}.", methods_text=methods_text())
        ) from None


def methods_text(coin_name: str = "coins") -> str:
    """ "coins, bKash, Nagad, Rocket or bank transfer": every method, for a sentence."""
    labels = [spec.label_for(coin_name) for spec in _METHODS.values()]
    return " or ".join(filter(None, (", ".join(labels[:-1]), *labels[-1:])))


def method_label(method: str, coin_name: str = "coins") -> str:
    """The method as a sentence names it; a method no longer registered keeps its key."""
    spec = _METHODS.get(method)
    return spec.label_for(coin_name) if spec else method


def amount_text(payment: Payment, coin_name: str) -> str:
    spec = _METHODS.get(payment.method)
    if spec is None:
        return format_money(payment.amount_minor, payment.currency)
    return spec.amount_text(payment, coin_name)


def accepted_methods(tournament: Tournament) -> list[str]:
    """The methods a tournament takes that have a fee to pay with them."""
    return [
        str(m)
        for m in tournament.payment_methods or []
        if m in _METHODS and _METHODS[m].fee(tournament) > 0
    ]


def require_method(tournament: Tournament, method: str, coin_name: str) -> None:
    if method in accepted_methods(tournament):
        return
    usable = [method_label(m, coin_name) for m in accepted_methods(tournament)]
    choice = ", ".join(usable) if usable else msg("none — ask an organizer")
    raise InvalidInput(
        msg(
            "{name} does not accept {method_label} for the entry fee. Accepted: {choice}.",
            name=tournament.name,
            method_label=method_label(method, coin_name),
            choice=choice,
        )
    )


async def new_payment(
    uow: UnitOfWork, tournament: Tournament, reg: Registration, method: str, *, status: str
) -> Payment:
    """A payment row of ``reg``, numbered per registration under the registration lock: a
    concurrent duplicate computes the same key and the unique constraint refuses it."""
    attempt = await uow.session.scalar(
        select(func.count()).select_from(Payment).where(Payment.registration_id == reg.id)
    )
    payment = Payment(
        guild_id=tournament.guild_id,
        tournament_id=tournament.id,
        registration_id=reg.id,
        user_id=reg.user_id,
        method=str(method),
        amount_minor=0,
        currency=None,
        coins=0,
        status=str(status),
        idempotency_key=f"reg:{reg.id}:payment:{(attempt or 0) + 1}",
        created_at=uow.clock.now(),
    )
    uow.session.add(payment)
    return payment
