from __future__ import annotations

from pathlib import Path

import pytest

from engine.kernel.clock import FrozenClock
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.money import (
    InsufficientCoins,
    format_money,
    refund_registration_payments,
    refund_tournament_payments,
)
from engine.services import Services
from storage.db import Database
from storage.models.enums import PaymentStatus, RegistrationStatus, TournamentStatus
from testkit.payment_helpers import (
    add_co_organizer,
    events,
    jpeg_bytes,
    ledger_count,
    make_guild,
    make_registration,
    make_tournament,
    noise_png,
    payments_of,
    png_bytes,
    registration_status,
    stored_files,
)


@pytest.fixture
def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    return Services(db, clock, data_dir=tmp_path)


def _stored_blobs(services: Services) -> list[Path]:
    root = services.ctx.files.root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def _grant(services: Services, guild, user_id: int, amount: int, new_id) -> None:
    await services.ledger.grant(guild.owner, guild.id, user_id, amount, "Seed", f"g:{new_id()}")


# --- coins ----------------------------------------------------------------------------------


async def test_pay_with_coins_confirms_once(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_coins=40)
    player = guild.member(new_id())
    reg = await make_registration(services, guild, tid, player.user_id)
    await _grant(services, guild, player.user_id, 100, new_id)

    view = await services.payments.pay(player, tid, "coins")
    assert (view.status, view.coins, view.amount_text) == ("approved", 40, "40 Crowns")
    assert await registration_status(services, reg) == RegistrationStatus.CONFIRMED
    assert await services.ledger.balance(guild.id, player.user_id) == 60
    [fee] = await services.ledger.history(guild.id, player.user_id, limit=1)
    assert (fee.kind, fee.amount, fee.idempotency_key) == ("entry_fee", -40, f"fee:{reg}")
    assert await events(services, "coins.spent", registration_id=reg)
    assert await events(services, "payment.approved", payment_id=view.id)

    with pytest.raises(Conflict) as caught:
        await services.payments.pay(player, tid, "coins")
    assert "already paid" in caught.value.message
    assert await services.ledger.balance(guild.id, player.user_id) == 60
    assert len(await payments_of(services, reg)) == 1


async def test_coins_refusals_change_nothing(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    player = guild.member(new_id())
    await _grant(services, guild, player.user_id, 10, new_id)
    paid = await make_tournament(services, guild, fee_coins=40)
    free = await make_tournament(services, guild, name="Free Cup")
    money_only = await make_tournament(services, guild, fee_minor=15000, methods=("bkash",))
    short_reg = await make_registration(services, guild, paid, player.user_id)
    await make_registration(services, guild, free, player.user_id, RegistrationStatus.CONFIRMED)
    await make_registration(services, guild, money_only, player.user_id)
    ledger_before = await ledger_count(services, guild.id)

    with pytest.raises(NotFound, match="not registered"):
        await services.payments.pay(guild.member(new_id()), paid, "coins")
    with pytest.raises(Conflict, match="no entry fee"):
        await services.payments.pay(player, free, "coins")
    with pytest.raises(InvalidInput, match=r"does not accept Crowns.*Accepted: bKash"):
        await services.payments.pay(player, money_only, "coins")
    with pytest.raises(InsufficientCoins, match="balance is 10 Crowns and this needs 40"):
        await services.payments.pay(player, paid, "coins")

    assert await registration_status(services, short_reg) == RegistrationStatus.AWAITING_PAYMENT
    assert await payments_of(services, short_reg) == []
    assert await services.ledger.balance(guild.id, player.user_id) == 10
    assert await ledger_count(services, guild.id) == ledger_before
    assert await services.audit.recent(guild.id, action_prefix="payment.") == []


async def test_team_member_is_sent_to_the_captain(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_coins=5)
    captain = new_id()
    reg = await make_registration(services, guild, tid, captain)
    teammate = guild.member(new_id())
    from storage.models import RegistrationMember

    async with services.db.transaction() as session:
        session.add(
            RegistrationMember(registration_id=reg, tournament_id=tid, user_id=teammate.user_id)
        )
    with pytest.raises(Conflict, match=f"<@{captain}> pays"):
        await services.payments.pay(teammate, tid, "coins")


# --- proofs -------------------------------------------------------------------------------


async def test_proof_goes_to_review_and_second_proof_is_refused(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=15000)
    player = guild.member(new_id())
    reg = await make_registration(services, guild, tid, player.user_id)
    image = png_bytes()

    view = await services.payments.pay(
        player, tid, "bkash", reference="9BD7K2LQ1X", proof=image, proof_name="pay.png"
    )
    assert (view.status, view.amount_minor, view.currency) == ("submitted", 15000, "BDT")
    assert view.amount_text == "৳150.00" and view.reference == "9BD7K2LQ1X"
    assert await registration_status(services, reg) == RegistrationStatus.PAYMENT_REVIEW
    assert services.ctx.files.read(view.proof_sha256) == image
    assert await events(services, "payment.submitted", payment_id=view.id)

    with pytest.raises(Conflict, match="already waiting for review"):
        await services.payments.pay(player, tid, "nagad", reference="OTHER1234", proof=jpeg_bytes())
    assert len(await payments_of(services, reg)) == 1
    assert len(_stored_blobs(services)) == 1


def _truncated_png() -> bytes:
    data = noise_png(64)
    return data[: len(data) // 2]


def _truncated_jpeg() -> bytes:
    data = jpeg_bytes((200, 200))
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("proof", "message"),
    [
        (b"this is a text file renamed to proof.png\n" * 10, "not a PNG or JPEG"),
        (noise_png(1000), "limit is 2,048 KB"),
        (_truncated_png(), "damaged or incomplete"),
        (_truncated_jpeg(), "damaged or incomplete"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "damaged or incomplete"),
    ],
    ids=["text-as-png", "oversized", "truncated-png", "truncated-jpeg", "png-magic-only"],
)
async def test_bad_proof_is_refused_and_nothing_is_stored(
    services: Services, new_id, proof: bytes, message: str
) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=15000)
    player = guild.member(new_id())
    reg = await make_registration(services, guild, tid, player.user_id)
    with pytest.raises(InvalidInput, match=message) as caught:
        await services.payments.pay(
            player, tid, "bkash", reference="9BD7K2LQ1X", proof=proof, proof_name="proof.png"
        )
    assert caught.value.message.endswith(".")
    assert await payments_of(services, reg) == []
    assert await stored_files(services, guild.id) == 0
    assert _stored_blobs(services) == []
    assert await registration_status(services, reg) == RegistrationStatus.AWAITING_PAYMENT
    assert await services.audit.recent(guild.id, action_prefix="payment.") == []


