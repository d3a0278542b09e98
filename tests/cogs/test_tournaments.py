"""/game and /tournament through the real discord.py client and the fake Discord."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from tests.cogs.conftest import Arena


async def _configured(arena: Arena) -> None:
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await arena.env.services.guilds.configure(
        owner,
        arena.guild.id,
        GuildSetup(
            organizer_role_id=arena.organizer_role_id,
            announcement_channel_id=arena.announcements.id,
            timezone="Asia/Dhaka",
        ),
    )
    await arena.env.settle()


def _local(days: int) -> tuple[str, datetime]:
    """A time ``days`` ahead as typed in Dhaka, and the UTC moment it means."""
    moment = (datetime.now(UTC) + timedelta(days=days)).replace(second=0, microsecond=0)
    local = moment.astimezone(ZoneInfo("Asia/Dhaka"))
    return local.strftime("%Y-%m-%d %H:%M"), moment


async def _game(arena: Arena) -> int:
    added = await arena.slash(
        arena.organizer,
        "game add",
        {
            "name": "Valorant",
            "team_size": "5",
            "result_type": "map_score",
            "ingame_id_label": "Riot ID",
        },
    )
    assert added.ephemeral and added.embeds[0]["title"] == "Added Valorant"
    [game] = await arena.env.services.games.list_games(arena.guild.id)
    return game.id


async def _create(arena: Arena, game_id: int, **extra) -> int:
    starts, _ = _local(30)
    options = {
        "name": "Winter Cup",
        "game": str(game_id),
        "format": "single_elim",
        "type": "team",
        "max_participants": 16,
        "starts_at": starts,
        **extra,
    }
    # The answer as the organizer sees it, also when the watchdog had to defer first.
    created = await (await arena.slash(arena.organizer, "tournament create", options)).answer()
    assert created.ephemeral, created.content
    assert created.embeds[0]["title"] == "Created Winter Cup"
    [view] = await arena.env.services.tournaments.search(arena.guild.id, "Winter Cup")
    return view.id


async def _announcement(arena: Arena, phrase: str):
    return await arena.env.fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and phrase in m.content
    )


async def test_create_publish_open_info_and_list(arena: Arena) -> None:
    await _configured(arena)
    services = arena.env.services
    game_id = await _game(arena)
    starts, moment = _local(30)
    tid = await _create(
        arena,
        game_id,
        starts_at=starts,
        best_of=3,
        entry_fee="150.50",
        payment_methods="bkash, nagad",
        checkin=True,
        third_place=True,
    )
    view = await services.tournaments.get(tid)
    assert view.status == "draft" and view.starts_at == moment
    assert view.entry_fee_minor == 15050 and view.payment_methods == ("bkash", "nagad")
    assert view.format_options == {"third_place": True} and view.best_of == 3

    published = await arena.slash(arena.organizer, "tournament publish", {"tournament": str(tid)})
    assert published.ephemeral and "published" in published.content
    coming = await _announcement(arena, "is coming")
    assert coming.embeds[0]["title"] == "📣 Winter Cup is coming!"
    assert f"<t:{int(moment.timestamp())}:F>" in coming.content

    opened = await arena.slash(arena.organizer, "tournament open", {"tournament": "Winter Cup"})
    assert "is open" in opened.content
    await _announcement(arena, "slots left. Sign up with /register")

    info = await arena.slash(arena.players[0], "tournament info", {"tournament": str(tid)})
    assert not info.ephemeral
    [embed] = info.embeds
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Slots"] == "16 of 16 left"
    assert fields["Entry fee"].startswith("150.50 BDT")
    assert f"<t:{int(moment.timestamp())}:R>" in fields["Starts"]
    assert "Single elimination, best of 3" in fields["Format"]
    assert "Open for registration" in embed["description"]

    listed = await arena.slash(arena.players[1], "tournament list")
    assert [f["name"] for f in listed.embeds[0]["fields"]] == ["Winter Cup · Valorant"]
    statuses = [
        e.after["status"]
        for e in await services.audit.recent(arena.guild.id, action_prefix="tournament.status")
    ]
    assert statuses == ["registration_open", "published"]


async def test_edit_history_and_rollback(arena: Arena) -> None:
    await _configured(arena)
    services = arena.env.services
    tid = await _create(arena, await _game(arena))
    edited = await arena.slash(
        arena.organizer,
        "tournament edit",
        {"tournament": str(tid), "field": "max_participants", "value": "32"},
    )
    assert edited.ephemeral and "version 2: max_participants: 16 → 32" in edited.content

    # Without a value the organizer gets a form, prefilled with the current value.
    form = await arena.slash(
        arena.organizer, "tournament edit", {"tournament": str(tid), "field": "rules"}
    )
    assert form.modal is not None
    assert form.modal["title"] == "Edit rules"
    submitted = await arena.env.fake.submit_modal(
        arena.organizer, form, {"value": "Be on time.\nNo smurfs."}
    )
    assert "version 3" in (await submitted.response()).content
    assert (await services.tournaments.get(tid)).rules == "Be on time.\nNo smurfs."

    history = await arena.slash(arena.organizer, "tournament history", {"tournament": str(tid)})
    names = [f["name"] for f in history.embeds[0]["fields"]]
    assert names == ["Version 3", "Version 2", "Version 1"]

    rolled = await arena.slash(
        arena.organizer, "tournament rollback", {"tournament": str(tid), "version": 1}
    )
    assert "version 4: Rolled back to version 1" in rolled.content
    view = await services.tournaments.get(tid)
    assert view.max_participants == 16 and view.rules is None and view.version == 4

    refused = await arena.slash(
        arena.players[0], "tournament rollback", {"tournament": str(tid), "version": 2}
    )
    assert refused.ephemeral and "Only the organizers of" in refused.content
    assert (await services.tournaments.get(tid)).version == 4


async def test_non_organizer_cannot_create(arena: Arena) -> None:
    await _configured(arena)
    game_id = await _game(arena)
    starts, _ = _local(10)
    refused = await arena.slash(
        arena.players[0],
        "tournament create",
        {
            "name": "Rogue Cup",
            "game": str(game_id),
            "format": "swiss",
            "type": "team",
            "max_participants": 8,
            "starts_at": starts,
        },
    )
    assert refused.ephemeral and "Only organizers" in refused.content
    assert await arena.env.services.tournaments.search(arena.guild.id) == []


async def test_bad_values_are_explained(arena: Arena) -> None:
    await _configured(arena)
    game_id = await _game(arena)
    starts, _ = _local(10)
    base = {
        "name": "Bad Cup",
        "game": str(game_id),
        "format": "single_elim",
        "type": "team",
        "max_participants": 8,
        "starts_at": starts,
    }
    negative = await arena.slash(
        arena.organizer,
        "tournament create",
        {**base, "entry_fee": "-5", "payment_methods": "bkash"},
    )
    assert negative.ephemeral and "cannot be negative" in negative.content
    unknown = await arena.slash(arena.organizer, "tournament create", {**base, "game": "Dota"})
    assert "no game called “Dota”" in unknown.content
    late = await arena.slash(
        arena.organizer, "tournament create", {**base, "starts_at": "tomorrow evening"}
    )
    assert "2026-12-05 18:00" in late.content
    assert await arena.env.services.tournaments.search(arena.guild.id) == []


async def test_cancel_asks_for_confirmation(arena: Arena) -> None:
    await _configured(arena)
    services, fake = arena.env.services, arena.env.fake
    tid = await _create(arena, await _game(arena))
    asked = await arena.slash(
        arena.organizer, "tournament cancel", {"tournament": str(tid), "reason": "Venue flooded"}
    )
    assert asked.ephemeral and "cannot be undone" in asked.content
    assert (await services.tournaments.get(tid)).status == "draft"
    click = await fake.click(arena.organizer, asked.message, "dc:tournament-cancel:confirm")
    await click.response()
    assert "is cancelled" in asked.message.content and asked.message.components == []
    assert (await services.tournaments.get(tid)).status == "cancelled"
    notice = await _announcement(arena, "❌ **Winter Cup** is cancelled")
    assert "Venue flooded" in notice.content


def test_history_and_info_embeds_stay_inside_discords_limits() -> None:
    from datetime import UTC, datetime

    from cogs._tournament_render import history_embed
    from engine.tournaments import VersionView

    versions = [
        VersionView(
            version=n,
            summary="name: " + "x" * 480,
            actor_id=1,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for n in range(1, 27)
    ]
    embed = history_embed("Winter Cup", versions)
    assert len(embed) <= 6000 and embed.fields[0].name == "Version 26"
    assert "older versions not shown" in (embed.footer.text or "")
