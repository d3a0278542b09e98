"""The rules a payment must pass before anything is written: who owes what, which methods
a tournament accepts, what a valid screenshot is, and how money is shown."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.text import Command, User, msg
from engine.money.ledger import insert_ignoring_conflicts
from storage.models import Payment, Registration, RegistrationMember, Tournament
from storage.models.enums import (
    SLOT_HOLDING,
    PaymentMethod,
    PaymentStatus,
    RegistrationStatus,
    TournamentStatus,
)

__all__ = [
    "MAX_PROOF_BYTES",
    "amount_text",
    "format_money",
    "insert_ignoring_conflicts",
    "inspect_proof",
    "method_label",
    "owed_registration",
    "refuse_reused_proof",
    "refuse_reused_reference",
    "require_method",
]

MAX_PROOF_BYTES = 2 * 1024 * 1024
# A screenshot never needs more; a bigger canvas is a decompression bomb, not a receipt.
MAX_PROOF_PIXELS = 40_000_000

_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
_CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}

_SYMBOLS = {"BDT": "৳", "USD": "$", "EUR": "€", "GBP": "£", "INR": "₹"}
_ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "ISK"})

_LABELS = {
    PaymentMethod.COINS: "coins",
    PaymentMethod.BKASH: "bKash",
    PaymentMethod.NAGAD: "Nagad",
    PaymentMethod.ROCKET: "Rocket",
    PaymentMethod.BANK: "bank transfer",
}

_CLOSED = frozenset(
    {TournamentStatus.COMPLETED, TournamentStatus.ARCHIVED, TournamentStatus.CANCELLED}
)


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


def method_label(method: str, coin_name: str = "coins") -> str:
    if method == PaymentMethod.COINS:
        return coin_name
    return _LABELS.get(PaymentMethod(method), method) if method in set(PaymentMethod) else method


def amount_text(payment: Payment, coin_name: str) -> str:
    if payment.method == PaymentMethod.COINS:
        return f"{payment.coins} {coin_name or 'coins'}"
    return format_money(payment.amount_minor, payment.currency)


# --- the screenshot -----------------------------------------------------------------------


def _format_by_magic(data: bytes) -> str | None:
    for magic, image_format in _MAGIC.items():
        if data.startswith(magic):
            return image_format
    return None


def inspect_proof(data: bytes) -> str:
    """Return the content type of a valid PNG/JPEG screenshot or refuse it.

    Checked by content, never by file name: magic bytes, size, and a full decode.
    """
    if not data:
        raise InvalidInput(msg("The screenshot is empty. Attach the image of your payment again."))
    if len(data) > MAX_PROOF_BYTES:
        size_kib = len(data) // 1024
        raise InvalidInput(
            msg(
                "The screenshot is {size_kib:,} KB; the limit is {max_proof_bytes:,} KB "
                "(2 MB). Crop it or save it as JPEG, then send it again.",
                size_kib=size_kib,
                max_proof_bytes=MAX_PROOF_BYTES // 1024,
            )
        )
    image_format = _format_by_magic(data)
    if image_format is None:
        raise InvalidInput(
            msg("The attachment is not a PNG or JPEG image. Attach a screenshot of the payment.")
        )
    damaged = InvalidInput(
        msg(
            "The screenshot could not be read: the image is damaged or incomplete. Take "
            "the screenshot again and attach it."
        )
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != image_format:
                raise damaged
            width, height = image.size
            if width * height > MAX_PROOF_PIXELS:
                raise InvalidInput(
                    msg(
                        "The screenshot is far too large in pixels. Send a normal phone "
                        "or desktop screenshot."
                    )
                )
            image.verify()
        # verify() checks structure only; decoding every pixel catches truncated data.
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except InvalidInput:
        raise
    except Exception:  # Pillow raises many types for hostile input; all mean "unreadable"
        raise damaged from None
    return _CONTENT_TYPES[image_format]


# --- who owes what ----------------------------------------------------------------------


async def owed_registration(
    session: AsyncSession, actor: Actor, tournament_id: int
) -> tuple[Tournament, Registration]:
    """The actor's registration in the tournament, locked, that still owes its fee."""
    # Lock order of every registration change: tournament, then registration, then payment.
    tournament = await session.get(Tournament, tournament_id, with_for_update=True)
    if tournament is None or (actor.guild_id is not None and tournament.guild_id != actor.guild_id):
        raise NotFound(
            msg("That tournament does not exist on this server. Pick one from the list.")
        )
    if tournament.status in _CLOSED:
        raise Conflict(
            msg(
                "{name} is {status} and takes no more payments.",
                name=tournament.name,
                status=tournament.status,
            )
        )
    reg = await session.scalar(
        select(Registration)
        .where(
            Registration.tournament_id == tournament.id,
            Registration.user_id == actor.user_id,
            Registration.status.in_([*SLOT_HOLDING, RegistrationStatus.WAITLISTED]),
        )
        .with_for_update()
    )
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


def _fee_for(tournament: Tournament, method: str) -> int:
    if method == PaymentMethod.COINS:
        return tournament.entry_fee_coins
    return tournament.entry_fee_minor


def accepted_methods(tournament: Tournament) -> list[str]:
    """The methods a tournament takes that have a fee to pay with them."""
    return [
        str(m)
        for m in tournament.payment_methods or []
        if m in set(PaymentMethod) and _fee_for(tournament, m) > 0
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