async def test_missing_reference_proof_and_method_are_refused(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=5000, methods=("bkash",))
    player = guild.member(new_id())
    reg = await make_registration(services, guild, tid, player.user_id)
    with pytest.raises(InvalidInput, match="transaction reference"):
        await services.payments.pay(player, tid, "bkash", reference=" ", proof=png_bytes())
    with pytest.raises(InvalidInput, match="Attach a screenshot"):
        await services.payments.pay(player, tid, "bkash", reference="ABC12345", proof=None)
    with pytest.raises(InvalidInput, match="does not accept Rocket"):
        await services.payments.pay(player, tid, "rocket", reference="ABC12345", proof=png_bytes())
    assert await payments_of(services, reg) == []
    assert _stored_blobs(services) == []


async def test_reference_of_another_entry_is_refused(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=5000)
    first, second = guild.member(new_id()), guild.member(new_id())
    await make_registration(services, guild, tid, first.user_id)
    reg2 = await make_registration(services, guild, tid, second.user_id)
    await services.payments.pay(first, tid, "bkash", reference="SAME1234", proof=png_bytes())
    with pytest.raises(Conflict, match="already used for another entry"):
        await services.payments.pay(second, tid, "bkash", reference="SAME1234", proof=jpeg_bytes())
    with pytest.raises(Conflict, match="exact screenshot"):
        await services.payments.pay(second, tid, "bkash", reference="OWN12345", proof=png_bytes())
    assert await payments_of(services, reg2) == []


# --- review --------------------------------------------------------------------------------


async def _submitted(services: Services, new_id, fee_minor: int = 15000):
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=fee_minor)
    player = guild.member(new_id())
    reg = await make_registration(services, guild, tid, player.user_id)
    view = await services.payments.pay(
        player, tid, "bkash", reference=f"TRX{new_id()}", proof=png_bytes()
    )
    return guild, tid, player, reg, view


async def test_pending_lists_the_queue_and_serves_the_proof(services: Services, new_id) -> None:
    guild, tid, player, _, view = await _submitted(services, new_id)
    organizer = await add_co_organizer(services, guild, tid, new_id())
    [pending] = await services.payments.pending(organizer, guild.id)
    assert pending.id == view.id and pending.amount_text == "৳150.00"
    assert pending.tournament_name == "Friday Cup" and pending.method_label == "bKash"
    data, content_type = await services.payments.proof(organizer, view.id)
    assert data == png_bytes() and content_type == "image/png"
    with pytest.raises(PermissionDenied):
        await services.payments.pending(player, guild.id)
    with pytest.raises(PermissionDenied):
        await services.payments.proof(player, view.id)
    # The organizer role alone runs no tournament: an empty queue, and no proof.
    other = guild.organizer(new_id())
    assert await services.payments.pending(other, guild.id) == []
    with pytest.raises(PermissionDenied):
        await services.payments.proof(other, view.id)


