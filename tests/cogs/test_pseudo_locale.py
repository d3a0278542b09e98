"""No string escapes the catalogue: the player flows driven through the fake Discord in a
pseudo-locale (``qps``: every catalogue text wrapped in ⟦…⟧ and lengthened by ~40%).

The server's default and every player's own language are the pseudo-locale, so public
posts (match threads, dispute threads, check-in notices) and private answers (replies,
modals, DMs) all come out wrapped; whatever the fake recorded outside a wrapping must be
people's data (names, ids, match codes), numbers, mentions, timestamps, links or
punctuation. The lengthened texts must also fit Discord's limits where they are shown
(and none may have been cut short to fit).

Organizer setup (/setup, /game add, /tournament create … start) belongs to the organizer
cogs and runs before the switch; what it answers is not checked here.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable

import pytest_asyncio

from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.kernel.i18n import PSEUDO_LANGUAGE, enable_pseudo_locale
from testkit.fakediscord import AttachmentInput, Member
from testkit.payment_helpers import png_bytes
from tests.cogs.conftest import Arena
from tests.cogs.discord_text_checks import (
    Seen,
    Shown,
    catalogue_leaks,
    mark,
    message_texts,
    over_limits,
    record_texts,
)
from tests.cogs.match_day_helpers import (
    MatchDay,
    add_game,
    close_and_start,
    create_event,
    enter_players,
    enter_team,
    more_players,
    run,
    set_up_server,
)

# Commands of the organizer cogs (another area): their answers are not checked here.
ORGANIZER_COGS = ("tournament", "setup", "game", "bracket", "profile")
PRODUCT_WORDS = ("DeltaCrown", "TBD")


@pytest_asyncio.fixture(loop_scope="session")
async def pseudo() -> AsyncIterator[None]:
    enable_pseudo_locale()
    try:
        yield
    finally:
        enable_pseudo_locale(False)


async def speak_pseudo(arena: Arena, members: Iterable[Member]) -> None:
    """The server's default and each member's own language become the pseudo-locale."""
    services = arena.env.services
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await services.guilds.configure(owner, arena.guild.id, GuildSetup(language=PSEUDO_LANGUAGE))
    for member in members:
        await services.languages.set_personal_language(member.id, PSEUDO_LANGUAGE)


class PseudoMatchDay(MatchDay):
    """The match-day driver, finding the dispute thread by its number wherever the
    (translated) thread name puts it."""

    async def dispute(self, match, thread, _lobby) -> None:  # type: ignore[no-untyped-def]
        fake, arena = self.arena.env.fake, self.arena
        stronger, weaker = self.sides(match)
        wins, lost, first, second = self.scores(match)
        claim = {"my_score": wins, "their_score": lost}
        mine = await run(arena, self.members[stronger][0], "report", claim, channel=thread)
        assert "Reported" in mine, mine
        theirs = await run(arena, self.members[weaker][0], "report", claim, channel=thread)
        found = re.search(r"Dispute #(\d+)", theirs)
        assert found is not None, theirs
        dispute_thread = await fake.wait_for_thread(
            lambda t: t.parent_id == arena.disputes.id and f"#{found[1]} " in (t.name or "")
        )
        await fake.wait_for_message(lambda m: m.channel_id == dispute_thread.id and bool(m.embeds))
        resolved = await run(
            arena,
            arena.organizer,
            "dispute resolve",
            {"notes": "Screenshots agree.", "first_score": first, "second_score": second},
            channel=dispute_thread,
        )
        assert f"Dispute #{found[1]} resolved" in resolved, resolved
        await fake.wait_until(lambda: dispute_thread.locked and dispute_thread.archived)
        self.dispute_thread = dispute_thread


def _command_of(record) -> str:  # type: ignore[no-untyped-def]
    data = record.payload.get("data") or {}
    return str(data.get("name") or data.get("custom_id") or "")


def _tournament_card(message) -> bool:  # type: ignore[no-untyped-def]
    """The tournament card under lifecycle announcements: drawn by the organizer area
    (cogs/_tournament_render.py), whose own test checks it; its footer links the page."""
    return any("/t/" in ((e.get("footer") or {}).get("text") or "") for e in message.embeds)


def shown_since(seen: Seen, arena: Arena) -> list[Shown]:
    """Every text the bot showed since ``seen``: answers to interactions (not those of
    the organizer cogs), DMs, thread posts and thread names, announcements."""
    fake = arena.env.fake
    shown: list[Shown] = []
    for record in seen.new_records():
        command = _command_of(record)
        if command.split(" ")[0] in ORGANIZER_COGS or command.startswith("dc:tournament"):
            continue
        shown.extend(record_texts(record))
    for message in seen.new_messages():
        channel = fake.state.channel(message.channel_id)
        if channel is None or message.interaction_metadata is not None:
            continue  # interaction answers are checked with their interaction above
        shown.extend(
            item
            for item in message_texts(message)
            if not (item.where.startswith("embed") and _tournament_card(message))
        )
    for channel in fake.state.channels.values():
        thread = channel.guild_id == arena.guild.id and channel.parent_id is not None
        if thread and channel.id not in seen.channel_ids:
            shown.append(Shown("thread name", channel.name or ""))
    return shown


async def people_data(arena: Arena, tournament_ids: Iterable[int]) -> list[str]:
    """What people typed or own: names, in-game ids, team names, codes, the server."""
    services, fake = arena.env.services, arena.env.fake
    data = [arena.guild.name, *PRODUCT_WORDS, "Crowns", "BDT", "bKash"]
    for member in arena.guild.members.values():
        data += [member.user.username, member.user.global_name or "", member.nick or ""]
        data.append(f"{member.user.username}#EU")
    for tid in tournament_ids:
        tournament = await services.tournaments.get(tid)
        data.append(tournament.name)
        # Badge names are the server's own (or built-in) names, shown as data.
        data += [badge.name for badge, _ in await services.badges.awards_in_tournament(tid)]
        for match in await services.brackets.matches(tid):
            data.append(match.code)
        for entry in await services.registration.list(tid):
            data.append(entry.display_name)
    del fake
    return data


async def test_player_flows_show_only_catalogue_text(arena: Arena, pseudo: None) -> None:
    players = await more_players(arena, 4)
    await set_up_server(arena)
    solo_game = await add_game(arena, "Valorant", 1)
    duo_game = await add_game(arena, "Rocket League", 2)
    solo = await create_event(
        arena,
        solo_game,
        "Pseudo Cup",
        format="single_elim",
        type="solo",
        max_participants=4,
        best_of=3,
        edits={"match_checkin_minutes": "30"},
    )
    duo = await create_event(
        arena, duo_game, "Pseudo Duo", format="single_elim", type="team", max_participants=2
    )
    await speak_pseudo(arena, [*players, arena.organizer])
    seen = mark(arena.env.fake)

    # Register (solo, and a team: create, invite, Accept in the DM, register).
    entries = await enter_players(arena, solo, solo_game, players)
    rosters = [(players[0], players[1]), (players[2], players[3])]
    teams = [
        await enter_team(arena, duo, duo_game, f"Squad {i}", f"SQ{i}", list(roster))
        for i, roster in enumerate(rosters)
    ]
    await close_and_start(arena, solo)
    await close_and_start(arena, duo)

    # Check in, report and confirm, a dispute settled by the organizer.
    await PseudoMatchDay(
        arena,
        solo,
        ranks={r: rank for rank, r in enumerate(entries)},
        members={r: [p] for r, p in zip(entries, players, strict=True)},
        incidents={1: "dispute"},
    ).play_to_the_end()
    await PseudoMatchDay(
        arena,
        duo,
        ranks={r: rank for rank, r in enumerate(teams)},
        members={r: list(roster) for r, roster in zip(teams, rosters, strict=True)},
    ).play_to_the_end()
    await arena.env.settle()

    shown = shown_since(seen, arena)
    assert len(shown) > 50, "the flows showed (almost) nothing"
    leaks = catalogue_leaks(shown, await people_data(arena, [solo, duo]))
    assert not leaks, "\n".join(leaks)
    too_long = over_limits(shown)
    assert not too_long, "\n".join(too_long)


async def test_paying_shows_only_catalogue_text(arena: Arena, pseudo: None) -> None:
    """/register, /coins grant and /pay with coins; /pay with a proof, the organizer's
    review buttons and the reject form, and the DMs that follow."""
    fake, services = arena.env.fake, arena.env.services
    player, other = arena.players
    await set_up_server(arena)
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await services.guilds.configure(owner, arena.guild.id, GuildSetup(coin_name="Crowns"))
    game = await add_game(arena, "Valorant", 1)
    coin_cup = await create_event(
        arena,
        game,
        "Coin Cup",
        format="single_elim",
        type="solo",
        max_participants=8,
        entry_fee_coins=40,
        payment_methods="coins",
    )
    money_cup = await create_event(
        arena,
        game,
        "Money Cup",
        format="single_elim",
        type="solo",
        max_participants=8,
        entry_fee="150",
        currency="BDT",
        payment_methods="bkash",
    )
    await speak_pseudo(arena, [player, other, arena.organizer])
    seen = mark(fake)
    await enter_players(arena, coin_cup, game, [player])
    await enter_players(arena, money_cup, game, [player, other])

    await arena.slash(
        arena.organizer, "coins grant", {"member": player.id, "amount": 100, "reason": "Quiz"}
    )
    await fake.wait_for_dm(player)
    paid = await arena.slash(player, "pay", {"tournament": str(coin_cup), "method": "coins"})
    await paid.wait_for_followup()

    for member, reference, colour in (
        (player, "9BD7K2LQ1X", (30, 144, 255)),
        (other, "8AC6J1KP0W", (200, 40, 40)),
    ):
        upload = AttachmentInput("proof.png", png_bytes(colour=colour), "image/png")
        sent = await arena.slash(
            member,
            "pay",
            {
                "tournament": str(money_cup),
                "method": "bkash",
                "reference": reference,
                "proof": upload,
            },
        )
        waiting = await sent.wait_for_followup()
        assert "waiting for review" in waiting.content, waiting.content
    listing = await arena.slash(arena.organizer, "payments pending")
    first = await listing.wait_for_followup(1)
    approve = next(c for c in first.custom_ids() if c.endswith(":approve"))
    await (await fake.click(arena.organizer, first, approve)).response()
    second = await listing.wait_for_followup(2)
    reject = next(c for c in second.custom_ids() if c.endswith(":reject"))
    form = await (await fake.click(arena.organizer, second, reject)).response()
    await (await fake.submit_modal(arena.organizer, form, {"reason": "No such TrxID"})).response()
    await arena.env.settle()

    shown = shown_since(seen, arena)
    leaks = catalogue_leaks(
        shown,
        [
            *await people_data(arena, [coin_cup, money_cup]),
            *("9BD7K2LQ1X", "8AC6J1KP0W", "Quiz", "No such TrxID", "proof.png", "payment"),
        ],
    )
    assert not leaks, "\n".join(leaks)
    assert not over_limits(shown), "\n".join(over_limits(shown))
