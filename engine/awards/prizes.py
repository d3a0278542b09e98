"""Money prizes: the bot records them at completion (``Placing.prize_minor``) but cannot
send money, so an organizer pays each one outside the bot and marks it paid here — with
how (bKash, bank transfer, cash…), the transaction reference and, optionally, a receipt
screenshot. The winner is told; placings show paid or unpaid; the unpaid report lists
what is still owed per tournament.

Coin prizes are paid by the ledger at completion and need none of this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.awards.events import PrizePaid
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.text import msg
from engine.kernel.uow import ServiceContext
from engine.money import format_money
from engine.tournaments import require_tournament_organizer
from storage.models import Placing, Registration, RegistrationMember, Tournament


@dataclass(frozen=True)
class PrizeView:
    placing_id: int
    tournament_id: int
    tournament_name: str
    registration_id: int
    display_name: str
    user_id: int
    place: int
    prize_coins: int
    prize_minor: int
    currency: str
    paid_at: datetime | None
    paid_method: str | None
    paid_reference: str | None
    paid_by: int | None

    @property
    def amount_text(self) -> str:
        return format_money(self.prize_minor, self.currency)

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


def _view(placing: Placing, tournament: Tournament, registration: Registration) -> PrizeView:
    return PrizeView(
        placing_id=placing.id,
        tournament_id=tournament.id,
        tournament_name=tournament.name,
        registration_id=registration.id,
        display_name=registration.display_name,
        user_id=registration.user_id,
        place=placing.place,
        prize_coins=placing.prize_coins,
        prize_minor=placing.prize_minor,
        currency=tournament.currency,
        paid_at=placing.prize_paid_at,
        paid_method=placing.prize_paid_method,
        paid_reference=placing.prize_paid_reference,
        paid_by=placing.prize_paid_by,
    )


class PrizeService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def prizes(self, tournament_id: int, guild_id: int | None = None) -> list[PrizeView]:
        """Every placing with a money prize, best place first, paid or not (public: the
        placings show paid/unpaid)."""
        async with self._ctx.read() as session:
            tournament = await session.get(Tournament, tournament_id)
            if tournament is None or (guild_id is not None and tournament.guild_id != guild_id):
                raise NotFound(msg("That tournament does not exist. Pick one from the list."))
            rows = await session.execute(
                select(Placing, Registration)
                .join(Registration, Registration.id == Placing.registration_id)
                .where(Placing.tournament_id == tournament.id, Placing.prize_minor > 0)
                .order_by(Placing.place, Placing.id)
            )
            return [_view(p, tournament, r) for p, r in rows.all()]

    async def unpaid(self, actor: Actor, tournament_id: int) -> list[PrizeView]:
        """The report of money prizes still owed, for the tournament's organizers."""
        async with self._ctx.read() as session:
            await require_tournament_organizer(session, actor, tournament_id)
        return [p for p in await self.prizes(tournament_id) if not p.is_paid]

    async def mark_paid(
        self,
        actor: Actor,
        tournament_id: int,
        registration_id: int,
        *,
        method: str,
        reference: str,
        receipt: bytes | None = None,
        receipt_name: str | None = None,
    ) -> PrizeView:
        """The organizer sent the money prize of this entry: record how, tell the winner.
        Marking a prize paid twice is refused (it says when and by whom)."""
        method = " ".join((method or "").split())
        reference = (reference or "").strip()
        if not 2 <= len(method) <= 32:
            raise InvalidInput(
                msg("Say how you paid in 2 to 32 characters, e.g. “bKash” or “bank transfer”.")
            )
        if not 1 <= len(reference) <= 100:
            raise InvalidInput(
                msg(
                    "Give the transaction reference (1 to 100 characters), so the winner can "
                    "find the payment."
                )
            )
        checked = None
        if receipt is not None:
            checked = await self._ctx.uploads.check_image(
                receipt, what="receipt", name=receipt_name
            )
        async with self._ctx.unit_of_work() as uow:
            tournament = await uow.session.get(Tournament, tournament_id, with_for_update=True)
            if tournament is None or (
                actor.guild_id is not None and tournament.guild_id != actor.guild_id
            ):
                raise NotFound(msg("That tournament does not exist. Pick one from the list."))
            await require_tournament_organizer(uow.session, actor, tournament)
            placing = await uow.session.scalar(
                select(Placing)
                .where(
                    Placing.tournament_id == tournament.id,
                    Placing.registration_id == registration_id,
                )
                .with_for_update()
            )
            registration = await uow.session.get(Registration, registration_id)
            if placing is None or registration is None or placing.prize_minor <= 0:
                raise NotFound(
                    msg(
                        "That entry has no money prize in {name}. Pick one from the list of "
                        "unpaid prizes.",
                        name=tournament.name,
                    )
                )
            if placing.prize_paid_at is not None:
                raise Conflict(
                    msg(
                        "The prize of {display_name} was already marked paid ({method}, "
                        "reference {reference}); nothing changed.",
                        display_name=registration.display_name,
                        method=placing.prize_paid_method or "?",
                        reference=placing.prize_paid_reference or "?",
                    )
                )
            if checked is not None:
                placing.prize_receipt_sha256 = await self._ctx.uploads.store(
                    uow, checked, guild_id=tournament.guild_id, user_id=actor.user_id
                )
            placing.prize_paid_at = uow.clock.now()
            placing.prize_paid_method = method
            placing.prize_paid_reference = reference
            placing.prize_paid_by = actor.user_id
            await uow.session.flush()
            view = _view(placing, tournament, registration)
            members = list(
                await uow.session.scalars(
                    select(RegistrationMember.user_id)
                    .where(RegistrationMember.registration_id == registration.id)
                    .order_by(RegistrationMember.id)
                )
            ) or [registration.user_id]
            uow.audit(
                guild_id=tournament.guild_id,
                actor_id=actor.user_id,
                action="prize.paid",
                target_type="placing",
                target_id=placing.id,
                before={"paid": False},
                after={
                    "registration_id": registration.id,
                    "place": placing.place,
                    "amount_minor": placing.prize_minor,
                    "method": method,
                    "reference": reference,
                    "receipt": placing.prize_receipt_sha256,
                },
            )
            uow.emit(
                PrizePaid(
                    guild_id=tournament.guild_id,
                    tournament_id=tournament.id,
                    tournament_name=tournament.name,
                    registration_id=registration.id,
                    display_name=registration.display_name,
                    place=placing.place,
                    amount_text=view.amount_text,
                    method=method,
                    reference=reference,
                    actor_id=actor.user_id,
                    user_ids=members,
                )
            )
            return view
