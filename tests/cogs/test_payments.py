"""/wallet, /coins grant, /pay and /payments through the real discord.py client and the
fake Discord: commands in, replies, buttons, modals and DMs out."""

from __future__ import annotations

from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.kernel.uploads import DEFAULT_MAX_UPLOAD_BYTES
from storage.models.enums import PaymentStatus, RegistrationStatus
from testkit.fakediscord import AttachmentInput
from testkit.payment_helpers import (
    Guild,
    make_registration,
    make_tournament,
    noise_png,
    payments_of,
    png_bytes,
    registration_status,
)
from tests.cogs.conftest import UPLOAD_LIMIT, Arena


async def _configured(arena: Arena) -> Guild:
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await arena.env.services.guilds.configure(
        owner,
        arena.guild.id,
        GuildSetup(coin_name="Crowns", organizer_role_id=arena.organizer_role_id),
    )
    return Guild(arena.guild.id, owner, arena.organizer_role_id)


async def test_grant_wallet_and_pay_with_coins(arena: Arena) -> None:
    services, fake = arena.env.services, arena.env.fake
    guild = await _configured(arena)
    player = arena.players[0]
    tid = await make_tournament(services, guild, name="Coin Cup", fee_coins=40)
    reg = await make_registration(services, guild, tid, player.id)

    granted = await arena.slash(
        arena.organizer, "coins grant", {"member": player.id, "amount": 100, "reason": "Quiz win"}
    )
    assert granted.ephemeral and "Added 100 Crowns" in granted.content
    dm = await fake.wait_for_dm(player)
    assert "100 Crowns" in dm.content and "Quiz win" in dm.content

    refused = await arena.slash(
        arena.players[1], "coins grant", {"member": arena.players[1].id, "amount": 5, "reason": "x"}
    )
    assert refused.ephemeral and "Only organizers" in refused.content
    assert await services.ledger.balance(guild.id, arena.players[1].id) == 0

    wallet = await arena.slash(player, "wallet")
    [embed] = wallet.embeds
    assert wallet.ephemeral and "100 Crowns" in embed["description"]
    assert "Quiz win" in embed["fields"][0]["value"]

    paid = await arena.slash(player, "pay", {"tournament": str(tid), "method": "coins"})
    message = await paid.wait_for_followup()
    assert paid.ephemeral and "Paid **40 Crowns**" in message.content
    assert await registration_status(services, reg) == RegistrationStatus.CONFIRMED
    assert await services.ledger.balance(guild.id, player.id) == 60

    again = await arena.slash(player, "pay", {"tournament": str(tid), "method": "coins"})
    second = await again.wait_for_followup()
    assert "already paid" in second.content
    assert await services.ledger.balance(guild.id, player.id) == 60
    await arena.env.settle()


async def _submit_proof(arena: Arena, guild: Guild, name: str) -> tuple[int, int]:
    services = arena.env.services
    player = arena.players[0]
    tid = await make_tournament(services, guild, name=name, fee_minor=15000)
    # The arena's organizer reviews: the owner named them co-organizer of this tournament.
    await services.tournaments.add_co_organizer(guild.owner, tid, arena.organizer.id)
    reg = await make_registration(services, guild, tid, player.id)
    paid = await arena.slash(
        player,
        "pay",
        {
            "tournament": str(tid),
            "method": "bkash",
            "reference": "9BD7K2LQ1X",
            "proof": AttachmentInput("receipt.png", png_bytes(), "image/png"),
        },
    )
    message = await paid.wait_for_followup()
    assert "waiting for review" in message.content and "৳150.00" in message.content
    return tid, reg


async def _pending_message(arena: Arena):  # type: ignore[no-untyped-def]
    pending = await arena.slash(arena.organizer, "payments pending")
    summary = await pending.wait_for_followup(0)
    assert "1 payment waiting" in summary.content
    card = await pending.wait_for_followup(1)
    assert card.flags & card.EPHEMERAL
    return card


