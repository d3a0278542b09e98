"""What a tournament reads like on Discord (issue 13, item 8): wording, order and noise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cogs._text import discord_text
from cogs._tournament_render import registration_text
from cogs.matches import _where
from cogs.wallet import _entry_line
from engine.money import LedgerEntryView
from testkit.fakediscord import Message
from tests.cogs.conftest import Arena
from tests.cogs.match_day_helpers import (
    OPEN,
    add_game,
    create_event,
    enter_players,
    more_players,
    run,
    set_ingame_id,
    set_up_server,
    text_of,
)


async def set_score(arena: Arena, tid: int, code: str, first: int, second: int) -> None:
    done = await run(
        arena,
        arena.organizer,
        "match set-score",
        {"tournament": str(tid), "match": code, "first_score": first, "second_score": second},
    )
    assert "Score set" in done, done


async def test_a_two_player_final_with_a_reset_reads_in_order(arena: Arena) -> None:
    """The waitlisted third player hears the start; GF1 says a reset follows; the
    certificates line comes after the podium; /standings says what it shows."""
    fake, services = arena.env.fake, arena.env.services
    *entrants, late = await more_players(arena, 4)
    await set_up_server(arena)
    game = await add_game(arena, "Valorant", 1)
    tid = await create_event(
        arena, game, "Reset Cup", format="double_elim", type="solo", max_participants=3,
        grand_final="reset",
    )  # fmt: skip
    await enter_players(arena, tid, game, entrants)
    await set_ingame_id(arena, game, late)
    entered = await run(arena, late, "register", {"tournament": str(tid)})
    assert "waitlist" in entered, entered
    await run(arena, arena.organizer, "tournament close", {"tournament": str(tid)})
    await run(arena, arena.organizer, "tournament start", {"tournament": str(tid)})
    await arena.env.settle()
    told = await fake.wait_for_message(
        lambda m: m.channel_id == fake.dm_channel(late).id and "has started" in m.content
    )
    assert "not in the bracket" in told.content

    gf1 = None
    while waiting := await services.brackets.matches(tid, statuses=OPEN):
        for match in waiting:
            if match.code.endswith("GF1"):
                gf1 = match
                await set_score(arena, tid, match.code, 0, 1)  # the lower-bracket side wins
            else:
                await set_score(arena, tid, match.code, 1, 0)
        await arena.env.settle()
    assert gf1 is not None
    gf1 = await services.brackets.get_match(gf1.id)
    assert gf1.thread_id is not None
    result = await fake.wait_for_message(
        lambda m: m.channel_id == gf1.thread_id and "wins" in m.content
    )
    assert "reset match decides the title" in result.content
    podium = await fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and m.content.startswith("🏆")
    )
    sent = await fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and "certificates sent" in m.content,
        timeout=20,
    )
    assert sent.id > podium.id, "the certificates line landed before the podium"

    record = await fake.slash(
        entrants[0],
        "standings",
        {"tournament": str(tid)},
        guild=arena.guild,
        channel=arena.matches,
    )
    _, caption = await text_of(await record.response())
    assert "Reset Cup" in caption and "standings" in caption
    await arena.env.settle()


async def test_the_tournament_card_and_the_open_notice_say_what_registration_does(
    arena: Arena,
) -> None:
    await set_up_server(arena)
    game = await add_game(arena, "Valorant", 1)
    tid = await create_event(
        arena, game, "Card Cup", format="single_elim", type="solo", max_participants=4
    )
    opened: Message = await arena.env.fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and "is open until" in m.content
    )
    assert "until the organizers close it" in opened.content
    assert "until when" not in opened.content
    card = await arena.slash(arena.players[0], "tournament info", {"tournament": str(tid)})
    [registration] = [f for f in card.embeds[0]["fields"] if f["name"] == "Registration"]
    assert registration["value"].startswith("Open now")
    await run(arena, arena.organizer, "tournament close", {"tournament": str(tid)})
    card = await arena.slash(arena.players[0], "tournament info", {"tournament": str(tid)})
    [registration] = [f for f in card.embeds[0]["fields"] if f["name"] == "Registration"]
    assert registration["value"] == "Closed"
    await arena.env.settle()


def test_registration_text_of_a_draft_names_the_organizers() -> None:
    class Draft:
        status = "draft"
        registration_opens_at = None
        registration_closes_at = None

    text = registration_text(Draft())  # type: ignore[arg-type]
    assert text == "Opens when the organizers open it\nCloses when the organizers close it"


def test_wallet_says_each_label_once() -> None:
    now = datetime.now(UTC) - timedelta(minutes=1)
    entry = LedgerEntryView(
        id=1, guild_id=1, user_id=2, amount=50, balance_after=50, kind="prize",
        reason="Prize: Crown Cup", idempotency_key="k", actor_id=None, created_at=now,
    )  # fmt: skip
    line = _entry_line(entry)
    assert "Prize: Crown Cup" in line and "Prize: Prize" not in line
    granted = _entry_line(
        LedgerEntryView(**{**entry.__dict__, "kind": "grant", "reason": "Helped at the desk"})
    )
    assert "Organizer: Helped at the desk" in granted


def test_a_report_made_in_the_match_thread_says_here() -> None:
    assert discord_text(_where(7, here=7)) == " here in this thread"
    assert discord_text(_where(7, here=8)) == " in <#7>"
    assert discord_text(_where(None, here=8)) == ""


async def test_a_dispute_thread_holds_the_organizers(arena: Arena) -> None:
    """Private threads are invisible to non-members: the organizers are added, so the
    one who must decide can open the thread where the evidence is."""
    fake, services = arena.env.fake, arena.env.services
    await set_up_server(arena)
    game = await add_game(arena, "Valorant", 1)
    tid = await create_event(
        arena,
        game,
        "Quarrel Cup",
        format="single_elim",
        type="solo",
        max_participants=2,
        match_checkin=0,  # disputed at once: no check-in first
    )
    await enter_players(arena, tid, game, arena.players)
    await run(arena, arena.organizer, "tournament close", {"tournament": str(tid)})
    await run(arena, arena.organizer, "tournament start", {"tournament": str(tid)})
    await arena.env.settle()
    [match] = await services.brackets.matches(tid, statuses=OPEN)
    match = await services.brackets.get_match(match.id)
    thread = fake.state.channel(match.thread_id)
    record = await fake.slash(
        arena.players[1],
        "dispute open",
        {"reason": "other", "description": "They used a smurf account."},
        guild=arena.guild,
        channel=thread,
    )
    await text_of(await record.response())
    disputes = await fake.wait_for_thread(lambda t: t.parent_id == arena.disputes.id)
    await fake.wait_for_message(lambda m: m.channel_id == disputes.id and bool(m.embeds))
    assert arena.organizer.id in disputes.member_ids
    assert {p.id for p in arena.players} <= set(disputes.member_ids)
    await arena.env.settle()


async def test_setup_warns_when_the_bot_cannot_run_dispute_threads(arena: Arena) -> None:
    fake = arena.env.fake
    guild = await fake.create_guild(channels=("disputes",), bot_permissions=0)
    owner = guild.members[guild.owner_id]
    channel = fake.state.channel(guild.channel_ids[0])
    record = await fake.slash(
        owner, "setup", {"dispute_channel": channel.id}, guild=guild, channel=channel
    )
    saved = await record.response()
    [warning] = [f for f in saved.embeds[0]["fields"] if "missing permissions" in f["name"]]
    assert "Manage Threads" in warning["value"]  # @everyone grants the rest here
    fine = await arena.slash(arena.owner, "setup", {"dispute_channel": arena.disputes.id})
    assert not [f for f in fine.embeds[0]["fields"] if "missing" in f["name"]]
