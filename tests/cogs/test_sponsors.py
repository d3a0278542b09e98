"""/sponsor through the real discord.py client and the fake Discord."""

from __future__ import annotations

from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.sponsors import SponsorSpec
from testkit.fakediscord import AttachmentInput
from testkit.payment_helpers import Guild, make_tournament, png_bytes
from tests.cogs.conftest import Arena


async def _configured(arena: Arena) -> Guild:
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await arena.env.services.guilds.configure(
        owner, arena.guild.id, GuildSetup(organizer_role_id=arena.organizer_role_id)
    )
    return Guild(arena.guild.id, owner, arena.organizer_role_id)


async def test_sponsor_add_with_a_logo_list_and_report(arena: Arena) -> None:
    services = arena.env.services
    guild = await _configured(arena)
    tid = await make_tournament(services, guild, name="Sponsored Cup")
    await services.tournaments.add_co_organizer(guild.owner, tid, arena.organizer.id)

    added = await arena.ask(
        arena.organizer,
        "sponsor add",
        {
            "name": "Nova @everyone Energy",
            "link": "https://nova.example/gaming",
            "tier": "title",
            "logo": AttachmentInput("nova.png", png_bytes(), "image/png"),
            "text": "Fuel for finals",
            "tournament": str(tid),
        },
    )
    assert "Nova" in added.content and "added (Title)" in added.content
    assert added.flags & added.EPHEMERAL
    [nova] = await services.sponsors.list_sponsors(guild.id)
    assert nova.logo_sha256 is not None and nova.tournament_ids == (tid,)
    assert [s.name for s in await services.sponsors.of_tournament(tid)] == [nova.name]

    listed = await arena.slash(arena.organizer, "sponsor list")
    [embed] = listed.embeds
    assert listed.ephemeral and "Nova" in embed["fields"][0]["name"]
    assert "https://nova.example/gaming" in embed["fields"][0]["value"]

    await services.sponsors.count_impressions(tid, n=10)
    report = await arena.ask(arena.organizer, "sponsor report", {"tournament": str(tid)})
    [embed] = report.embeds
    assert "10 impressions" in embed["description"]
    [csv_file] = report.attachments
    assert csv_file.filename.endswith(".csv") and b"Sponsored Cup" in csv_file.data
    await arena.env.settle()


async def test_refused_sponsor_adds_change_nothing(arena: Arena) -> None:
    services = arena.env.services
    guild = await _configured(arena)

    bad_link = await arena.ask(
        arena.organizer, "sponsor add", {"name": "Nova", "link": "javascript:alert(1)"}
    )
    assert bad_link.flags & bad_link.EPHEMERAL and "https://" in bad_link.content

    not_an_image = await arena.ask(
        arena.organizer,
        "sponsor add",
        {
            "name": "Nova",
            "link": "https://nova.example",
            "logo": AttachmentInput("logo.png", b"%PDF-1.7 definitely not a picture", "image/png"),
        },
    )
    assert "not a PNG or JPEG" in not_an_image.content

    stranger = await arena.ask(
        arena.players[0], "sponsor add", {"name": "Nova", "link": "https://nova.example"}
    )
    assert "Only organizers" in stranger.content
    listed = await arena.ask(arena.players[0], "sponsor list")
    assert "Only organizers" in listed.content and not listed.embeds
    assert await services.sponsors.list_sponsors(guild.id) == []
    await arena.env.settle()


async def test_the_announcement_names_the_sponsors_with_counted_links(arena: Arena) -> None:
    services = arena.env.services
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await services.guilds.configure(
        owner,
        arena.guild.id,
        GuildSetup(
            organizer_role_id=arena.organizer_role_id,
            announcement_channel_id=arena.announcements.id,
        ),
    )
    guild = Guild(arena.guild.id, owner, arena.organizer_role_id)
    tid = await make_tournament(services, guild, name="Backed Cup", status="published")
    for name, tier in (("Acme [FREE]", "silver"), ("Nova", "title")):
        await services.sponsors.add(
            owner, guild.id, SponsorSpec(name, "https://x.example", tier), tournament_id=tid
        )
    await services.tournaments.open_registration(owner, tid)
    posted = await arena.env.fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and "Backed Cup" in m.content
    )
    fields = {f["name"]: f["value"] for f in posted.embeds[0]["fields"]}
    nova, acme = fields["Sponsors"].split(" · ")
    view = await services.tournaments.get(tid)
    assert nova == f"[Nova](http://127.0.0.1:8080/s/nova?t={view.slug})"
    assert acme.startswith("[Acme (FREE)](") and "/s/acme-free?t=" in acme
    await arena.env.settle()
