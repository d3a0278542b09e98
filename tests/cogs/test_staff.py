"""Organizer operations through the real client and the fake Discord (issue 14): staff
per tournament, removing an entry (the player is DMed), and the participants CSV."""

from __future__ import annotations

import csv
import io

from engine.formats import Result
from engine.kernel.actors import Actor
from storage.models import Tournament
from storage.models.enums import RegistrationStatus
from testkit.factories import make_event
from testkit.payment_helpers import (
    Guild,
    make_registration,
    make_tournament,
    png_bytes,
    registration_status,
)
from tests.cogs.conftest import Arena
from tests.cogs.test_matches import four_players
from tests.cogs.test_payments import _configured
from tests.conftest import next_snowflake


async def _cup_with_dispute(arena: Arena, owner: Actor, players) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A started cup owned by the server owner, with a dispute open on its first match."""
    services = arena.env.services
    event = await make_event(
        services,
        next_snowflake,
        organizer=owner,
        entrants=[(member.id, member.user.username) for member in players],
    )
    await services.brackets.start(owner, event.tournament_id, seed=1)
    [first, *_] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    side = next(
        p
        for p in players
        if p.id == event.users[event.registrations.index(first.registration_a_id)]
    )
    dispute = await services.disputes.open_dispute(
        Actor(user_id=side.id, guild_id=arena.guild.id),
        reason="no_show",
        description="They never joined the lobby.",
        match_id=first.id,
    )
    return event.tournament_id, dispute.id


async def test_a_co_organizer_resolves_the_dispute_of_their_tournament_only(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    guild = await _configured(arena)
    players = await four_players(arena)
    mine, my_dispute = await _cup_with_dispute(arena, guild.owner, players)
    extra = [await fake.add_member(arena.guild, f"late{i}") for i in range(4)]
    theirs, their_dispute = await _cup_with_dispute(arena, guild.owner, extra)
    helper = await fake.add_member(arena.guild, "helper")  # no role, no Manage Server

    added = await arena.slash(
        arena.owner, "tournament staff-add", {"tournament": str(mine), "member": helper.id}
    )
    assert added.ephemeral and "now co-organizes" in added.content, added.content
    refused_add = await arena.slash(
        helper, "tournament staff-add", {"tournament": str(mine), "member": extra[0].id}
    )
    assert refused_add.ephemeral and "Only the owner of" in refused_add.content

    other = await arena.ask(
        helper,
        "dispute resolve",
        {"notes": "Not my call.", "first_score": 1, "second_score": 0, "dispute_id": their_dispute},
    )
    assert other.ephemeral and "Only the organizers of" in other.content, other.content
    assert (await services.disputes.detail(their_dispute)).dispute.status == "open"

    resolved = await arena.ask(
        helper,
        "dispute resolve",
        {
            "notes": "Lobby screenshot shows 1–0.",
            "first_score": 1,
            "second_score": 0,
            "dispute_id": my_dispute,
        },
    )
    assert resolved.ephemeral and "resolved" in resolved.content, resolved.content
    assert (await services.disputes.detail(my_dispute)).dispute.status == "resolved"
    assert theirs != mine
    await arena.env.settle()


async def test_organizer_removes_an_entry_and_the_player_is_dmed(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    guild = await _configured(arena)
    player, other = arena.players
    tid = await make_tournament(services, guild, name="Remove Cup")
    await services.tournaments.add_co_organizer(guild.owner, tid, arena.organizer.id)
    reg = await make_registration(services, guild, tid, player.id, RegistrationStatus.CONFIRMED)

    # The entry picker offers the tournament's entries to its organizers only.
    suggestions = await fake.autocomplete(
        arena.organizer,
        "tournament entry-remove",
        {"tournament": str(tid), "entry": ""},
        focused="entry",
        guild=arena.guild,
        channel=arena.announcements,
    )
    assert [c["value"] for c in suggestions] == [str(reg)]
    assert (
        await fake.autocomplete(
            other,
            "tournament entry-remove",
            {"tournament": str(tid), "entry": ""},
            focused="entry",
            guild=arena.guild,
            channel=arena.announcements,
        )
        == []
    )

    refused = await arena.slash(
        other,
        "tournament entry-remove",
        {"tournament": str(tid), "entry": str(reg), "reason": "I want the slot"},
    )
    assert refused.ephemeral and "Only the organizers of" in refused.content
    assert (await services.registration.get(reg)).status == RegistrationStatus.CONFIRMED

    removed = await arena.slash(
        arena.organizer,
        "tournament entry-remove",
        {"tournament": str(tid), "entry": str(reg), "reason": "Missed the rules briefing"},
    )
    assert removed.ephemeral and "Removed" in removed.content, removed.content
    dm = await fake.wait_for_dm(player)
    assert "Remove Cup" in dm.content and "Missed the rules briefing" in dm.content
    assert (await services.registration.get(reg)).status == RegistrationStatus.CANCELLED
    await arena.env.settle()


async def test_export_sends_the_participants_csv(arena: Arena) -> None:
    services = arena.env.services
    guild: Guild = await _configured(arena)
    player, other = arena.players
    tid = await make_tournament(services, guild, name="Export Cup")
    await services.tournaments.add_co_organizer(guild.owner, tid, arena.organizer.id)
    await make_registration(services, guild, tid, player.id, RegistrationStatus.CONFIRMED)

    record = await arena.env.fake.slash(
        arena.organizer,
        "tournament export",
        {"tournament": str(tid)},
        guild=arena.guild,
        channel=arena.announcements,
    )
    message = await record.wait_for_followup()
    assert "Participants of **Export Cup**" in message.content
    [attachment] = message.attachments
    assert attachment.filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(attachment.data.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["entry_id", "name", "status"]
    assert [r[2] for r in rows[1:]] == ["confirmed"]

    refused = await arena.slash(other, "tournament export", {"tournament": str(tid)})
    followup = await refused.wait_for_followup()
    assert "Only the organizers of" in followup.content and not followup.attachments


async def test_bulk_review_with_the_select_menu(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    guild = await _configured(arena)
    tid = await make_tournament(services, guild, name="Bulk Cup", fee_minor=5000)
    await services.tournaments.add_co_organizer(guild.owner, tid, arena.organizer.id)
    made = []
    for index, member in enumerate([*arena.players, await fake.add_member(arena.guild, "third")]):
        reg = await make_registration(services, guild, tid, member.id)
        view = await services.payments.pay(
            Actor(user_id=member.id, guild_id=guild.id),
            tid,
            "bkash",
            reference=f"BULK{index}",
            proof=png_bytes(colour=(index, 9, 9)),
        )
        made.append((member, reg, view.id))

    listing = await arena.slash(arena.organizer, "payments review")
    assert listing.ephemeral and "3 payments waiting" in listing.content, listing.content
    message = listing.message
    assert message is not None
    assert set(message.custom_ids()) == {"dc:pay-bulk:approve", "dc:pay-bulk:reject"}

    chosen = [str(made[0][2]), str(made[1][2])]
    approved = await fake.click(arena.organizer, message, "dc:pay-bulk:approve", values=chosen)
    summary = await approved.wait_for_followup()
    assert "Approved 2 payments" in summary.content, summary.content
    for member, reg, _ in made[:2]:
        assert await registration_status(services, reg) == RegistrationStatus.CONFIRMED
        assert "was approved" in (await fake.wait_for_dm(member)).content

    # The same pick again changes nothing and says why.
    again = await fake.click(arena.organizer, message, "dc:pay-bulk:approve", values=chosen)
    repeat = await again.wait_for_followup()
    assert "Nothing changed" in repeat.content and "already approved" in repeat.content

    reject = await (
        await fake.click(arena.organizer, message, "dc:pay-bulk:reject", values=[str(made[2][2])])
    ).response()
    assert reject.modal is not None
    [field_id] = [c["custom_id"] for row in reject.modal["components"] for c in row["components"]]
    done = await (
        await fake.submit_modal(arena.organizer, reject, {field_id: "Reference not found"})
    ).response()
    assert done.ephemeral and "Rejected 1 payment;" in done.content
    assert await registration_status(services, made[2][1]) == RegistrationStatus.AWAITING_PAYMENT
    await arena.env.settle()


async def test_prize_paid_tells_the_winner(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    guild = await _configured(arena)
    winner, loser = arena.players
    event = await make_event(
        services,
        next_snowflake,
        organizer=guild.owner,
        entrants=[(winner.id, "Winner"), (loser.id, "Loser")],
    )
    tid = event.tournament_id
    async with services.db.transaction() as session:
        row = await session.get(Tournament, tid)
        assert row is not None
        row.prize_pool_minor, row.prize_distribution, row.currency = 20_000, [100], "BDT"
    await services.brackets.start(guild.owner, tid, seed=1)
    [final] = await services.brackets.matches(tid, statuses=["ready"])
    scores = (1, 0) if final.registration_a_id == event.registrations[0] else (0, 1)
    await services.brackets.apply(guild.owner, tid, Result(final.code, scores))
    await arena.env.settle()

    choices = await fake.autocomplete(
        arena.owner,
        "tournament prize-paid",
        {"tournament": str(tid), "entry": ""},
        focused="entry",
        guild=arena.guild,
        channel=arena.announcements,
    )
    assert [c["value"] for c in choices] == [str(event.registrations[0])]
    record = await arena.env.fake.slash(
        arena.owner,
        "tournament prize-paid",
        {
            "tournament": str(tid),
            "entry": str(event.registrations[0]),
            "method": "bKash",
            "reference": "PRZ777",
        },
        guild=arena.guild,
        channel=arena.announcements,
    )
    done = await record.wait_for_followup()
    assert "Marked the prize of **Winner**" in done.content, done.content
    dm = await fake.wait_for_message(
        lambda m: m.channel_id == fake.dm_channel(winner).id and "PRZ777" in m.content
    )
    assert "৳200.00" in dm.content
    listing = await arena.slash(loser, "tournament prizes", {"tournament": str(tid)})
    assert "0 of 1 unpaid" in listing.content and "✅ paid" in listing.content
    await arena.env.settle()


async def test_pay_with_coins_after_the_start_is_refused_privately(arena: Arena) -> None:
    """The reported hole, through Discord: /pay after the start charges nothing."""
    services = arena.env.services
    guild = await _configured(arena)
    player = arena.players[0]
    tid = await make_tournament(services, guild, name="Late Cup", fee_coins=10)
    reg = await make_registration(services, guild, tid, player.id)
    await services.ledger.grant(guild.owner, guild.id, player.id, 100, "Seed", f"late:{tid}")
    async with services.db.transaction() as session:
        row = await session.get(Tournament, tid)
        assert row is not None
        row.status = "live"

    paid = await arena.slash(player, "pay", {"tournament": str(tid), "method": "coins"})
    answer = await paid.wait_for_followup()
    assert paid.ephemeral and "Late Cup has already started" in answer.content
    assert "Nothing was changed or charged" in answer.content
    assert await services.ledger.balance(guild.id, player.id) == 100
    assert await registration_status(services, reg) == RegistrationStatus.AWAITING_PAYMENT
