"""Sponsors: adding, editing, attaching, counting clicks and impressions, the report."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.services import Services
from engine.sponsors import SponsorChanges, SponsorSpec, Visit, copy_sponsors
from engine.sponsors.impressions import FLUSH_AFTER_S, tally_of
from storage.models import (
    Sponsor,
    SponsorDailyStats,
    SponsorVisitor,
    Tournament,
    TournamentSponsor,
)
from testkit.factories import make_event
from testkit.registration_helpers import count_rows

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def logo_png(color=(200, 30, 60), size=(300, 100)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def visit(address: str = "203.0.113.7", **kwargs) -> Visit:
    return Visit(
        address=address, user_agent=kwargs.pop("user_agent", BROWSER), secret=b"k", **kwargs
    )


async def _sponsor_count(services: Services, guild_id: int) -> int:
    return await count_rows(services.db, Sponsor, Sponsor.guild_id == guild_id)


async def test_add_with_logo_attach_and_list(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4)
    org, gid = event.organizer, event.guild_id
    nova = await services.sponsors.add(
        org,
        gid,
        SponsorSpec("  Nova   Energy ", "https://nova.example/gaming", "title", "Fuel for finals"),
        logo=logo_png(),
        logo_name="nova.png",
        tournament_id=event.tournament_id,
    )
    assert nova.name == "Nova Energy" and nova.key.startswith("nova-energy")
    assert nova.logo_sha256 and services.ctx.files.exists(nova.logo_sha256)
    assert nova.tournament_ids == (event.tournament_id,)
    acme = await services.sponsors.add(
        org, gid, SponsorSpec("Acme", "http://acme.example", "silver")
    )
    await services.sponsors.attach(org, gid, "acme", event.tournament_id)
    listed = await services.sponsors.list_sponsors(gid)
    assert [s.name for s in listed] == ["Nova Energy", "Acme"]  # title before silver
    logos = await services.sponsors.of_tournament(event.tournament_id)
    assert [(s.name, s.tier_rank) for s in logos] == [("Nova Energy", 0), ("Acme", 2)]
    assert logos[0].logo is not None and logos[1].logo is None
    with Image.open(io.BytesIO(logos[0].logo)) as stored:
        assert stored.format == "PNG" and stored.size == (300, 100)
    actions = [e.action for e in await services.audit.recent(gid, action_prefix="sponsor.")]
    assert sorted(actions) == ["sponsor.add", "sponsor.add", "sponsor.attach"]
    detached = await services.sponsors.detach(org, gid, str(acme.id), event.tournament_id)
    assert detached.tournament_ids == ()
    with pytest.raises(Conflict):
        await services.sponsors.detach(org, gid, "Acme", event.tournament_id)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://nova.example/",
        "https://",
        "https://nova",
        "https://user:pw@nova.example/",
        "https://nova.example/a b",
        "https://nova.example/" + "x" * 600,
        "nova.example",
    ],
)
async def test_bad_link_is_refused_and_changes_nothing(services: Services, new_id, url) -> None:
    event = await make_event(services, new_id, players=2)
    with pytest.raises(InvalidInput) as caught:
        await services.sponsors.add(event.organizer, event.guild_id, SponsorSpec("Nova", url))
    assert "https://" in caught.value.message
    assert await _sponsor_count(services, event.guild_id) == 0


async def test_non_image_logo_and_bad_fields_are_refused(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=2)
    org, gid = event.organizer, event.guild_id
    with pytest.raises(InvalidInput) as caught:
        await services.sponsors.add(
            org, gid, SponsorSpec("Nova", "https://nova.example"), logo=b"%PDF-1.4 not an image"
        )
    assert "not a PNG or JPEG" in caught.value.message
    for spec in (
        SponsorSpec("", "https://nova.example"),
        SponsorSpec("Nova", "https://nova.example", tier="platinum"),
        SponsorSpec("Nova", "https://nova.example", blurb="x" * 201),
        SponsorSpec("Nova", "https://nova.example", position=-1),
    ):
        with pytest.raises(InvalidInput):
            await services.sponsors.add(org, gid, spec)
    assert await _sponsor_count(services, gid) == 0
    await services.sponsors.add(org, gid, SponsorSpec("Nova", "https://nova.example"))
    with pytest.raises(Conflict):
        await services.sponsors.add(org, gid, SponsorSpec("NOVA", "https://other.example"))
    assert await _sponsor_count(services, gid) == 1


async def test_only_organizers_manage_sponsors(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=2)
    stranger = Actor(user_id=new_id(), guild_id=event.guild_id)
    with pytest.raises(PermissionDenied):
        await services.sponsors.add(
            stranger, event.guild_id, SponsorSpec("Nova", "https://nova.example"), logo=logo_png()
        )
    await services.sponsors.add(
        event.organizer, event.guild_id, SponsorSpec("Nova", "https://n.example")
    )
    with pytest.raises(PermissionDenied):
        await services.sponsors.remove(stranger, event.guild_id, "Nova")
    with pytest.raises(PermissionDenied):
        await services.sponsors.report(stranger, event.guild_id)
    assert await _sponsor_count(services, event.guild_id) == 1


async def test_edit_changes_fields_and_logo_and_refuses_clashes(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=2)
    org, gid = event.organizer, event.guild_id
    nova = await services.sponsors.add(org, gid, SponsorSpec("Nova", "https://nova.example"))
    await services.sponsors.add(org, gid, SponsorSpec("Acme", "https://acme.example"))
    edited = await services.sponsors.edit(
        org,
        gid,
        "nova",
        SponsorChanges(url="https://nova.example/new", tier="title", position=3),
        logo=logo_png((10, 200, 10)),
    )
    assert (edited.url, edited.tier, edited.position) == ("https://nova.example/new", "title", 3)
    assert edited.logo_sha256 and edited.key == nova.key
    with pytest.raises(Conflict):
        await services.sponsors.edit(org, gid, "Nova", SponsorChanges(name="acme"))
    with pytest.raises(InvalidInput):
        await services.sponsors.edit(org, gid, "Nova", SponsorChanges(url="javascript:x"))
    with pytest.raises(InvalidInput):
        await services.sponsors.edit(org, gid, "Nova", SponsorChanges())
    with pytest.raises(NotFound):
        await services.sponsors.edit(org, gid, "Nobody", SponsorChanges(tier="gold"))
    [still] = [s for s in await services.sponsors.list_sponsors(gid) if s.id == nova.id]
    assert still.url == "https://nova.example/new" and still.name == "Nova"


async def test_clicks_count_people_once_a_day_and_never_bots(
    services: Services, new_id, clock
) -> None:
    event = await make_event(services, new_id, players=2)
    org, gid, tid = event.organizer, event.guild_id, event.tournament_id
    nova = await services.sponsors.add(
        org, gid, SponsorSpec("Nova", "https://nova.example/x"), tournament_id=tid
    )
    async with services.db.read() as session:
        slug = (await session.get(Tournament, tid)).slug
    click = services.sponsors.click
    assert (await click(nova.key, slug, visit())).url == "https://nova.example/x"
    await click(nova.key, slug, visit())  # the same visitor again: total, not unique
    await click(nova.key, slug, visit("198.51.100.2"))
    await click(nova.key, slug, visit(method="HEAD"))
    await click(nova.key, slug, visit(purpose="prefetch"))
    await click(nova.key, slug, visit(user_agent="Mozilla/5.0 (compatible; Googlebot/2.1)"))
    await click(nova.key, slug, visit(user_agent="Mozilla/5.0 (compatible; Discordbot/2.0)"))
    await click(nova.key, slug, visit(user_agent=""))
    assert (await click(nova.key, slug, visit(method="HEAD"))).counted is False
    assert await click("no-such-sponsor", slug, visit()) is None
    clock.advance(days=1)
    await click(nova.key, slug, visit())  # a new day: unique again
    await click(nova.key, None, visit())  # no tournament named
    report = await services.sponsors.report(org, gid)
    by_tournament = {line.tournament_id: line for line in report.lines}
    assert (by_tournament[tid].clicks, by_tournament[tid].unique_clicks) == (4, 3)
    assert (by_tournament[0].clicks, by_tournament[0].unique_clicks) == (1, 1)
    async with services.db.read() as session:
        stored = list(await session.scalars(select(SponsorVisitor.visitor)))
    assert stored and not any("203.0.113.7" in v or "198.51" in v for v in stored)


async def test_impressions_and_report_as_csv(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=2)
    org, gid, tid = event.organizer, event.guild_id, event.tournament_id
    nova = await services.sponsors.add(
        org, gid, SponsorSpec("Nova", "https://nova.example"), tournament_id=tid
    )
    await services.sponsors.count_impressions(tid, n=3)
    await services.sponsors.count_impressions(tid)
    await services.sponsors.click(nova.key, None, visit())
    async with services.db.read() as session:
        rows = await session.scalar(select(func.count()).select_from(SponsorDailyStats))
    assert rows and rows >= 2
    report = await services.sponsors.report(org, gid, tid)
    [line] = report.lines
    assert (line.impressions, line.clicks, line.click_through_text) == (4, 0, "0.0%")
    name, data = await services.sponsors.report_csv(org, gid)
    assert name == "sponsors.csv" and data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][:5] == ["tournament_id", "tournament", "sponsor", "tier", "impressions"]
    assert [row[2] for row in table[1:]] == ["Nova", "Nova"]


async def test_impressions_are_counted_in_memory_and_written_together(
    services: Services, new_id, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A served page costs no write: impressions are written a moment later, many in
    one upsert, and the report reads them in even before that moment."""
    event = await make_event(services, new_id, players=2)
    org, gid, tid = event.organizer, event.guild_id, event.tournament_id
    nova = await services.sponsors.add(
        org, gid, SponsorSpec("Nova", "https://nova.example"), tournament_id=tid
    )

    async def stored() -> int:
        async with services.db.read() as session:
            total = await session.scalar(
                select(func.sum(SponsorDailyStats.impressions)).where(
                    SponsorDailyStats.sponsor_id == nova.id
                )
            )
        return total or 0

    tally = tally_of(services.ctx)
    tally.flush_after_s = 0.05
    flushed, flush = asyncio.Event(), tally.flush

    async def flush_and_tell() -> None:
        await flush()
        flushed.set()

    monkeypatch.setattr(tally, "flush", flush_and_tell)
    try:
        for _ in range(25):
            await services.sponsors.count_impressions(tid, [nova.id])
        assert await stored() == 0  # counted, not written yet
        await asyncio.wait_for(flushed.wait(), 5)
        assert await stored() == 25  # written together, a moment later
        await services.sponsors.count_impressions(tid, [nova.id], n=5)
        [line] = (await services.sponsors.report(org, gid, tid)).lines
        assert line.impressions == 30  # the report writes this process's count first
    finally:
        tally.flush_after_s = FLUSH_AFTER_S


