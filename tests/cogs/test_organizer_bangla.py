"""An organizer whose server speaks Bangla runs the day in Bangla: /setup, /tournament
create, edit, publish, open and start, /stats tournament and /audit answer in Bangla, and
so do their refusals. Checked by script: most letters of each answer are Bengali once the
organizer's own words (names), numbers, mentions and commands are left out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from engine.kernel.actors import Actor
from testkit.fakediscord import InteractionRecord, Member
from tests.cogs.conftest import Arena
from tests.cogs.match_day_helpers import add_game, set_up_server

BENGALI = re.compile(r"[\u0980-\u09FF]")
# Mentions, Discord timestamps, slash commands, code spans, option names, URLs' paths.
NOT_WORDS = re.compile(r"<[^>]*>|/[a-z][a-z -]*[a-z]|`[^`]*`|\b[a-z_]+:|/t/\S+")


def bangla_share(text: str, *user_words: str) -> float:
    for word in user_words:
        text = text.replace(word, " ")
    text = NOT_WORDS.sub(" ", text)
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if BENGALI.match(c)) / len(letters)


def seen(answer: InteractionRecord) -> str:
    """Everything a reader sees of an answer: its text and its embeds' words."""
    parts = [answer.content or ""]
    for embed in answer.embeds or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


def assert_bangla(answer: InteractionRecord, *user_words: str) -> str:
    text = seen(answer)
    assert answer.ephemeral, text
    assert bangla_share(text, *user_words) > 0.8, text
    return text


async def ask(arena: Arena, user: Member, command: str, options: dict) -> InteractionRecord:
    """The answer as the user sees it (after a defer, the followup that replaces it)."""
    record = await arena.env.fake.slash(
        user, command, options, guild=arena.guild, channel=arena.announcements
    )
    answer = await (await record.response()).answer()
    return answer  # type: ignore[return-value]


def _later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d %H:%M")


async def _players_enter(arena: Arena, tid: int, game_id: int) -> None:
    services = arena.env.services
    for player in arena.players:
        actor = Actor(user_id=player.id, guild_id=arena.guild.id)
        await services.profiles.set_ingame_id(actor, game_id, f"{player.user.username}#EU")
        await services.registration.register(actor, tid)