async def test_approve_confirms_once_and_second_click_changes_nothing(
    services: Services, new_id
) -> None:
    guild, tid, _, reg, view = await _submitted(services, new_id)
    organizer = await add_co_organizer(services, guild, tid, new_id())
    approved = await services.payments.approve(organizer, view.id)
    assert approved.status == "approved" and approved.reviewer_id == organizer.user_id
    assert await registration_status(services, reg) == RegistrationStatus.CONFIRMED
    [event] = await events(services, "payment.approved", payment_id=view.id)
    assert event["reviewer_id"] == organizer.user_id and event["amount_text"] == "৳150.00"

    audit_before = await services.audit.recent(guild.id)
    with pytest.raises(Conflict, match=f"already approved by <@{organizer.user_id}>"):
        await services.payments.approve(guild.owner, view.id)
    with pytest.raises(Conflict, match="already approved"):
        await services.payments.reject(guild.owner, view.id, "Changed my mind")
    assert await services.audit.recent(guild.id) == audit_before
    assert await services.payments.pending(organizer, guild.id) == []


async def test_reject_sends_back_to_awaiting_payment(services: Services, new_id) -> None:
    guild, tid, player, reg, view = await _submitted(services, new_id)
    rejected = await services.payments.reject(guild.owner, view.id, "Reference not found")
    assert rejected.status == "rejected" and rejected.review_note == "Reference not found"
    assert await registration_status(services, reg) == RegistrationStatus.AWAITING_PAYMENT
    [event] = await events(services, "payment.rejected", payment_id=view.id)
    assert event["reason"] == "Reference not found"
    with pytest.raises(Conflict, match="already rejected"):
        await services.payments.approve(guild.owner, view.id)
    # The player may pay again, even with the same screenshot.
    again = await services.payments.pay(
        player, tid, "bkash", reference="NEWTRX123", proof=png_bytes()
    )
    assert again.id != view.id and again.status == "submitted"
    with pytest.raises(InvalidInput, match="reason"):
        await services.payments.reject(guild.owner, again.id, " ")


async def test_non_organizer_approval_changes_nothing(services: Services, new_id) -> None:
    guild, _, player, reg, view = await _submitted(services, new_id)
    audit_before = await services.audit.recent(guild.id)
    for stranger in (player, guild.member(new_id())):
        with pytest.raises(PermissionDenied):
            await services.payments.approve(stranger, view.id)
    other_guild = await make_guild(services, new_id)
    with pytest.raises(NotFound):
        await services.payments.approve(other_guild.owner, view.id)
    [payment] = await payments_of(services, reg)
    assert payment.status == PaymentStatus.SUBMITTED and payment.reviewer_id is None
    assert await registration_status(services, reg) == RegistrationStatus.PAYMENT_REVIEW
    assert await services.audit.recent(guild.id) == audit_before
    assert await events(services, "payment.approved", payment_id=view.id) == []


# --- refunds -------------------------------------------------------------------------------


async def test_coin_refund_returns_coins_once(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_coins=30)
    player = guild.member(new_id())
    await make_registration(services, guild, tid, player.user_id)
    await _grant(services, guild, player.user_id, 30, new_id)
    paid = await services.payments.pay(player, tid, "coins")
    assert await services.ledger.balance(guild.id, player.user_id) == 0

    refunded = await services.payments.refund(guild.owner, paid.id, "Match day moved")
    assert refunded.status == "refunded" and refunded.refunded_at is not None
    assert await services.ledger.balance(guild.id, player.user_id) == 30
    [entry] = await services.ledger.history(guild.id, player.user_id, limit=1)
    assert (entry.kind, entry.amount, entry.idempotency_key) == ("refund", 30, f"refund:{paid.id}")
    assert await events(services, "payment.refunded", payment_id=paid.id)
    with pytest.raises(Conflict, match="already refunded"):
        await services.payments.refund(guild.owner, paid.id, "Again")
    assert await services.ledger.balance(guild.id, player.user_id) == 30


