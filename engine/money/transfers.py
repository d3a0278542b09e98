"""Paying with money sent outside the bot (bKash, Nagad, Rocket, a bank transfer): the
player sends the transaction reference and a screenshot, an organizer approves or rejects
it, and a refund waits as REFUND_PENDING until an organizer has sent the money back."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select

from engine.entries import mark_payment_review
from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput
from engine.kernel.text import Command, Message, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.money import rules
from engine.money.events import PaymentSubmitted
from engine.money.methods import (
    PaymentMethodSpec,
    PayRequest,
    new_payment,
    register_payment_method,
)
from engine.money.refunds import event_fields
from storage.models import GuildSettings, Payment, Registration, Tournament
from storage.models.enums import PaymentMethod, PaymentStatus

_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/\-]{2,63}$")


@dataclass(frozen=True)
class MoneyMethod(PaymentMethodSpec):
    """Money in the tournament's currency, proven by a reference and a screenshot."""

    needs_reference: bool = True
    needs_proof: bool = True

    def fee(self, tournament: Tournament) -> int:
        return tournament.entry_fee_minor

    def amount_text(self, payment: Payment, coin_name: str) -> str:
        return rules.format_money(payment.amount_minor, payment.currency)

    async def check(self, ctx: ServiceContext, request: PayRequest) -> PayRequest:
        reference = clean_reference(request.reference) if self.needs_reference else None
        if not self.needs_proof:
            return PayRequest(reference)
        if request.proof is None:
            raise InvalidInput(
                msg(
                    "Attach a screenshot of the payment (PNG or JPEG) so an organizer can check it."
                )
            )
        image = await ctx.uploads.check_image(request.proof, name=request.proof_name)
        return PayRequest(reference, request.proof, request.proof_name, image)

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
        session = uow.session
        # References are unique per server, across its tournaments: the server's row
        # lock makes two entries racing with one TrxID take turns (PostgreSQL).
        await session.execute(
            select(GuildSettings.guild_id)
            .where(GuildSettings.guild_id == tournament.guild_id)
            .with_for_update()
        )
        reference, sha256 = request.reference, None
        if reference is not None:
            await rules.refuse_reused_reference(session, tournament.guild_id, reg.id, reference)
        if request.image is not None:
            # The stored file is the re-encoded image: its hash is the one to compare.
            digest = hashlib.sha256(request.image.data).hexdigest()
            await rules.refuse_reused_proof(session, tournament.guild_id, reg.id, digest)
            sha256 = await ctx.uploads.store(
                uow, request.image, guild_id=tournament.guild_id, user_id=actor.user_id
            )
        payment = await new_payment(uow, tournament, reg, self.key, status=PaymentStatus.SUBMITTED)
        payment.amount_minor = tournament.entry_fee_minor
        payment.currency = tournament.currency
        payment.reference = reference
        payment.proof_sha256 = sha256
        await session.flush()
        await mark_payment_review(uow, reg.id, actor_id=actor.user_id)
        uow.audit(
            guild_id=tournament.guild_id,
            actor_id=actor.user_id,
            action="payment.submit",
            target_type="payment",
            target_id=payment.id,
            after={
                "method": self.key,
                "reference": reference,
                "proof": sha256,
                "amount_minor": payment.amount_minor,
                "currency": payment.currency,
            },
        )
        uow.emit(
            PaymentSubmitted(
                **event_fields(payment, tournament.name, coin_name), reference=reference
            )
        )
        return payment


def clean_reference(reference: str | None) -> str:
    """The TrxID as typed is checked, then stored in one canonical form (upper case, no
    spaces, dots, dashes or slashes), so "9bd7-k2lq 1x" cannot pay for a second entry
    that "9BD7K2LQ1X" already paid."""
    reference = (reference or "").strip()
    if not _REFERENCE.match(reference):
        raise InvalidInput(
            msg(
                "Give the transaction reference (TrxID) you received, 3 to 64 letters or "
                "digits, for example 9BD7K2LQ1X."
            )
        )
    return re.sub(r"[ ._/\-]", "", reference).upper()


def _send_money(app: str) -> Message:
    return msg(
        "Send the entry fee with {app}, then {pay} with the TrxID and a screenshot.",
        app=app,
        pay=Command("pay"),
    )


BKASH, NAGAD, ROCKET, BANK = (
    register_payment_method(
        MoneyMethod(key=key, label=label, title=title, instructions=instructions)
    )
    for key, label, title, instructions in (
        (PaymentMethod.BKASH.value, "bKash", "bKash", _send_money("bKash")),
        (PaymentMethod.NAGAD.value, "Nagad", "Nagad", _send_money("Nagad")),
        (PaymentMethod.ROCKET.value, "Rocket", "Rocket", _send_money("Rocket")),
        (
            PaymentMethod.BANK.value,
            "bank transfer",
            "Bank transfer",
            msg(
                "Transfer the entry fee to the organizers' bank account, then {pay} with "
                "the transfer reference and a screenshot of the receipt.",
                pay=Command("pay"),
            ),
        ),
    )
)