async def test_copy_sponsors_to_a_clone(services: Services, new_id) -> None:
    source = await make_event(services, new_id, players=2)
    org, gid = source.organizer, source.guild_id
    target = await make_event(services, new_id, players=2, organizer=org, entrants=[])
    for name in ("Nova", "Acme"):
        await services.sponsors.add(
            org, gid, SponsorSpec(name, "https://x.example"), tournament_id=source.tournament_id
        )
    async with services.ctx.unit_of_work() as uow:
        assert await copy_sponsors(uow, source.tournament_id, target.tournament_id) == 2
    async with services.ctx.unit_of_work() as uow:  # again: nothing doubles
        assert await copy_sponsors(uow.session, source.tournament_id, target.tournament_id) == 0
    names = [s.name for s in await services.sponsors.of_tournament(target.tournament_id)]
    assert sorted(names) == ["Acme", "Nova"]
    assert (
        await count_rows(
            services.db, TournamentSponsor, TournamentSponsor.tournament_id == target.tournament_id
        )
        == 2
    )


async def test_remove_takes_the_numbers_with_it(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=2)
    org, gid, tid = event.organizer, event.guild_id, event.tournament_id
    nova = await services.sponsors.add(
        org, gid, SponsorSpec("Nova", "https://n.example"), tournament_id=tid
    )
    await services.sponsors.click(nova.key, None, visit())
    removed = await services.sponsors.remove(org, gid, "Nova")
    assert removed.id == nova.id
    assert await _sponsor_count(services, gid) == 0
    assert await services.sponsors.of_tournament(tid) == []
    assert await services.sponsors.click(nova.key, None, visit()) is None