async def test_money_refund_is_pending_until_sent(services: Services, new_id) -> None:
    guild, _, player, _, view = await _submitted(services, new_id)
    with pytest.raises(Conflict, match="never approved"):
        await services.payments.refund(guild.owner, view.id, "Too early")
    await services.payments.approve(guild.owner, view.id)
    with pytest.raises(PermissionDenied):
        await services.payments.refund(player, view.id, "Give it back")
    pending = await services.payments.refund(guild.owner, view.id, "Player left the server")
    assert pending.status == "refund_pending"
    [event] = await events(services, "payment.refund_pending", payment_id=view.id)
    assert event["amount_text"] == "৳150.00"
    # A repeated refund (a double click, a retried form) must not claim the money was sent.
    with pytest.raises(Conflict, match="already waiting to be sent"):
        await services.payments.refund(guild.owner, view.id, "Player left the server")
    assert (await services.payments.get(guild.owner, view.id)).status == "refund_pending"
    sent = await services.payments.mark_refund_sent(guild.owner, view.id, "Sent back via bKash")
    assert sent.status == "refunded"
    with pytest.raises(Conflict):
        await services.payments.mark_refund_sent(guild.owner, view.id, "twice")


async def test_bulk_refunds_are_idempotent(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_coins=10, fee_minor=5000)
    coin_player, money_player = guild.member(new_id()), guild.member(new_id())
    coin_reg = await make_registration(services, guild, tid, coin_player.user_id)
    money_reg = await make_registration(services, guild, tid, money_player.user_id)
    await _grant(services, guild, coin_player.user_id, 10, new_id)
    await services.payments.pay(coin_player, tid, "coins")
    await services.payments.pay(
        money_player, tid, "nagad", reference="NGD123456", proof=jpeg_bytes()
    )

    async with services.ctx.unit_of_work() as uow:
        assert await refund_registration_payments(uow, coin_reg, coin_player.user_id, "Left") == 1
    async with services.ctx.unit_of_work() as uow:
        assert await refund_registration_payments(uow, coin_reg, coin_player.user_id, "Left") == 0
    assert await services.ledger.balance(guild.id, coin_player.user_id) == 10

    async with services.ctx.unit_of_work() as uow:
        assert await refund_tournament_payments(uow, tid, guild.owner.user_id, "Cancelled") == 1
    async with services.ctx.unit_of_work() as uow:
        assert await refund_tournament_payments(uow, tid, guild.owner.user_id, "Cancelled") == 0
    [money] = await payments_of(services, money_reg)
    assert money.status == PaymentStatus.REFUND_PENDING and "Check the proof" in money.review_note
    assert await services.ledger.ledger_total(guild.id, coin_player.user_id) == 10


async def test_closed_tournament_takes_no_payment(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_coins=5, status=TournamentStatus.CANCELLED)
    player = guild.member(new_id())
    await make_registration(services, guild, tid, player.user_id)
    with pytest.raises(Conflict, match="was cancelled, so you cannot pay the entry fee"):
        await services.payments.pay(player, tid, "coins")


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (15000, "BDT", "৳150.00"),
        (5, "BDT", "৳0.05"),
        (123456789, "USD", "$1,234,567.89"),
        (1500, "JPY", "JPY 1,500"),
        (250, "MYR", "MYR 2.50"),
        (-1999, "EUR", "-€19.99"),
    ],
)
def test_format_money_uses_integer_minor_units(minor: int, currency: str, text: str) -> None:
    assert format_money(minor, currency) == text


async def test_a_reference_pays_one_entry_however_it_is_typed(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    first_cup = await make_tournament(services, guild, fee_minor=5000)
    second_cup = await make_tournament(services, guild, fee_minor=5000)
    alice, bob = guild.member(new_id()), guild.member(new_id())
    await make_registration(services, guild, first_cup, alice.user_id)
    await make_registration(services, guild, second_cup, bob.user_id)
    paid = await services.payments.pay(
        alice, first_cup, "bkash", reference="9BD7K2LQ1X", proof=jpeg_bytes()
    )
    assert paid.reference == "9BD7K2LQ1X"
    with pytest.raises(Conflict, match="already used"):
        await services.payments.pay(
            bob, second_cup, "bkash", reference="9bd7-k2lq 1x", proof=jpeg_bytes((80, 60))
        )


async def test_a_grant_needs_an_organizer_of_that_server(services: Services, new_id) -> None:
    home, other = await make_guild(services, new_id), await make_guild(services, new_id)
    with pytest.raises(PermissionDenied):
        await services.ledger.grant(home.owner, other.id, new_id(), 10, "Gift", "g:1")
    with pytest.raises(PermissionDenied):
        await services.payments.pending(home.owner, other.id)
