"""Nothing a member types can ping anyone or render a link (issue 13, item 1).

A tournament name, a team name, two players' display names, a custom-field answer, a
dispute reason and an organizer's decision all carry ``@everyone``, a role mention, a
user mention and a masked link. The tournament is played to its end through the fake
Discord, and every message the bot created is checked from the payload it sent: its
content, its embeds and its ``allowed_mentions``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from testkit.fakediscord import Member, Message, pings_of
from tests.cogs.conftest import Arena
from tests.cogs.match_day_helpers import add_game, run, set_up_server, text_of
from tests.cogs.test_registration import text_inputs

LINK = "[FREE](https://evil.example/x)"
UNESCAPED_LINK = re.compile(r"(?<!\\)\[FREE\\?\]\(https://")


def hostile(role_id: int, user_id: int) -> str:
    return f"@everyone <@&{role_id}> <@{user_id}> {LINK}"


def texts(message: Message) -> list[str]:
    """Every string of a message where Discord renders masked links: the content, embed
    descriptions and field values (titles, field names and footers show links as text)."""
    found = [message.content]
    for embed in message.embeds:
        found.append(embed.get("description") or "")
        found += [f.get("value", "") for f in embed.get("fields", [])]
    return found


async def register(arena: Arena, member: Member, tid: int, game: int, answer: str) -> None:
    saved = await run(arena, member, "profile set", {"game": str(game), "ingame_id": "Id#EU"})
    assert "Id#EU" in saved, saved
    form = await arena.slash(member, "register", {"tournament": str(tid)})
    assert form.modal is not None, form.content
    values = {key: answer if key != "ingame_id" else "Id#EU" for key in text_inputs(form.modal)}
    done = await (await arena.env.fake.submit_modal(member, form, values)).answer()
    assert "Registered" in str(done.embeds), done.content


async def test_hostile_text_pings_nobody_and_renders_no_link(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    staff = await fake.add_role(arena.guild, "Staff")
    bystander = await fake.add_member(arena.guild, "bystander")
    evil = hostile(staff.id, bystander.id)
    alice = await fake.add_member(arena.guild, "alice", global_name=f"@everyone {LINK}")
    bob = await fake.add_member(arena.guild, "bob", global_name=f"<@&{staff.id}> <@{bystander.id}>")
    await set_up_server(arena)
    game = await add_game(arena, "Valorant", 1)

    starts = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
    created = await run(
        arena,
        arena.organizer,
        "tournament create",
        {
            "name": evil,
            "game": str(game),
            "format": "single_elim",
            "type": "solo",
            "max_participants": 2,
            "starts_at": starts,
            "match_checkin": 0,  # the dispute below opens at once, without a check-in
        },
    )
    assert "Created" in created, created
    [view] = await services.tournaments.search(arena.guild.id, "")
    tid = view.id
    added = await run(
        arena,
        arena.organizer,
        "tournament field-add",
        {"tournament": str(tid), "label": "Motto", "kind": "text"},
    )
    assert "Motto" in added, added
    for step in ("publish", "open"):
        await run(arena, arena.organizer, f"tournament {step}", {"tournament": str(tid)})

    # Teams: one named like a role ping, one like a masked link; bob gets an invite DM.
    for name, tag in ((f"<@&{staff.id}>", "EVL"), (LINK, "LNK")):
        made = await run(arena, alice, "team create", {"name": name, "tag": tag})
        assert "created" in made, made
    team = (await services.teams.teams_of(arena.guild.id, alice.id))[0]
    invited = await run(arena, alice, "team invite", {"team": str(team.id), "member": bob.id})
    assert "Invite sent" in invited, invited
    await fake.wait_for_message(lambda m: m.channel_id == fake.dm_channel(bob).id)

    await register(arena, alice, tid, game, evil)
    await register(arena, bob, tid, game, evil)
    await run(arena, arena.organizer, "tournament close", {"tournament": str(tid)})
    started = await run(arena, arena.organizer, "tournament start", {"tournament": str(tid)})
    assert "Started with" in started, started
    await arena.env.settle()

    [match] = await services.brackets.matches(tid, statuses=["checkin", "ready"])
    match = await services.brackets.get_match(match.id)
    assert match.thread_id is not None
    thread = fake.state.channel(match.thread_id)
    lobby = await fake.wait_for_message(lambda m: m.channel_id == thread.id and bool(m.embeds))
    assert pings_of(lobby).user_ids == {alice.id, bob.id}  # the two sides, by name

    record = await fake.slash(
        bob,
        "dispute open",
        {"reason": "other", "description": evil},
        guild=arena.guild,
        channel=thread,
    )
    _, opened = await text_of(await record.response())
    assert "Dispute #" in opened, opened
    dispute_thread = await fake.wait_for_thread(lambda t: t.parent_id == arena.disputes.id)
    summary = await fake.wait_for_message(
        lambda m: m.channel_id == dispute_thread.id and bool(m.embeds)
    )
    assert pings_of(summary).role_ids == {arena.organizer_role_id}
    resolved = await run(
        arena,
        arena.organizer,
        "dispute resolve",
        {"notes": f"Decided. {evil}", "first_score": 1, "second_score": 0},
        channel=dispute_thread,
    )
    assert "resolved" in resolved, resolved
    await fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and m.content.startswith("🏆")
    )
    await fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and "certificates sent" in m.content,
        timeout=20,
    )
    await arena.env.settle()

    allowed_users = {alice.id, bob.id, arena.owner.id, arena.organizer.id}
    inboxes = {fake.dm_channel(m).id for m in (alice, bob, arena.owner, arena.organizer)}
    seen = [
        m
        for m in fake.state.messages.values()
        if m.author.id == fake.bot_user.id
        and (m.guild_id == arena.guild.id or m.channel_id in inboxes)
    ]
    assert len(seen) > 20
    for message in seen:
        pinged = pings_of(message)
        where = f"message {message.content!r} {message.embeds!r}"
        assert not pinged.everyone, where
        assert pinged.role_ids <= {arena.organizer_role_id}, where
        assert pinged.user_ids <= allowed_users, where
        for text in texts(message):
            assert not UNESCAPED_LINK.search(text), where
