"""Match day through the real discord.py client: the match thread, /report, Confirm,
a mismatch becoming a dispute thread, evidence posted there, and /dispute resolve."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from bot.notifier import Notifier
from bot.notify.matches import open_match_thread
from engine.brackets import MatchReady
from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from storage.models import DisputeEvidence
from testkit.factories import make_event
from testkit.fakediscord import Channel, InteractionRecord, Member
from testkit.fakediscord.options import AttachmentInput
from tests.cogs.conftest import Arena
from tests.conftest import next_snowflake


def png(colour: tuple[int, int, int] = (20, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 9), colour).save(buffer, format="PNG")
    return buffer.getvalue()


async def start_cup(arena: Arena, players: list[Member], *, best_of: int = 3) -> int:
    """A configured server and a live 4-player single-elimination cup (seed = list order)."""
    services = arena.env.services
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await services.guilds.configure(
        owner,
        arena.guild.id,
        GuildSetup(
            organizer_role_id=arena.organizer_role_id,
            announcement_channel_id=arena.announcements.id,
            match_channel_id=arena.matches.id,
            dispute_channel_id=arena.disputes.id,
        ),
    )
    event = await make_event(
        services,
        next_snowflake,
        organizer=owner,
        entrants=[(member.id, member.user.username) for member in players],
        best_of=best_of,
    )
    # The arena's organizer runs this tournament: the owner named them co-organizer.
    await services.tournaments.add_co_organizer(owner, event.tournament_id, arena.organizer.id)
    await services.brackets.start(owner, event.tournament_id, seed=1)
    await arena.env.settle()
    return event.tournament_id


async def answer(record: InteractionRecord) -> tuple[bool, str]:
    """(ephemeral, text) of the bot's answer, also when it deferred first."""
    found = await record.answer()
    return found.ephemeral, found.content


async def four_players(arena: Arena) -> list[Member]:
    fake = arena.env.fake
    extra = [await fake.add_member(arena.guild, f"player{i}") for i in (3, 4)]
    return [*arena.players, *extra]


async def match_thread(arena: Arena, first: Member, second: Member) -> Channel:
    name = f"{first.user.username} vs {second.user.username}"
    return await arena.env.fake.wait_for_thread(
        lambda t: t.parent_id == arena.matches.id and t.name.endswith(name)
    )