async def test_proof_review_and_approve_click(arena: Arena) -> None:
    services, fake = arena.env.services, arena.env.fake
    guild = await _configured(arena)
    _, reg = await _submit_proof(arena, guild, "Money Cup")
    [payment] = await payments_of(services, reg)

    card = await _pending_message(arena)
    [embed] = card.embeds
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Amount"] == "৳150.00" and fields["Method"] == "bKash"
    assert fields["Reference"] == "`9BD7K2LQ1X`"
    assert [a.data for a in card.attachments] == [png_bytes()]
    approve, reject = f"dc:pay:{payment.id}:approve", f"dc:pay:{payment.id}:reject"
    assert set(card.custom_ids()) == {approve, reject}

    stranger_click = await (await fake.click(arena.players[1], card, approve)).response()
    assert stranger_click.ephemeral and "Only the organizers of" in stranger_click.content
    assert (await payments_of(services, reg))[0].status == PaymentStatus.SUBMITTED

    clicked = await (await fake.click(arena.organizer, card, approve)).response()
    assert clicked.ephemeral and "Approved payment" in clicked.content
    assert await registration_status(services, reg) == RegistrationStatus.CONFIRMED
    dm = await _dm_containing(arena, arena.players[0], "was approved")
    assert "৳150.00" in dm.content and "Money Cup" in dm.content

    twice = await (await fake.click(arena.owner, card, approve)).response()
    assert twice.ephemeral and "already approved" in twice.content
    late_reject = await (await fake.click(arena.owner, card, reject)).response()
    assert late_reject.ephemeral and "already approved" in late_reject.content
    await arena.env.settle()


async def test_reject_click_opens_modal_and_player_is_told(arena: Arena) -> None:
    services, fake = arena.env.services, arena.env.fake
    guild = await _configured(arena)
    _, reg = await _submit_proof(arena, guild, "Reject Cup")
    [payment] = await payments_of(services, reg)
    card = await _pending_message(arena)

    click = await (
        await fake.click(arena.organizer, card, f"dc:pay:{payment.id}:reject")
    ).response()
    assert click.modal is not None and f"#{payment.id}" in click.modal["title"]
    [field_id] = _text_inputs(click.modal)
    submitted = await (
        await fake.submit_modal(arena.organizer, click, {field_id: "TrxID not found in bKash"})
    ).response()
    assert submitted.ephemeral and "Rejected payment" in submitted.content
    assert await registration_status(services, reg) == RegistrationStatus.AWAITING_PAYMENT
    dm = await _dm_containing(arena, arena.players[0], "was not approved")
    assert "TrxID not found in bKash" in dm.content

    verify = await arena.slash(arena.organizer, "payments verify", {"payment_id": payment.id})
    assert verify.ephemeral and "already rejected" in verify.content
    await arena.env.settle()


async def test_bad_proof_is_refused_through_discord(arena: Arena) -> None:
    services = arena.env.services
    guild = await _configured(arena)
    player = arena.players[1]
    tid = await make_tournament(services, guild, name="Fake Cup", fee_minor=5000)
    reg = await make_registration(services, guild, tid, player.id)
    paid = await arena.slash(
        player,
        "pay",
        {
            "tournament": str(tid),
            "method": "nagad",
            "reference": "NGD1234567",
            "proof": AttachmentInput("receipt.png", b"just some text, not an image", "image/png"),
        },
    )
    message = await paid.wait_for_followup()
    assert paid.ephemeral and "not a PNG or JPEG" in message.content
    assert await payments_of(services, reg) == []


async def test_proof_over_the_configured_limit_is_refused(arena: Arena) -> None:
    services = arena.env.services
    assert services.uploads.max_bytes == UPLOAD_LIMIT  # storage.max_upload_bytes, from the bot
    guild = await _configured(arena)
    player = arena.players[1]
    tid = await make_tournament(services, guild, name="Big Cup", fee_minor=5000)
    reg = await make_registration(services, guild, tid, player.id)
    big = noise_png(400)  # about 480 KB: under the default limit, over the configured one
    assert UPLOAD_LIMIT < len(big) < DEFAULT_MAX_UPLOAD_BYTES
    paid = await arena.slash(
        player,
        "pay",
        {
            "tournament": str(tid),
            "method": "nagad",
            "reference": "NGD7654321",
            "proof": AttachmentInput("receipt.png", big, "image/png"),
        },
    )
    message = await paid.wait_for_followup()
    assert paid.ephemeral and "the limit is 256 KB" in message.content
    assert await payments_of(services, reg) == []


async def _dm_containing(arena: Arena, member, text: str):  # type: ignore[no-untyped-def]
    fake = arena.env.fake
    return await fake.wait_until(
        lambda: next((m for m in fake.dms_to(member) if text in m.content), None)
    )


def _text_inputs(modal: dict) -> list[str]:
    found: list[str] = []

    def walk(component: dict) -> None:
        if component.get("type") == 4:
            found.append(component["custom_id"])
        for child in component.get("components", []):
            walk(child)
        if "component" in component:
            walk(component["component"])

    for component in modal["components"]:
        walk(component)
    return found