async def test_yesterdays_visitors_are_cleared_by_todays_first(
    services: Services, new_id, clock
) -> None:
    event = await make_event(services, new_id, players=2)
    nova = await services.sponsors.add(
        event.organizer, event.guild_id, SponsorSpec("Nova", "https://n.example")
    )
    await services.sponsors.click(nova.key, None, visit("192.0.2.1"))
    await services.sponsors.click(nova.key, None, visit("192.0.2.2"))
    clock.advance(days=1)
    await services.sponsors.click(nova.key, None, visit("192.0.2.1"))
    days = await count_rows(services.db, SponsorVisitor, SponsorVisitor.sponsor_id == nova.id)
    assert days == 1  # only today's visitor is kept
    [line] = (await services.sponsors.report(event.organizer, event.guild_id)).lines
    assert (line.clicks, line.unique_clicks) == (3, 3)


async def test_attaching_takes_the_tournaments_organizers(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=2)
    org, gid, tid = event.organizer, event.guild_id, event.tournament_id
    await services.sponsors.add(org, gid, SponsorSpec("Nova", "https://n.example"))
    co = Actor(user_id=new_id(), guild_id=gid)
    await services.tournaments.add_co_organizer(org, tid, co.user_id)
    with pytest.raises(PermissionDenied):  # sponsors themselves are the server's business
        await services.sponsors.add(co, gid, SponsorSpec("Acme", "https://a.example"))
    attached = await services.sponsors.attach(co, gid, "Nova", tid)
    assert attached.tournament_ids == (tid,)
    other = await make_event(services, new_id, players=2, organizer=org, entrants=[])
    with pytest.raises(PermissionDenied):
        await services.sponsors.attach(co, gid, "Nova", other.tournament_id)
    assert [s.name for s in await services.sponsors.of_tournament(other.tournament_id)] == []


async def test_a_tournament_clone_is_backed_by_the_same_sponsors(
    services: Services, new_id
) -> None:
    source = await make_event(services, new_id, players=2)
    org, gid = source.organizer, source.guild_id
    await services.sponsors.add(
        org, gid, SponsorSpec("Nova", "https://x.example"), tournament_id=source.tournament_id
    )
    cloned = await services.templates.clone(org, source.tournament_id, starts_at="2099-02-05 18:00")
    names = [s.name for s in await services.sponsors.of_tournament(cloned.tournament.id)]
    assert names == ["Nova"]
