"""Entry-fee payments: coins, proofs, organizer review, refunds.

A player pays the entry fee of their registration the way its method says
(``engine.money.methods``): with coins (debited from the ledger and confirmed at once) or
with money (bKash, Nagad, Rocket, bank) by sending the transaction reference and a
screenshot, which an organizer approves or rejects. Every
path is one transaction that locks the tournament, then the registration, then the payment
(the order every registration change uses), so a double click, a late click and a
concurrent /unregister all settle in the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.entries import confirm_paid, payment_rejected
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, DomainError, InvalidInput, NotFound
from engine.kernel.text import N_, Command, Message, User, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.money import coins as _coins  # noqa: F401  (registers the coin method)
from engine.money import rules
from engine.money import transfers as _transfers  # noqa: F401  (registers money methods)
from engine.money.events import PaymentApproved, PaymentRejected
from engine.money.ledger import coin_name_of
from engine.money.methods import (
    PayRequest,
    amount_text,
    method_label,
    payment_method,
    require_method,
)
from engine.money.refunds import (
    event_fields,
    mark_refund_sent,
    refund_payment,
    refund_registration_payments,
    refund_tournament_payments,
)
from engine.money.rules import format_money
from engine.tournaments import require_any_organizing, require_tournament_organizer
from storage.models import Payment, Registration, StoredFile, Tournament
from storage.models.enums import PaymentMethod, PaymentStatus, RegistrationStatus

__all__ = [
    "BULK_LIMIT",
    "BulkReview",
    "PaymentService",
    "PaymentView",
    "format_money",
    "refund_registration_payments",
    "refund_tournament_payments",
]

_PENDING_LIMIT = 25
BULK_LIMIT = 25  # a Discord select menu holds 25 options


@dataclass(frozen=True)
class BulkReview:
    """What a bulk review did: the payments it decided, and each one it left alone with
    the reason (decided already, not the actor's to review, …)."""

    decision: str
    decided: tuple[PaymentView, ...]
    refused: tuple[tuple[int, Message], ...]


@dataclass(frozen=True)
class PaymentView:
    id: int
    guild_id: int
    tournament_id: int
    tournament_name: str
    registration_id: int
    display_name: str
    user_id: int
    method: str
    amount_minor: int
    currency: str | None
    coins: int
    reference: str | None
    proof_sha256: str | None
    status: str
    reviewer_id: int | None
    review_note: str | None
    created_at: datetime
    reviewed_at: datetime | None
    refunded_at: datetime | None
    amount_text: str

    @property
    def method_label(self) -> str:
        return method_label(self.method)


def _view(payment: Payment, tournament_name: str, display_name: str, coin_name: str) -> PaymentView:
    return PaymentView(
        id=payment.id,
        guild_id=payment.guild_id,
        tournament_id=payment.tournament_id,
        tournament_name=tournament_name,
        registration_id=payment.registration_id,
        display_name=display_name,
        user_id=payment.user_id,
        method=payment.method,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        coins=payment.coins,
        reference=payment.reference,
        proof_sha256=payment.proof_sha256,
        status=payment.status,
        reviewer_id=payment.reviewer_id,
        review_note=payment.review_note,
        created_at=payment.created_at,
        reviewed_at=payment.reviewed_at,
        refunded_at=payment.refunded_at,
        amount_text=amount_text(payment, coin_name),
    )


def _with_names() -> Select[Payment, str, str]:
    return (
        select(Payment, Tournament.name, Registration.display_name)
        .join(Tournament, Tournament.id == Payment.tournament_id)
        .join(Registration, Registration.id == Payment.registration_id)
    )


async def _load_view(session: AsyncSession, payment_id: int) -> PaymentView:
    row = (await session.execute(_with_names().where(Payment.id == payment_id))).one()
    payment, tournament_name, display_name = row
    return _view(
        payment, tournament_name, display_name, await coin_name_of(session, payment.guild_id)
    )


# --- the service ----------------------------------------------------------------------


class PaymentService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- paying --------------------------------------------------------------------------

    async def pay(
        self,
        actor: Actor,
        tournament_id: int,
        method: str,
        *,
        reference: str | None = None,
        proof: bytes | None = None,
        proof_name: str | None = None,
    ) -> PaymentView:
        """Pay the entry fee of the actor's registration (``/pay``) the way the method
        (``engine.money.methods``) pays: coins at once, money as a proof to review."""
        spec = payment_method(method)
        if proof is not None:
            # Who may pay is settled before the proof is decoded: a stranger's image
            # costs a refusal, not a decode. The unit of work asks again under its locks.
            async with self._ctx.read() as session:
                await rules.owed_registration(session, actor, tournament_id, lock=False)
        request = await spec.check(self._ctx, PayRequest(reference, proof, proof_name))
        async with self._ctx.unit_of_work() as uow:
            tournament, reg = await rules.owed_registration(uow.session, actor, tournament_id)
            coin_name = await coin_name_of(uow.session, tournament.guild_id)
            require_method(tournament, spec.key, coin_name)
            payment = await spec.pay(uow, self._ctx, actor, tournament, reg, request, coin_name)
            return _view(payment, tournament.name, reg.display_name, coin_name)

    async def pay_with_coins(self, actor: Actor, tournament_id: int) -> PaymentView:
        return await self.pay(actor, tournament_id, PaymentMethod.COINS)

    async def submit_proof(
        self,
        actor: Actor,
        tournament_id: int,
        method: str,
        *,
        reference: str | None,
        proof: bytes | None,
        proof_name: str | None = None,
    ) -> PaymentView:
        """Record a money payment with its screenshot; an organizer reviews it later."""
        return await self.pay(
            actor, tournament_id, method, reference=reference, proof=proof, proof_name=proof_name
        )

    # -- review --------------------------------------------------------------------------

    async def pending(self, actor: Actor, guild_id: int) -> list[PaymentView]:
        """Money payments waiting for an organizer, oldest first."""
        async with self._ctx.read() as session:
            # Each organizer reviews the payments of the tournaments they run.
            organized = await require_any_organizing(session, actor, guild_id)
            query = _with_names().where(
                Payment.guild_id == guild_id, Payment.status == PaymentStatus.SUBMITTED
            )
            if organized is not None:
                query = query.where(Payment.tournament_id.in_(sorted(organized)))
            rows = await session.execute(query.order_by(Payment.id).limit(_PENDING_LIMIT))
            coin_name = await coin_name_of(session, guild_id)
            return [_view(p, t, d, coin_name) for p, t, d in rows.all()]

    async def get(self, actor: Actor, payment_id: int) -> PaymentView:
        """One payment, for organizers of its guild or the player who paid."""
        async with self._ctx.read() as session:
            payment = await _payment_in_guild(session, actor, payment_id)
            if payment.user_id != actor.user_id:
                await require_tournament_organizer(session, actor, payment.tournament_id)
            return await _load_view(session, payment_id)

    async def reviewable(self, actor: Actor, payment_id: int) -> PaymentView:
        """Check, before asking for a rejection reason, that the actor may review this
        payment and that it still waits for review; the decision itself re-checks."""
        async with self._ctx.read() as session:
            payment = await _payment_in_guild(session, actor, payment_id)
            await require_tournament_organizer(session, actor, payment.tournament_id)
            _require_submitted(payment, "reviewed")
            return await _load_view(session, payment_id)

    async def approve(self, actor: Actor, payment_id: int) -> PaymentView:
        async with self._ctx.unit_of_work() as uow:
            payment, reg = await self._lock_for_review(uow, actor, payment_id)
            _require_submitted(payment, "approved")
            if reg.status != RegistrationStatus.PAYMENT_REVIEW:
                raise Conflict(
                    msg(
                        "This entry is {status} now, so the payment cannot be approved. "
                        "Refund it with {payments_refund} if the money arrived.",
                        status=_entry_state(reg.status),
                        payments_refund=Command("payments refund"),
                    )
                )
            now = uow.clock.now()
            payment.status = PaymentStatus.APPROVED
            payment.reviewer_id, payment.reviewed_at = actor.user_id, now
            await confirm_paid(uow, reg.id, actor_id=actor.user_id)
            return await self._reviewed(uow, actor, payment, "payment.approve")

    async def reject(self, actor: Actor, payment_id: int, reason: str) -> PaymentView:
        reason = (reason or "").strip()
        if not 3 <= len(reason) <= 300:
            raise InvalidInput(
                msg("Give the player a reason of 3 to 300 characters, e.g. “reference not found”.")
            )
        async with self._ctx.unit_of_work() as uow:
            payment, reg = await self._lock_for_review(uow, actor, payment_id)
            _require_submitted(payment, "rejected")
            payment.status = PaymentStatus.REJECTED
            payment.reviewer_id, payment.reviewed_at = actor.user_id, uow.clock.now()
            payment.review_note = reason
            if reg.status == RegistrationStatus.PAYMENT_REVIEW:
                await payment_rejected(uow, reg.id, actor_id=actor.user_id)
            return await self._reviewed(uow, actor, payment, "payment.reject", reason=reason)

    async def review_many(
        self, actor: Actor, payment_ids: Sequence[int], decision: str, reason: str = ""
    ) -> BulkReview:
        """Approve or reject several proofs at once (the Discord select menu, the dashboard
        checkboxes). Each payment is still its own decision: its own transaction, audit
        entry and event, refused alone when it is not the actor's to decide or was decided
        already. A second bulk over the same proofs changes nothing."""
        if decision not in ("approve", "reject"):
            raise InvalidInput(msg("Choose approve or reject."))
        ids = list(dict.fromkeys(int(i) for i in payment_ids))
        if not ids:
            raise InvalidInput(msg("Pick at least one payment to review."))
        if len(ids) > BULK_LIMIT:
            raise InvalidInput(
                msg(
                    "Review at most {limit} payments at once; pick fewer.",
                    limit=BULK_LIMIT,
                )
            )
        if decision == "reject":
            reason = (reason or "").strip()
            if not 3 <= len(reason) <= 300:
                raise InvalidInput(
                    msg(
                        "Give the players a reason of 3 to 300 characters, e.g. “reference "
                        "not found”."
                    )
                )
        done: list[PaymentView] = []
        refused: list[tuple[int, Message]] = []
        for payment_id in ids:
            try:
                if decision == "approve":
                    done.append(await self.approve(actor, payment_id))
                else:
                    done.append(await self.reject(actor, payment_id, reason))
            except DomainError as error:
                refused.append((payment_id, error.text))
        return BulkReview(decision, tuple(done), tuple(refused))

    async def _lock_for_review(
        self, uow: UnitOfWork, actor: Actor, payment_id: int
    ) -> tuple[Payment, Registration]:
        """Check the organizer, then lock tournament, registration and payment in the order
        every registration change uses, so two paths never wait on each other in a cycle."""
        session = uow.session
        payment = await _payment_in_guild(session, actor, payment_id)
        await require_tournament_organizer(session, actor, payment.tournament_id)
        await session.execute(
            select(Tournament.id).where(Tournament.id == payment.tournament_id).with_for_update()
        )
        reg = await session.scalar(
            select(Registration).where(Registration.id == payment.registration_id).with_for_update()
        )
        locked = await session.scalar(
            select(Payment)
            .where(Payment.id == payment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert reg is not None and locked is not None  # foreign keys guarantee both
        return locked, reg

    async def _reviewed(
        self, uow: UnitOfWork, actor: Actor, payment: Payment, action: str, reason: str = ""
    ) -> PaymentView:
        await uow.session.flush()
        view = await _load_view(uow.session, payment.id)
        uow.audit(
            guild_id=payment.guild_id,
            actor_id=actor.user_id,
            action=action,
            target_type="payment",
            target_id=payment.id,
            before={"status": PaymentStatus.SUBMITTED},
            after={"status": payment.status, **({"reason": reason} if reason else {})},
        )
        fields = event_fields(payment, view.tournament_name, "")
        if payment.status == PaymentStatus.APPROVED:
            uow.emit(PaymentApproved(**fields, reviewer_id=actor.user_id))
        else:
            uow.emit(PaymentRejected(**fields, reviewer_id=actor.user_id, reason=reason))
        return view

    # -- refunds -------------------------------------------------------------------------

    async def refund(self, actor: Actor, payment_id: int, reason: str) -> PaymentView:
        """Coins go back at once (REFUNDED); money becomes REFUND_PENDING until an organizer
        sends it and says so with :meth:`mark_refund_sent` (a repeated refund click never
        does that by accident). The entry itself stays as it is: withdrawing or removing
        it is a registration command."""
        reason = (reason or "").strip()
        if not 3 <= len(reason) <= 300:
            raise InvalidInput(msg("Give a reason of 3 to 300 characters for the refund."))
        async with self._ctx.unit_of_work() as uow:
            payment, _ = await self._lock_for_review(uow, actor, payment_id)
            tournament_name = await _tournament_name(uow.session, payment.tournament_id)
            if payment.status == PaymentStatus.REFUND_PENDING:
                raise Conflict(
                    msg(
                        "The money refund of payment #{payment_id} is already waiting to "
                        "be sent. Once you have sent it, mark it with "
                        "{payments_refund_sent} {payment_id}.",
                        payment_id=payment.id,
                        payments_refund_sent=Command("payments refund-sent"),
                    )
                )
            if payment.status == PaymentStatus.APPROVED:
                await refund_payment(uow, payment, tournament_name, actor.user_id, reason)
            else:
                raise Conflict(_not_refundable(payment.status))
            await uow.session.flush()
            return await _load_view(uow.session, payment.id)

    async def mark_refund_sent(self, actor: Actor, payment_id: int, note: str) -> PaymentView:
        """The organizer sent the money of a REFUND_PENDING payment back: → REFUNDED."""
        note = (note or "").strip() or "Refund sent."
        async with self._ctx.unit_of_work() as uow:
            payment, _ = await self._lock_for_review(uow, actor, payment_id)
            if payment.status != PaymentStatus.REFUND_PENDING:
                raise Conflict(
                    msg("This payment has no money refund waiting to be sent, so nothing changed.")
                )
            name = await _tournament_name(uow.session, payment.tournament_id)
            await mark_refund_sent(uow, payment, name, actor.user_id, note[:300])
            await uow.session.flush()
            return await _load_view(uow.session, payment.id)

    # -- proofs --------------------------------------------------------------------------

    async def proof(self, actor: Actor, payment_id: int) -> tuple[bytes, str]:
        """The screenshot of a payment, for organizers of its guild only."""
        async with self._ctx.read() as session:
            payment = await _payment_in_guild(session, actor, payment_id)
            await require_tournament_organizer(session, actor, payment.tournament_id)
            if payment.proof_sha256 is None:
                raise NotFound(msg("This payment has no screenshot: it was paid with coins."))
            content_type = await session.scalar(
                select(StoredFile.content_type).where(StoredFile.sha256 == payment.proof_sha256)
            )
        try:
            data = await asyncio.to_thread(self._ctx.files.read, payment.proof_sha256)
        except FileNotFoundError:
            raise NotFound(
                msg(
                    "The screenshot file of this payment is missing from the file store. "
                    "Ask the player to send it again, or check the storage directory."
                )
            ) from None
        return data, content_type or "application/octet-stream"


# --- helpers --------------------------------------------------------------------------


# An entry's state as a sentence names it ("This entry is waitlisted now").
_ENTRY_STATES = {
    RegistrationStatus.AWAITING_PAYMENT: N_("awaiting payment"),
    RegistrationStatus.PAYMENT_REVIEW: N_("payment review"),
    RegistrationStatus.CONFIRMED: N_("confirmed"),
    RegistrationStatus.WAITLISTED: N_("waitlisted"),
    RegistrationStatus.WITHDRAWN: N_("withdrawn"),
    RegistrationStatus.DISQUALIFIED: N_("disqualified"),
    RegistrationStatus.CANCELLED: N_("cancelled"),
    RegistrationStatus.REJECTED: N_("rejected"),
    RegistrationStatus.EXPIRED: N_("expired"),
}
_PAYMENT_STATES = {
    PaymentStatus.APPROVED: N_("already approved"),
    PaymentStatus.REJECTED: N_("already rejected"),
    PaymentStatus.REFUNDED: N_("already refunded"),
    PaymentStatus.REFUND_PENDING: N_("already being refunded"),
}
_WANTED = {
    "reviewed": N_("reviewed"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
}


def _entry_state(status: str) -> Message | str:
    known = _ENTRY_STATES.get(status)  # type: ignore[call-overload]
    return Message(known) if known is not None else status.replace("_", " ")


def _require_submitted(payment: Payment, wanted: str) -> None:
    if payment.status == PaymentStatus.SUBMITTED:
        return
    known = _PAYMENT_STATES.get(PaymentStatus(payment.status))
    status: Message | str = Message(known) if known is not None else payment.status
    by = msg(" by {reviewer}", reviewer=User(payment.reviewer_id)) if payment.reviewer_id else ""
    raise Conflict(
        msg(
            "Payment #{payment_id} was {status}{by}, so it cannot be {wanted} now.",
            payment_id=payment.id,
            status=status,
            by=by,
            wanted=Message(_WANTED[wanted]) if wanted in _WANTED else wanted,
        )
    )


def _not_refundable(status: str) -> str:
    if status == PaymentStatus.SUBMITTED:
        return "This payment was never approved. Reject it instead; nothing was taken."
    if status == PaymentStatus.REJECTED:
        return "This payment was rejected, so there is nothing to refund."
    return "This payment was already refunded, so nothing changed."


async def _payment_in_guild(session: AsyncSession, actor: Actor, payment_id: int) -> Payment:
    payment = await session.get(Payment, payment_id)
    # A payment of another server is reported as missing, never shown.
    if payment is None or (actor.guild_id is not None and payment.guild_id != actor.guild_id):
        raise NotFound(
            msg(
                "There is no payment #{payment_id} on this server. Check the number.",
                payment_id=payment_id,
            )
        )
    return payment


async def _tournament_name(session: AsyncSession, tournament_id: int) -> str:
    return await session.scalar(select(Tournament.name).where(Tournament.id == tournament_id)) or ""