async def test_a_bangla_servers_organizer_runs_a_tournament_in_bangla(arena: Arena) -> None:
    services = arena.env.services
    await set_up_server(arena)
    game_id = await add_game(arena, "Valorant", 1)

    # /setup: the owner switches the server to Bangla and is answered in it at once.
    saved = await ask(arena, arena.owner, "setup", {"language": "bn"})
    assert "সেটিংস" in assert_bangla(saved, "Crowns", "coins", "UTC", "DeltaCrown")
    shown = await ask(arena, arena.owner, "setup", {})
    assert_bangla(shown, "coins", "UTC", "DeltaCrown")

    # /tournament create, and a refusal of a start time that is not a time.
    options = {
        "name": "Winter Cup",
        "game": str(game_id),
        "format": "single_elim",
        "type": "solo",
        "max_participants": 8,
        "starts_at": _later(7),
    }
    created = await ask(arena, arena.organizer, "tournament create", options)
    text = assert_bangla(created, "Winter Cup", "Valorant", "UTC")
    assert "তৈরি" in text
    [view] = await services.tournaments.search(arena.guild.id, "Winter Cup")
    tid = str(view.id)
    refused = await ask(
        arena, arena.organizer, "tournament create", {**options, "starts_at": "soon-ish"}
    )
    assert_bangla(refused, "soon-ish", "Winter Cup", "Asia/Dhaka", "UTC")
    assert len(await services.tournaments.search(arena.guild.id, "Winter Cup")) == 1

    # /tournament edit, a refusal of a bad value, and /tournament history.
    edited = await ask(
        arena,
        arena.organizer,
        "tournament edit",
        {"tournament": tid, "field": "rules", "value": "No smurfs."},
    )
    # The saved version's summary is the stored diff (field names and values, as typed).
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    diff = (await services.tournaments.history(owner, view.id))[-1].summary
    assert "সেভ" in assert_bangla(edited, "Winter Cup", diff)
    bad = await ask(
        arena,
        arena.organizer,
        "tournament edit",
        {"tournament": tid, "field": "max_participants", "value": "many"},
    )
    assert_bangla(bad, "many", "max_participants")
    assert (await services.tournaments.get(view.id, arena.guild.id)).max_participants == 8
    history = await ask(arena, arena.organizer, "tournament history", {"tournament": tid})
    assert_bangla(history, "Winter Cup", diff)

    # A member who is no organizer is refused in Bangla, and nothing changes.
    member_refused = await ask(
        arena,
        arena.players[0],
        "tournament edit",
        {"tournament": tid, "field": "name", "value": "X"},
    )
    assert_bangla(member_refused, "Winter Cup")
    assert (await services.tournaments.get(view.id, arena.guild.id)).name == "Winter Cup"

    # /tournament start refused before there are entries; then publish, open, start.
    too_early = await ask(arena, arena.organizer, "tournament start", {"tournament": tid})
    assert_bangla(too_early, "Winter Cup")
    assert_bangla(
        await ask(arena, arena.organizer, "tournament publish", {"tournament": tid}), "Winter Cup"
    )
    assert_bangla(
        await ask(arena, arena.organizer, "tournament open", {"tournament": tid}), "Winter Cup"
    )
    await _players_enter(arena, view.id, game_id)
    started = await ask(arena, arena.organizer, "tournament start", {"tournament": tid})
    assert "শুরু" in assert_bangla(started)
    await arena.env.settle()

    # /stats tournament and its refusal for a member.
    stats = await ask(arena, arena.organizer, "stats tournament", {"tournament": tid})
    assert_bangla(stats, "Winter Cup", "BDT")
    assert_bangla(
        await ask(arena, arena.players[0], "stats tournament", {"tournament": tid}), "Winter Cup"
    )

    # /audit: an empty search, a refused date, and the retention answer.
    empty = await ask(arena, arena.organizer, "audit log", {"action": "nothing.here"})
    assert_bangla(empty)
    bad_date = await ask(arena, arena.organizer, "audit log", {"since": "05-12-2026"})
    assert_bangla(bad_date, "05-12-2026", "YYYY-MM-DD")
    kept = await ask(arena, arena.organizer, "audit retention", {"days": 90})
    assert_bangla(kept)


async def test_public_answers_use_the_servers_language_and_user_text_stays_inert(
    arena: Arena,
) -> None:
    """/tournament info is public: the server's Bangla, even for an organizer who reads
    English privately; a name typed by an organizer cannot ping or format in either."""
    services = arena.env.services
    await set_up_server(arena)
    game_id = await add_game(arena, "Valorant", 1)
    await ask(arena, arena.owner, "setup", {"language": "bn"})
    await ask(arena, arena.organizer, "profile language", {"language": "en"})

    name = "@everyone *Cup*"
    options = {
        "name": name,
        "game": str(game_id),
        "format": "single_elim",
        "type": "solo",
        "max_participants": 8,
        "starts_at": _later(7),
    }
    created = await ask(arena, arena.organizer, "tournament create", options)
    assert created.embeds[0]["title"].startswith("Created "), seen(created)
    [view] = await services.tournaments.search(arena.guild.id, "Cup")
    published = await ask(
        arena, arena.organizer, "tournament publish", {"tournament": str(view.id)}
    )
    assert "@\u200beveryone \\*Cup\\*" in published.content, published.content
    assert published.content.endswith("is published and announced.")

    info = await ask(arena, arena.players[0], "tournament info", {"tournament": str(view.id)})
    assert not info.ephemeral
    text = seen(info)
    assert bangla_share(text, name, "Valorant", "UTC") > 0.8, text

    # A player who reads the server's Bangla is answered privately in it, escaped too.
    staff = await ask(arena, arena.players[0], "tournament staff", {"tournament": str(view.id)})
    assert "@\u200beveryone \\*Cup\\*" in staff.content, staff.content
    assert_bangla(staff, "@\u200beveryone \\*Cup\\*")
