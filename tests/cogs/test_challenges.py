"""/challenge through the real discord.py client and the fake Discord: an organizer funds
the pool and sets a challenge, a member claims it with a screenshot, the organizer
verifies, the prize lands in the wallet with a DM and an announcement; every refusal is a
private sentence that changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from storage.models import Challenge, ChallengeClaim
from testkit.factories import make_event
from testkit.fakediscord import AttachmentInput
from testkit.payment_helpers import png_bytes
from tests.cogs.conftest import Arena
from tests.conftest import next_snowflake

FAR = "2099-12-31 22:00"


async def _configured(arena: Arena) -> None:
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await arena.env.services.guilds.configure(
        owner,
        arena.guild.id,
        GuildSetup(
            coin_name="Crowns",
            organizer_role_id=arena.organizer_role_id,
            announcement_channel_id=arena.announcements.id,
        ),
    )


async def _count(arena: Arena, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with arena.env.services.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


def _create_options(**changes) -> dict:  # type: ignore[no-untyped-def]
    return {
        "title": "Ace clutch",
        "rules": "Win a 1v5 round and post the clip.",
        "prize": 50,
        "winners": 2,
        "deadline": FAR,
        "judged": "review",
        **changes,
    }


async def test_claim_verify_and_payout(arena: Arena) -> None:
    services, fake = arena.env.services, arena.env.fake
    await _configured(arena)
    player, stranger = arena.players

    too_big = await arena.slash(arena.organizer, "challenge create", _create_options())
    assert too_big.ephemeral and "larger than the challenge pool" in too_big.content
    assert await _count(arena, Challenge, Challenge.guild_id == arena.guild.id) == 0

    funded = await arena.slash(
        arena.organizer, "challenge fund", {"amount": 150, "source": "grant"}
    )
    assert funded.ephemeral and "Granted 150 Crowns" in funded.content
    created = await arena.slash(arena.organizer, "challenge create", _create_options())
    assert created.ephemeral and "Ace clutch" in created.content and "50 Crowns" in created.content
    news = await fake.wait_until(
        lambda: next(
            (m for m in fake.messages_in(arena.announcements) if "New challenge" in m.content),
            None,
        )
    )
    assert "Ace clutch" in news.content and not news.mention_ids
    listed = await arena.slash(player, "challenge list")
    [embed] = listed.embeds
    assert listed.ephemeral and "Ace clutch" in embed["fields"][0]["name"]
    assert "50 not promised yet" in embed["footer"]["text"]
    challenge_id = (await services.challenges.list_challenges(arena.guild.id))[0].id

    claimed = await arena.ask(
        player,
        "challenge claim",
        {
            "challenge": challenge_id,
            "evidence": AttachmentInput("clutch.png", png_bytes(), "image/png"),
            "note": "Round 14, @everyone watch",
        },
    )
    assert "Your claim to Ace clutch is in" in claimed.content
    [claim] = await services.challenges.claims(arena.guild.id)
    assert claim.has_evidence and claim.status == "pending"
    organizer_dm = await fake.wait_for_dm(arena.organizer)
    assert "claimed the challenge" in organizer_dm.content

    queue = await arena.ask(arena.organizer, "challenge claims")
    assert "1 claim is waiting for review" in queue.content
    card = await fake.wait_until(
        lambda: next(
            (
                m
                for m in fake.messages_in(arena.announcements)
                if m.embeds and m.embeds[0].get("title", "").startswith(f"#{claim.id} ")
            ),
            None,
        )
    )
    assert card.flags & card.EPHEMERAL and card.attachments[0].data.startswith(b"\x89PNG")
    assert "@\u200beveryone" in card.embeds[0]["description"]  # the note cannot ping
    refused_queue = await arena.slash(stranger, "challenge claims")
    assert refused_queue.ephemeral and "Only organizers" in refused_queue.content

    twice = await arena.ask(player, "challenge claim", {"challenge": challenge_id, "note": "x"})
    assert "already claimed" in twice.content
    not_organizer = await arena.slash(stranger, "challenge verify", {"claim": claim.id})
    assert not_organizer.ephemeral and "Only organizers" in not_organizer.content
    assert await services.ledger.balance(arena.guild.id, player.id) == 0
    assert await _count(arena, ChallengeClaim, ChallengeClaim.status == "won") == 0

    verified = await arena.slash(arena.organizer, "challenge verify", {"claim": claim.id})
    assert verified.ephemeral and "verified" in verified.content
    assert await services.ledger.balance(arena.guild.id, player.id) == 50
    dm = await fake.wait_for_dm(player)
    assert "50 Crowns were added to your wallet" in dm.content
    announcement = await fake.wait_until(
        lambda: next((m for m in fake.messages_in(arena.announcements) if "🏆" in m.content), None)
    )
    assert f"<@{player.id}>" in announcement.content and "Ace clutch" in announcement.content
    assert announcement.mention_ids == [player.id]

    await arena.env.settle()
    trophies = [m for m in fake.messages_in(arena.announcements) if "🏆" in m.content]
    assert len(trophies) == 1  # announced once

    again = await arena.slash(arena.owner, "challenge verify", {"claim": claim.id})
    assert again.ephemeral and "already verified" in again.content
    assert await services.ledger.balance(arena.guild.id, player.id) == 50
    assert (await services.challenges.pool(arena.guild.id)).balance == 100
    await arena.env.settle()


async def test_a_claim_after_the_deadline_is_refused(arena: Arena) -> None:
    services = arena.env.services
    await _configured(arena)
    await arena.slash(arena.organizer, "challenge fund", {"amount": 50, "source": "grant"})
    await arena.slash(arena.organizer, "challenge create", _create_options(winners=1))
    [challenge] = await services.challenges.list_challenges(arena.guild.id)
    async with services.db.transaction() as session:  # the deadline passes
        await session.execute(
            update(Challenge)
            .where(Challenge.id == challenge.id)
            .values(deadline=services.clock.now() - timedelta(minutes=1))
        )

    late = await arena.ask(
        arena.players[0], "challenge claim", {"challenge": challenge.id, "note": "clip"}
    )

    assert "deadline" in late.content and "no more claims" in late.content
    assert await _count(arena, ChallengeClaim, ChallengeClaim.challenge_id == challenge.id) == 0
    await arena.env.settle()


async def test_reject_close_and_a_short_wallet(arena: Arena) -> None:
    services, fake = arena.env.services, arena.env.fake
    await _configured(arena)
    player = arena.players[0]

    short = await arena.slash(arena.organizer, "challenge fund", {"amount": 30, "source": "wallet"})
    assert short.ephemeral and "Not enough Crowns" in short.content
    assert (await services.challenges.pool(arena.guild.id)).balance == 0

    await arena.slash(arena.organizer, "challenge fund", {"amount": 60, "source": "grant"})
    await arena.slash(arena.organizer, "challenge create", _create_options(winners=1))
    [challenge] = await services.challenges.list_challenges(arena.guild.id)
    await arena.ask(player, "challenge claim", {"challenge": challenge.id, "note": "my clip"})
    [claim] = await services.challenges.claims(arena.guild.id)
    offered = await fake.autocomplete(
        arena.organizer,
        "challenge reject",
        {"claim": "", "reason": "x"},
        "claim",
        guild=arena.guild,
        channel=arena.announcements,
    )
    assert [c["value"] for c in offered] == [claim.id]
    to_a_player = await fake.autocomplete(
        player,
        "challenge verify",
        {"claim": ""},
        "claim",
        guild=arena.guild,
        channel=arena.announcements,
    )
    assert to_a_player == []
    assert "Ace clutch" in offered[0]["name"] and "player1" in offered[0]["name"]
    claimable = await fake.autocomplete(
        player,
        "challenge claim",
        {"challenge": ""},
        "challenge",
        guild=arena.guild,
        channel=arena.announcements,
    )
    assert [c["value"] for c in claimable] == [challenge.id]

    rejected = await arena.slash(
        arena.organizer, "challenge reject", {"claim": claim.id, "reason": "The clip is cut."}
    )
    assert rejected.ephemeral and "rejected" in rejected.content
    dm = await fake.wait_until(
        lambda: next((m for m in fake.dms_to(player) if "was rejected" in m.content), None)
    )
    assert "The clip is cut." in dm.content
    late_verify = await arena.slash(arena.organizer, "challenge verify", {"claim": claim.id})
    assert late_verify.ephemeral and "already rejected" in late_verify.content
    assert await services.ledger.balance(arena.guild.id, player.id) == 0

    stranger_close = await arena.slash(player, "challenge close", {"challenge": challenge.id})
    assert stranger_close.ephemeral and "Only organizers" in stranger_close.content
    closed = await arena.slash(arena.organizer, "challenge close", {"challenge": challenge.id})
    assert closed.ephemeral and "is closed" in closed.content
    assert await services.challenges.list_challenges(arena.guild.id) == []
    assert (await services.challenges.pool(arena.guild.id)).balance == 60
    withdrawn = await arena.slash(arena.organizer, "challenge withdraw")
    assert withdrawn.ephemeral and "60 granted Crowns were retired" in withdrawn.content
    assert (await services.challenges.pool(arena.guild.id)).balance == 0
    await arena.env.settle()


async def test_an_automatic_challenge_pays_from_a_result(arena: Arena) -> None:
    services, fake = arena.env.services, arena.env.fake
    fixed = iter([arena.guild.id, arena.organizer.id, *(p.id for p in arena.players)])
    event = await make_event(
        services, lambda: next(fixed, None) or next_snowflake(), players=4, best_of=3
    )
    await _configured(arena)
    await arena.slash(arena.organizer, "challenge fund", {"amount": 40, "source": "grant"})
    created = await arena.slash(
        arena.organizer,
        "challenge create",
        _create_options(
            title="Clean sweep",
            judged="clean_sweep",
            prize=40,
            winners=1,
            tournament=str(event.tournament_id),
        ),
    )
    assert "Clean sweep" in created.content and "without dropping a map" in created.content
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await services.guilds.configure(owner, arena.guild.id, GuildSetup(language="bn"))
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    [match, *_] = sorted(
        await services.brackets.matches(event.tournament_id, statuses=["ready"]),
        key=lambda m: m.code,
    )

    await services.scores.set_score(event.organizer, event.tournament_id, match.code, 2, 0)

    winner = event.users[event.registrations.index(match.registration_a_id)]
    assert await services.ledger.balance(arena.guild.id, winner) == 40
    announcement = await fake.wait_until(
        lambda: next(
            (
                m
                for m in fake.messages_in(arena.announcements)
                if "🏆" in m.content and "Clean sweep" in m.content
            ),
            None,
        )
    )
    assert announcement.mention_ids == [winner]
    assert "চ্যালেঞ্জ" in announcement.content  # in the server's language
    await arena.env.settle()