async def test_thread_report_confirm_posts_the_result(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    players = await four_players(arena)
    tid = await start_cup(arena, players)
    p1, p2, p3, p4 = players
    thread = await match_thread(arena, p1, p4)
    assert thread.name.startswith("W1-")
    assert thread.type == 12  # private
    lobby = await fake.wait_for_message(lambda m: m.channel_id == thread.id and m.embeds)
    assert {p1.id, p4.id} <= set(thread.member_ids)  # added before the lobby message
    assert {p2.id, p3.id}.isdisjoint(thread.member_ids)
    match = await services.scores.current_match(
        Actor(user_id=p1.id, guild_id=arena.guild.id), arena.guild.id
    )
    assert match.match.thread_id == thread.id
    assert set(lobby.custom_ids()) == {
        f"dc:match:{match.match.id}:report",
        f"dc:match:{match.match.id}:dispute",
        f"dc:match:{match.match.id}:reschedule",
        f"dc:match:{match.match.id}:lobby",
    }
    assert lobby.embeds[0]["title"].endswith(match.match.code)
    assert "Best of 3" in str(lobby.embeds[0])

    # A re-delivered MatchReady finds the recorded thread and opens no second one.
    threads = len(fake.threads_in(arena.matches))
    again = MatchReady(
        guild_id=arena.guild.id,
        tournament_id=tid,
        match_id=match.match.id,
        code=match.match.code,
        round_title=match.match.round_title,
        best_of=3,
        registration_ids=[s.registration_id for s in match.sides if s],
    )
    await open_match_thread(Notifier(arena.env.bot, services), again)
    assert len(fake.threads_in(arena.matches)) == threads == 2

    # A spectator has nothing to report; the reporter's /report carries a screenshot.
    spectator = await fake.add_member(arena.guild, "spectator")
    stranger = await arena.slash(
        spectator, "report", {"my_score": 2, "their_score": 0, "tournament": str(tid)}
    )
    hidden, text = await answer(stranger)
    assert hidden and "no match waiting" in text, text
    reported = await arena.slash(
        p4,
        "report",
        {"my_score": 1, "their_score": 2, "screenshot": AttachmentInput("final.png", png())},
    )
    hidden, text = await answer(reported)
    assert hidden and "Reported" in text, text
    ask = await fake.wait_for_message(
        lambda m: m.channel_id == thread.id and "confirm" in m.content.lower() and m.components
    )
    confirm = next(c for c in ask.custom_ids() if c.endswith(":confirm"))

    refused = await (await fake.click(p4, ask, confirm)).answer()
    assert refused.ephemeral and "opponent has to confirm" in refused.content
    outsider = await (await fake.click(spectator, ask, confirm)).answer()
    assert outsider.ephemeral and "for the players" in outsider.content
    clicked = await (await fake.click(p1, ask, confirm)).answer()
    assert clicked.ephemeral and "is final" in clicked.content
    result = await fake.wait_for_message(
        lambda m: m.channel_id == thread.id and "Final" in m.content
    )
    assert "2–1" in result.content and p1.user.username in result.content
    await fake.wait_until(lambda: thread.archived and thread.locked)
    # Late clicks are impossible: the finished match's buttons are gone.
    assert ask.components == [] and lobby.components == []
    decided = await services.brackets.get_match(match.match.id)
    assert (decided.status, decided.score_a, decided.score_b) == ("completed", 2, 1)


async def test_mismatch_opens_a_dispute_thread_resolved_by_an_organizer(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    players = await four_players(arena)
    await start_cup(arena, players)
    _, p2, p3, _ = players
    thread = await match_thread(arena, p2, p3)
    lobby = await fake.wait_for_message(lambda m: m.channel_id == thread.id and m.embeds)
    report_id = next(c for c in lobby.custom_ids() if c.endswith(":report"))

    # p2 reports through the thread button and its modal; p3 reports a different score.
    opened = await (await fake.click(p2, lobby, report_id)).response()
    assert opened.modal is not None
    submitted = await (await fake.submit_modal(p2, opened, {"mine": "2", "theirs": "0"})).answer()
    assert "Reported" in submitted.content
    own = await (await fake.click(p3, lobby, report_id)).response()
    bad = await (await fake.submit_modal(p3, own, {"mine": "2", "theirs": "2"})).answer()
    assert bad.ephemeral and "best-of-3" in bad.content
    differ = await fake.slash(p3, "report", {"my_score": 2, "their_score": 1}, channel=thread)
    hidden, text = await answer(await differ.response())
    assert hidden and "Dispute #" in text, text

    dispute_thread = await fake.wait_for_thread(lambda t: t.parent_id == arena.disputes.id)
    summary = await fake.wait_for_message(lambda m: m.channel_id == dispute_thread.id and m.embeds)
    assert {p2.id, p3.id} <= set(dispute_thread.member_ids)
    assert f"<@&{arena.organizer_role_id}>" in summary.content
    assert "Score mismatch" in str(summary.embeds[0])
    await fake.wait_for_message(lambda m: m.channel_id == thread.id and "Dispute #" in m.content)

    evidence = await fake.post_message(
        p2, dispute_thread, "Here is the end screen.", attachments=[("end.png", png((1, 2, 3)))]
    )
    await fake.wait_until(lambda: "📎" in evidence.reactions)
    async with services.db.read() as session:
        row = await session.scalar(
            select(DisputeEvidence).where(DisputeEvidence.source_message_id == evidence.id)
        )
    assert row is not None and row.file_sha256 is not None and row.user_id == p2.id
    # A broken image is refused in the thread, in the poster's language, and not recorded.
    await services.languages.set_personal_language(p3.id, "bn")
    broken = await fake.post_message(
        p3, dispute_thread, "Mine", attachments=[("end.png", b"\x89PNG not really")]
    )
    refusal = await fake.wait_for_message(
        lambda m: m.channel_id == dispute_thread.id and "PNG" in m.content
    )
    # ("evidence" itself is still an English value the engine passes in: see the
    # architecture notes on values not yet in the catalogue.)
    assert "PNG বা JPEG ছবি নয়। একটি স্ক্রিনশট সংযুক্ত করুন।" in refusal.content
    async with services.db.read() as session:
        kept = await session.scalar(
            select(DisputeEvidence).where(DisputeEvidence.source_message_id == broken.id)
        )
    assert kept is None
    await services.languages.set_personal_language(p3.id, None)

    refused = await (
        await fake.slash(
            p3,
            "dispute resolve",
            {"notes": "I win", "first_score": 0, "second_score": 2},
            channel=dispute_thread,
        )
    ).answer()
    assert refused.ephemeral and "Only the organizers of" in refused.content
    resolved = await (
        await fake.slash(
            arena.organizer,
            "dispute resolve",
            {"notes": "The end screen shows 2–0.", "first_score": 2, "second_score": 0},
            channel=dispute_thread,
        )
    ).answer()
    assert resolved.ephemeral and "resolved" in resolved.content
    outcome = await fake.wait_for_message(
        lambda m: m.channel_id == dispute_thread.id and "resolved by" in m.content
    )
    assert "2–0" in outcome.content
    await fake.wait_until(lambda: dispute_thread.locked and dispute_thread.archived)
    await fake.wait_for_message(lambda m: m.channel_id == thread.id and "Final" in m.content)


async def test_dispute_button_escalate_info_and_overrides(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    players = await four_players(arena)
    tid = await start_cup(arena, players)
    p1, _, p3, p4 = players
    thread = await match_thread(arena, p1, p4)
    lobby = await fake.wait_for_message(lambda m: m.channel_id == thread.id and m.embeds)

    info = await arena.slash(p4, "match info")
    assert info.ephemeral and info.embeds[0]["title"].startswith("Semifinals")
    assert f"<#{thread.id}>" in str(info.embeds[0]) and p1.user.username in str(info.embeds[0])

    dispute_button = next(c for c in lobby.custom_ids() if c.endswith(":dispute"))
    nosy = await fake.add_member(arena.guild, "nosy")
    refused = await (await fake.click(nosy, lobby, dispute_button)).answer()
    assert refused.ephemeral and "Only the organizers of" in refused.content
    form = await (await fake.click(p4, lobby, dispute_button)).response()
    assert form.modal is not None
    opened = await (
        await fake.submit_modal(
            p4, form, {"reason": ["no_show"], "description": "They never joined the lobby."}
        )
    ).response()
    assert opened.ephemeral and "Dispute #" in opened.content
    dispute_thread = await fake.wait_for_thread(lambda t: t.parent_id == arena.disputes.id)
    await fake.wait_for_message(lambda m: m.channel_id == dispute_thread.id and m.embeds)

    escalated = await (
        await fake.slash(
            arena.organizer, "dispute escalate", {"note": "Owner call."}, channel=dispute_thread
        )
    ).answer()
    assert escalated.ephemeral and "escalated" in escalated.content
    ping = await fake.wait_for_message(
        lambda m: m.channel_id == dispute_thread.id and "take a look" in m.content
    )
    assert (
        f"<@&{arena.organizer_role_id}>" in ping.content and f"<@{arena.owner.id}>" in ping.content
    )

    # The organizer settles it with /match set-score instead: the dispute closes too.
    code = info.embeds[0]["title"].split(" · ")[-1]
    refused_set = await arena.slash(
        p4,
        "match set-score",
        {"tournament": str(tid), "match": code, "first_score": 0, "second_score": 2},
    )
    assert refused_set.ephemeral and "Only the organizers of" in refused_set.content
    done = await arena.slash(
        arena.organizer,
        "match set-score",
        {"tournament": str(tid), "match": code, "first_score": 2, "second_score": 0},
    )
    assert done.ephemeral and "Score set" in done.content, done.content
    await fake.wait_until(lambda: dispute_thread.locked)

    dq = await arena.slash(
        arena.organizer, "match dq", {"tournament": str(tid), "player": p3.id, "reason": "Smurf."}
    )
    assert dq.ephemeral and "disqualified" in dq.content, dq.content
    [entry] = await services.registration.list(tid, statuses=["disqualified"])
    assert entry.member_ids == (p3.id,)
    semi = await fake.wait_for_message(
        lambda m: (
            m.guild_id == arena.guild.id
            and m.channel_id != thread.id
            and "disqualified" in m.content
            and "⛔" in m.content
        )
    )
    assert p3.user.username in semi.content
