"""A scheduled match through the real discord.py client and the fake Discord: its time in
the thread and /match info, the reminder in the thread and by DM for a player who asked,
LIVE at its time, the overdue notice's buttons (refused for a player, a score for an
organizer) and /match start.

The bot runs on the real clock, so "time passes" by making a planned timer due now (its
row's ``due_at``) and firing what is due, exactly as the scheduler would.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from engine.brackets import MatchState
from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.services import Services
from storage.models import Timer, Tournament
from testkit.factories import make_event
from testkit.fakediscord import Member
from tests.cogs.conftest import Arena
from tests.conftest import next_snowflake


async def comes_due(services: Services, key: str) -> None:
    """The moment of the pending timer ``key`` arrives; fire what is due."""
    async with services.db.transaction() as session:
        changed = await session.execute(
            update(Timer)
            .where(Timer.key == key, Timer.fired_at.is_(None), Timer.cancelled_at.is_(None))
            .values(due_at=services.clock.now() - timedelta(seconds=1))
        )
        assert changed.rowcount == 1, key  # type: ignore[attr-defined]
    await services.timers.fire_due()


async def scheduled_cup(arena: Arena, players: list[Member], *, dispute_channel: bool) -> int:
    services = arena.env.services
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await services.guilds.configure(
        owner,
        arena.guild.id,
        GuildSetup(
            organizer_role_id=arena.organizer_role_id,
            announcement_channel_id=arena.announcements.id,
            match_channel_id=arena.matches.id,
            dispute_channel_id=arena.disputes.id if dispute_channel else None,
        ),
    )
    event = await make_event(
        services,
        next_snowflake,
        organizer=owner,
        entrants=[(member.id, member.user.username) for member in players],
    )
    # The organizer-role holder runs this cup as its co-organizer (docs/permissions.md).
    await services.tournaments.add_co_organizer(owner, event.tournament_id, arena.organizer.id)
    first = services.clock.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    async with services.db.transaction() as session:
        await session.execute(
            update(Tournament)
            .where(Tournament.id == event.tournament_id)
            .values(round_times=[first.isoformat()])
        )
    await services.brackets.start(owner, event.tournament_id, seed=1)
    await arena.env.settle()
    return event.tournament_id


async def test_reminders_live_and_the_overdue_notice(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    p1, p2 = arena.players
    tid = await scheduled_cup(arena, [p1, p2], dispute_channel=True)
    [match] = await services.brackets.matches(tid)
    assert match.scheduled_at is not None
    stamp = f"<t:{int(match.scheduled_at.timestamp())}:F>"
    thread = await fake.wait_for_thread(lambda t: t.parent_id == arena.matches.id)
    opening = await fake.wait_for_message(lambda m: m.channel_id == thread.id and m.embeds)
    assert stamp in str(opening.embeds)

    info = await arena.slash(p1, "match info")
    assert info.ephemeral and stamp in str(info.embeds) and "ready to play" in str(info.embeds)

    dm_on = await arena.slash(p1, "match reminders", {"by_dm": True})
    assert dm_on.ephemeral and "direct message" in dm_on.content

    await comes_due(services, f"match:{match.id}:remind:60")
    reminder = await fake.wait_for_message(
        lambda m: m.channel_id == thread.id and m.content.startswith("⏰")
    )
    assert stamp in reminder.content and f"<@{p1.id}>" in reminder.content
    dm = await fake.wait_for_dm(p1)
    assert "⏰ Your match" in dm.content and stamp in dm.content
    assert fake.dms_to(p2) == []  # p2 did not ask for DMs

    await comes_due(services, f"match:{match.id}:start")
    await fake.wait_for_message(lambda m: m.channel_id == thread.id and "is LIVE" in m.content)
    assert (await services.brackets.get_match(match.id)).status == MatchState.LIVE

    await comes_due(services, f"match:{match.id}:overdue")
    notice = await fake.wait_for_message(
        lambda m: m.channel_id == arena.disputes.id and "overdue" in m.content
    )
    assert f"<@&{arena.organizer_role_id}>" in notice.content
    score = f"dc:overdue:{match.id}:score"
    assert notice.custom_ids() == [
        score,
        f"dc:overdue:{match.id}:dq0",
        f"dc:overdue:{match.id}:dq1",
    ]

    refused = await (await fake.click(p1, notice, score)).response()
    assert refused.ephemeral and "Only the organizers of" in refused.content
    assert (await services.brackets.get_match(match.id)).status == MatchState.LIVE

    form = await (await fake.click(arena.organizer, notice, score)).response()
    assert form.modal is not None
    bad = await (
        await fake.submit_modal(arena.organizer, form, {"first": "x", "second": "0"})
    ).response()
    assert bad.ephemeral and "whole number" in bad.content
    assert (await services.brackets.get_match(match.id)).status == MatchState.LIVE
    done = await (
        await fake.submit_modal(arena.organizer, form, {"first": "1", "second": "0"})
    ).response()
    assert done.ephemeral and "Score set" in done.content
    final = await services.brackets.get_match(match.id)
    assert final.status == MatchState.COMPLETED and final.winner_registration_id is not None
    await arena.env.settle()


async def test_match_start_is_for_organizers(arena: Arena) -> None:
    services = arena.env.services
    p1, p2 = arena.players
    tid = await scheduled_cup(arena, [p1, p2], dispute_channel=False)
    [match] = await services.brackets.matches(tid)

    refused = await arena.slash(p1, "match start", {"tournament": str(tid), "match": match.code})
    assert refused.ephemeral and "Only the organizers of" in refused.content
    unknown = await arena.slash(
        arena.organizer, "match start", {"tournament": str(tid), "match": "Z9-9"}
    )
    assert unknown.ephemeral and "no match Z9-9" in unknown.content
    assert (await services.brackets.get_match(match.id)).status == MatchState.READY

    started = await arena.slash(
        arena.organizer, "match start", {"tournament": str(tid), "match": match.code}
    )
    assert started.ephemeral and "is LIVE" in started.content
    assert (await services.brackets.get_match(match.id)).status == MatchState.LIVE
    await arena.env.settle()


def pending_timers(services: Services, match_id: int):  # type: ignore[no-untyped-def]
    async def read() -> dict[str, object]:
        return {
            t.key.split(":", 2)[2]: t.due_at
            for t in await services.timers.pending(f"match:{match_id}:")
            if ":reschedule:" not in t.key
        }

    return read()


async def test_a_reschedule_accepted_declined_and_expired_through_the_thread(
    arena: Arena,
) -> None:
    fake, services = arena.env.fake, arena.env.services
    p1, p2 = arena.players
    tid = await scheduled_cup(arena, [p1, p2], dispute_channel=False)
    [match] = await services.brackets.matches(tid)
    first = match.scheduled_at
    assert first is not None
    before = await pending_timers(services, match.id)
    thread = await fake.wait_for_thread(lambda t: t.parent_id == arena.matches.id)
    button = f"dc:match:{match.id}:reschedule"
    lobby = await fake.wait_for_message(
        lambda m: m.channel_id == thread.id and button in m.custom_ids()
    )

    # A stranger is refused before any form opens; a bad time changes nothing.
    stranger = await (await fake.click(arena.organizer, lobby, button)).response()
    assert stranger.ephemeral and "Only the players" in stranger.content
    form = await (await fake.click(p1, lobby, button)).response()
    assert form.modal is not None
    bad = await (await fake.submit_modal(p1, form, {"when": "soonish", "note": ""})).response()
    assert bad.ephemeral and bad.content
    assert await services.brackets.get_match(match.id) == match

    # Declined: nothing moves.
    later = first + timedelta(minutes=30)
    sent = await (
        await fake.submit_modal(
            p1, form, {"when": later.strftime("%Y-%m-%d %H:%M"), "note": "@everyone late bus"}
        )
    ).response()
    assert sent.ephemeral and "Proposed" in sent.content
    proposal = await fake.wait_for_message(
        lambda m: m.channel_id == thread.id and m.content.startswith("📅 <@")
    )
    assert f"<t:{int(later.timestamp())}:F>" in proposal.content
    assert "@\u200beveryone" in proposal.content or "\\@everyone" in proposal.content
    decline = next(c for c in proposal.custom_ids() if c.endswith(":decline"))
    own = await (await fake.click(p1, proposal, decline)).response()
    assert own.ephemeral and "other side" in own.content
    no = await (await fake.click(p2, proposal, decline)).response()
    assert no.ephemeral and "Declined" in no.content
    await fake.wait_for_message(lambda m: m.channel_id == thread.id and m.content.startswith("❌"))
    await fake.wait_until(lambda: fake.state.messages[proposal.id].custom_ids() == [])  # settled
    assert (await services.brackets.get_match(match.id)).scheduled_at == first
    assert await pending_timers(services, match.id) == before

    # Expired: nothing moves either.
    form = await (await fake.click(p2, lobby, button)).response()
    await (
        await fake.submit_modal(
            p2, form, {"when": (first - timedelta(minutes=20)).strftime("%Y-%m-%d %H:%M")}
        )
    ).response()
    await fake.wait_for_message(
        lambda m: (
            m.channel_id == thread.id and m.content.startswith("📅 <@") and m.id != proposal.id
        )
    )
    expiring = [t.key for t in await services.timers.pending(f"match:{match.id}:reschedule:")]
    assert len(expiring) == 1
    await comes_due(services, expiring[0])
    await fake.wait_for_message(lambda m: m.channel_id == thread.id and m.content.startswith("⌛"))
    assert (await services.brackets.get_match(match.id)).scheduled_at == first
    assert await pending_timers(services, match.id) == before

    # Accepted: the match and its reminders move.
    form = await (await fake.click(p1, lobby, button)).response()
    await (await fake.submit_modal(p1, form, {"when": later.strftime("%Y-%m-%d %H:%M")})).response()
    third = await fake.wait_for_message(
        lambda m: (
            m.channel_id == thread.id
            and m.content.startswith("📅 <@")
            and m.id != proposal.id
            and f"<t:{int(later.timestamp())}:F>" in m.content
            and any(c.endswith(":accept") for c in m.custom_ids())
            and m.custom_ids() != proposal.custom_ids()
        )
    )
    accept = next(c for c in third.custom_ids() if c.endswith(":accept"))
    yes = await (await fake.click(p2, third, accept)).response()
    assert yes.ephemeral and "Accepted" in yes.content
    await fake.wait_for_message(lambda m: m.channel_id == thread.id and m.content.startswith("✅"))
    assert (await services.brackets.get_match(match.id)).scheduled_at == later
    moved = await pending_timers(services, match.id)
    assert moved["start"] == later and moved["remind:15"] == later - timedelta(minutes=15)
    await arena.env.settle()


async def test_an_organizer_sets_a_time_and_a_player_cannot(arena: Arena) -> None:
    services = arena.env.services
    p1, p2 = arena.players
    tid = await scheduled_cup(arena, [p1, p2], dispute_channel=False)
    [match] = await services.brackets.matches(tid)
    assert match.scheduled_at is not None
    earlier = match.scheduled_at - timedelta(hours=2, minutes=30)  # past the players' limit
    options = {
        "tournament": str(tid),
        "match": match.code,
        "when": earlier.strftime("%Y-%m-%d %H:%M"),
    }
    refused = await arena.slash(p1, "match set-time", options)
    assert refused.ephemeral and "Only the organizers of" in refused.content
    assert (await services.brackets.get_match(match.id)).scheduled_at == match.scheduled_at
    done = await arena.slash(arena.organizer, "match set-time", options)
    assert done.ephemeral and f"<t:{int(earlier.timestamp())}:F>" in done.content
    assert (await services.brackets.get_match(match.id)).scheduled_at == earlier
    await arena.env.settle()


async def test_lobby_details_through_the_thread(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    p1, p2 = arena.players  # p1 is seed 1: the host
    tid = await scheduled_cup(arena, [p1, p2], dispute_channel=False)
    [match] = await services.brackets.matches(tid)
    thread = await fake.wait_for_thread(lambda t: t.parent_id == arena.matches.id)
    button = f"dc:match:{match.id}:lobby"
    lobby = await fake.wait_for_message(
        lambda m: m.channel_id == thread.id and button in m.custom_ids()
    )
    early = await (await fake.click(p2, lobby, button)).response()
    assert early.ephemeral and "No lobby details" in early.content
    outsider = await fake.add_member(arena.guild, "outsider")
    refused = await (await fake.click(outsider, lobby, button)).response()
    assert refused.ephemeral and "players and the organizers only" in refused.content

    form = await (await fake.click(p1, lobby, button)).response()
    assert form.modal is not None
    saved = await (
        await fake.submit_modal(p1, form, {"code": "EU-7781", "password": "pa_ss"})
    ).response()
    assert saved.ephemeral and "Saved the lobby details" in saved.content
    notice = await fake.wait_for_message(
        lambda m: m.channel_id == thread.id and m.content.startswith("🔑 <@")
    )
    assert "EU-7781" not in notice.content and "pa_ss" not in notice.content
    read = await (await fake.click(p2, notice, button)).response()
    assert read.ephemeral and "EU-7781" in read.content and "pa\\_ss" in read.content
    await arena.env.settle()
    # Only ephemeral answers ever carried them.
    public = [m for m in fake.messages_in(thread) if not m.ephemeral]
    assert all("EU-7781" not in m.content for m in public)
