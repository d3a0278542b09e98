"""/leaderboard, /stats, /audit and /export through the real discord.py client and the
fake Discord; and the badge notices (a DM, and a line on the podium)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from engine.audit import AuditFilter
from engine.kernel.actors import Actor
from storage.models.enums import RegistrationStatus
from testkit.factories import Event
from testkit.payment_helpers import Guild, make_registration, make_tournament
from tests.cogs.conftest import Arena
from tests.cogs.test_awards import _completed_cup
from tests.engine.services.test_certificates import play_chalk

PNG = b"\x89PNG"
BOM = "\ufeff".encode()


async def _game_of(arena: Arena, tid: int) -> int:
    return (await arena.env.services.tournaments.get(tid)).game_id


async def test_leaderboard_answers_with_a_picture_and_your_rank(arena: Arena) -> None:
    tid, _ = await _completed_cup(arena)
    champion, runner_up = arena.players
    game = await _game_of(arena, tid)
    reply = await arena.slash(runner_up, "leaderboard", {"game": str(game), "size": 10})
    assert reply.deferred and not reply.ephemeral
    message = await reply.wait_for_followup()
    [image] = message.attachments
    assert image.filename == "leaderboard.png" and image.data.startswith(PNG)
    assert "You are **#2** of 2 with a rating of 14" in message.content
    assert "(provisional)" in message.content
    titles = await arena.slash(champion, "leaderboard", {"game": str(game), "board": "titles"})
    assert "You are **#1** of 1 with 1 title." in (await titles.wait_for_followup()).content


async def test_leaderboard_refuses_an_unknown_game_privately(arena: Arena) -> None:
    reply = await arena.slash(arena.players[0], "leaderboard", {"game": "No Such Game"})
    assert reply.ephemeral and not reply.deferred
    assert "No Such Game" in reply.content or "game" in reply.content.lower()
    assert not reply.files


async def test_stats_player_shows_the_record_chart_and_badges(arena: Arena) -> None:
    await _completed_cup(arena)
    await arena.env.settle()  # badges are awarded by the completion notice
    champion = arena.players[0]
    reply = await arena.slash(arena.players[1], "stats player", {"member": champion.id})
    assert reply.deferred
    message = await reply.wait_for_followup()
    [card] = message.attachments
    assert card.filename == "stats.png" and card.data.startswith(PNG)
    [embed] = message.embeds
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "1 matches · 1W 0L 0D · 100% won" in fields["Record"]
    assert "Best placing: 1st" in fields["Tournaments"]
    assert "Champion" in fields["Badges"]
    assert "Next badges" in fields and " of " in fields["Next badges"]
    assert embed["image"]["url"] == "attachment://stats.png"
    profile = await arena.slash(arena.players[1], "profile show", {})
    shown = {f["name"]: f["value"] for f in profile.embeds[0]["fields"]}
    assert "0 of 1 tournament wins" in shown["Next badges"]


async def _five_player_cup(arena: Arena) -> tuple[int, list, list[int]]:  # type: ignore[type-arg]
    """A five-player cup played to the end: the fifth seed places fifth, with no
    certificate (only the podium gets one)."""
    services, fake = arena.env.services, arena.env.fake
    await _completed_cup(arena)  # configures the arena (its own cup is over)
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    guild = Guild(arena.guild.id, owner, arena.organizer_role_id)
    members = [*arena.players, *[await fake.add_member(arena.guild, f"extra{i}") for i in range(3)]]
    cup = await make_tournament(services, guild, name="Five Cup")
    regs = [
        await make_registration(services, guild, cup, m.id, status=RegistrationStatus.CONFIRMED)
        for m in members
    ]
    event = Event(arena.guild.id, cup, 0, owner, regs, [m.id for m in members])
    await services.brackets.start(owner, cup, seed=1)
    await play_chalk(services, event)
    return cup, members, regs


async def test_badge_awards_dm_the_player_and_join_the_podium(arena: Arena) -> None:
    fake = arena.env.fake
    cup, members, regs = await _five_player_cup(arena)
    await arena.env.settle()
    services = arena.env.services
    placings = {p.registration_id: p.place for p in await services.brackets.placings(cup)}
    assert sorted(placings.values())[-1] == 5
    [fifth] = [rid for rid, place in placings.items() if place == 5]
    last = members[regs.index(fifth)]  # no certificate: only the podium gets one
    dm = await fake.wait_for_message(
        lambda m: "You earned" in m.content and "Five Cup" in m.content and m in fake.dms_to(last),
        timeout=10,
    )
    assert "/stats player" in dm.content
    assert len([m for m in fake.dms_to(last) if "You earned" in m.content]) == 1
    [first] = [rid for rid, place in placings.items() if place == 1]
    champion = members[regs.index(first)]
    assert not [
        m for m in fake.dms_to(champion) if "You earned" in m.content and "Five Cup" in m.content
    ]
    podium = await fake.wait_for_message(
        lambda m: (
            m.channel_id == arena.announcements.id
            and "Five Cup" in m.content
            and "Badges earned:" in m.content
        ),
        timeout=10,
    )
    badge_lines = [ln for ln in podium.content.splitlines() if ln.startswith("🏅 **Badges")]
    assert len(badge_lines) == 1
    assert f"<@{champion.id}>" in badge_lines[0] and "Champion" in badge_lines[0]
    assert "First tournament" not in badge_lines[0]  # everyone's first: a DM only


async def test_audit_export_is_a_csv_attachment_and_is_audited(arena: Arena) -> None:
    services = arena.env.services
    tid, _ = await _completed_cup(arena)
    reply = await arena.slash(arena.organizer, "audit export", {"tournament": str(tid)})
    assert reply.deferred and reply.ephemeral
    message = await reply.wait_for_followup()
    [attachment] = message.attachments
    assert attachment.filename == f"audit-{arena.guild.id}.csv"
    assert attachment.data.startswith(BOM)
    rows = list(csv.reader(io.StringIO(attachment.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "created_at", "actor_id", "action"]
    assert rows[1:] and all(row[6] == str(tid) for row in rows[1:])
    assert any(row[3] == "tournament.complete" for row in rows[1:])
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    page = await services.audit.search(owner, arena.guild.id, AuditFilter(action="export.audit"))
    assert [e.actor_id for e in page.entries] == [arena.organizer.id]


async def test_players_cannot_read_or_export_the_audit_log(arena: Arena) -> None:
    services = arena.env.services
    await _completed_cup(arena)
    player = arena.players[0]
    for command in ("audit export", "audit log"):
        reply = await arena.slash(player, command, {})
        assert reply.ephemeral and "Only organizers" in reply.content, command
        assert not reply.files
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    page = await services.audit.search(owner, arena.guild.id, AuditFilter(action="export."))
    assert page.entries == []
    refused = await arena.slash(player, "export", {"tournament": "Awards Cup", "what": "results"})
    assert refused.ephemeral and not refused.deferred and "Only organizers" in refused.content


async def test_audit_log_pages_and_refuses_a_bad_date(arena: Arena) -> None:
    await _completed_cup(arena)
    reply = await arena.slash(arena.organizer, "audit log", {"action": "tournament."})
    assert reply.ephemeral and "tournament.complete" in reply.content
    bad = await arena.slash(arena.organizer, "audit log", {"since": "05-12-2026"})
    assert bad.ephemeral and "is not a date I can read" in bad.content


async def test_export_results_as_csv(arena: Arena) -> None:
    tid, _ = await _completed_cup(arena)
    reply = await arena.slash(
        arena.organizer, "export", {"tournament": str(tid), "what": "results"}
    )
    message = await reply.wait_for_followup()
    [attachment] = message.attachments
    assert attachment.filename.endswith("-results.csv") and attachment.data.startswith(BOM)
    rows = list(csv.reader(io.StringIO(attachment.data.decode("utf-8-sig"))))
    assert rows[0][0] == "match" and len(rows) == 2 and rows[1][12] == "completed"


async def test_versus_season_and_retention_refuse_bad_input_and_change_nothing(
    arena: Arena,
) -> None:
    services = arena.env.services
    await _completed_cup(arena)
    champion, runner_up = arena.players
    h2h = await arena.slash(runner_up, "stats versus", {"member": champion.id})
    assert h2h.ephemeral and "⚔️" in h2h.content and "0 – 1" in h2h.content
    same = await arena.slash(champion, "stats versus", {"member": champion.id})
    assert same.ephemeral and "two different players" in same.content

    bad_day = await arena.slash(
        arena.organizer,
        "stats season",
        {"name": "Winter", "first_day": "2026-13-01", "last_day": "2027-02-28"},
    )
    assert bad_day.ephemeral and "is not a date I can read" in bad_day.content
    backwards = await arena.slash(
        arena.organizer,
        "stats season",
        {"name": "Winter", "first_day": "2027-02-28", "last_day": "2026-12-01"},
    )
    assert "must end after it starts" in backwards.content
    assert await services.leaderboards.seasons(arena.guild.id) == []
    saved = await arena.slash(
        arena.organizer,
        "stats season",
        {"name": "Winter", "first_day": "2026-12-01", "last_day": "2027-02-28"},
    )
    assert "Season **Winter** saved" in saved.content
    [season] = await services.leaderboards.seasons(arena.guild.id)
    assert season.ends_at - season.starts_at == timedelta(days=90)

    short = await arena.slash(arena.organizer, "audit retention", {"days": 3})
    assert short.ephemeral and "30 to 3650 days" in short.content
    kept = await arena.slash(arena.organizer, "audit retention", {"days": 400})
    assert "older than 400 days" in kept.content and "always kept" in kept.content
    player = await arena.slash(champion, "audit retention", {"days": 40})
    assert player.ephemeral and "Only organizers" in player.content
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    changes = await services.audit.search(
        owner, arena.guild.id, AuditFilter(action="guild.audit_retention")
    )
    assert [e.after for e in changes.entries] == [{"days": 400}]  # refusals changed nothing
