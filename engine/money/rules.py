"""The rules a payment must pass before anything is written: who owes what and how money
is shown. Which methods exist and what each accepts is ``engine.money.methods``; the
screenshot is checked by :mod:`engine.kernel.uploads`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.entries import refuse_after_start
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, NotFound
from engine.kernel.sql import insert_ignoring_conflicts
from engine.kernel.text import Command, User, msg
from storage.models import Payment, Registration, RegistrationMember, Tournament
from storage.models.enums import (
    SLOT_HOLDING,
    PaymentStatus,
    RegistrationStatus,
)

__all__ = [
    "format_money",
    "insert_ignoring_conflicts",
    "owed_registration",
    "refuse_reused_proof",
    "refuse_reused_reference",
]

_SYMBOLS = {"BDT": "৳", "USD": "$", "EUR": "€", "GBP": "£", "INR": "₹"}
_ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "ISK"})


# --- money ------------------------------------------------------------------------------


def format_money(amount_minor: int, currency: str | None) -> str:
    """``15000, "BDT"`` → ``"৳150.00"``; integer arithmetic only (no floats, ever)."""
    code = (currency or "").upper()
    sign = "-" if amount_minor < 0 else ""
    if code in _ZERO_DECIMAL:
        number = f"{abs(amount_minor):,}"
    else:
        major, minor = divmod(abs(amount_minor), 100)
        number = f"{major:,}.{minor:02d}"
    symbol = _SYMBOLS.get(code)
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{code} {number}".strip() if code else f"{sign}{number}"


# --- who owes what ----------------------------------------------------------------------


async def owed_registration(
    session: AsyncSession, actor: Actor, tournament_id: int, *, lock: bool = True
) -> tuple[Tournament, Registration]:
    """The actor's registration in the tournament, locked, that still owes its fee.

    ``lock=False`` asks the same question in a read (before a proof is decoded)."""
    # Lock order of every registration change: tournament, then registration, then payment.
    tournament = await session.get(Tournament, tournament_id, with_for_update=lock)
    if tournament is None or (actor.guild_id is not None and tournament.guild_id != actor.guild_id):
        raise NotFound(
            msg("That tournament does not exist on this server. Pick one from the list.")
        )
    # A started tournament takes no payment: its bracket is drawn, so a late payment
    # would buy nothing (and the start has expired every unpaid entry).
    refuse_after_start(tournament, msg("pay the entry fee"))
    query = select(Registration).where(
        Registration.tournament_id == tournament.id,
        Registration.user_id == actor.user_id,
        Registration.status.in_([*SLOT_HOLDING, RegistrationStatus.WAITLISTED]),
    )
    reg = await session.scalar(query.with_for_update() if lock else query)
    if reg is None:
        raise await _not_registered(session, actor, tournament)
    if tournament.entry_fee_coins <= 0 and tournament.entry_fee_minor <= 0:
        raise Conflict(
            msg("{name} has no entry fee, so there is nothing to pay.", name=tournament.name)
        )
    _require_owing(tournament, reg)
    return tournament, reg


def _require_owing(tournament: Tournament, reg: Registration) -> None:
    name = tournament.name
    if reg.status == RegistrationStatus.CONFIRMED:
        raise Conflict(
            msg(
                "Your entry in {name} is already paid and confirmed. Nothing was charged.",
                name=name,
            )
        )
    if reg.status == RegistrationStatus.PAYMENT_REVIEW:
        raise Conflict(
            msg(
                "Your payment for {name} is already waiting for review. An organizer "
                "will check it soon and you will get a direct message.",
                name=name,
            )
        )
    if reg.status == RegistrationStatus.WAITLISTED:
        raise Conflict(
            msg(
                "You are on the waitlist of {name}. Pay once a slot frees up; I will tell you.",
                name=name,
            )
        )


async def _not_registered(
    session: AsyncSession, actor: Actor, tournament: Tournament
) -> Conflict | NotFound:
    captain = await session.scalar(
        select(Registration.user_id)
        .join(RegistrationMember, RegistrationMember.registration_id == Registration.id)
        .where(
            RegistrationMember.tournament_id == tournament.id,
            RegistrationMember.user_id == actor.user_id,
            Registration.status.in_([*SLOT_HOLDING, RegistrationStatus.WAITLISTED]),
        )
    )
    if captain is not None:
        return Conflict(
            msg(
                "Your team's captain {captain} pays the entry fee for {name}.",
                captain=User(captain),
                name=tournament.name,
            )
        )
    return NotFound(
        msg(
            "You are not registered in {name}. Use {register} first, then pay.",
            name=tournament.name,
            register=Command("register"),
        )
    )


async def refuse_reused_reference(
    session: AsyncSession, guild_id: int, registration_id: int, reference: str
) -> None:
    """One transaction reference pays one entry: a reused TrxID is refused."""
    used = await session.scalar(
        select(Payment.id)
        .where(
            Payment.guild_id == guild_id,
            Payment.reference == reference,
            Payment.registration_id != registration_id,
            Payment.status != PaymentStatus.REJECTED,
        )
        .limit(1)
    )
    if used is not None:
        raise Conflict(
            msg(
                "The reference {reference} was already used for another entry's payment. "
                "Check the TrxID in your payment app and send your own.",
                reference=reference,
            )
        )


async def refuse_reused_proof(
    session: AsyncSession, guild_id: int, registration_id: int, sha256: str
) -> None:
    used = await session.scalar(
        select(Payment.id)
        .where(
            Payment.guild_id == guild_id,
            Payment.proof_sha256 == sha256,
            Payment.registration_id != registration_id,
            Payment.status != PaymentStatus.REJECTED,
        )
        .limit(1)
    )
    if used is not None:
        raise Conflict(
            msg(
                "This exact screenshot was already sent for another entry's payment. "
                "Attach the screenshot of your own transaction."
            )
        )
