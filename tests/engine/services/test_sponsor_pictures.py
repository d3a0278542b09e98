"""Bracket and standings pictures carry the tournament's sponsors in a strip below them."""

from __future__ import annotations

import io

from PIL import Image

from engine.brackets import PictureService
from engine.services import Services
from engine.sponsors import SponsorChanges, SponsorSpec
from testkit.factories import make_event


def _logo(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (240, 80), color).save(buffer, format="PNG")
    return buffer.getvalue()


def _rgb(png: bytes) -> Image.Image:
    with Image.open(io.BytesIO(png)) as image:
        return image.convert("RGB")


async def test_pictures_gain_a_strip_and_keep_every_pixel_above_it(
    services: Services, new_id
) -> None:
    event = await make_event(services, new_id, players=8)
    org, gid, tid = event.organizer, event.guild_id, event.tournament_id
    await services.brackets.start(org, tid, seed=3)
    plain = PictureService(services.ctx)
    [bare] = await plain.bracket_images(tid)
    bare_standings = await plain.standings_image(tid)

    await services.sponsors.add(
        org,
        gid,
        SponsorSpec("Nova", "https://nova.example", "title"),
        logo=_logo((200, 30, 60)),
        tournament_id=tid,
    )
    await services.sponsors.add(
        org,
        gid,
        SponsorSpec("Acme", "https://acme.example", "community"),
        logo=_logo((30, 90, 200)),
        tournament_id=tid,
    )
    pictures = PictureService(services.ctx)
    [sponsored] = await pictures.bracket_images(tid)
    assert sponsored.width == bare.width and sponsored.height > bare.height
    top = _rgb(sponsored.png_bytes).crop((0, 0, bare.width, bare.height))
    assert top.tobytes() == _rgb(bare.png_bytes).tobytes()  # names and scores untouched
    standings = _rgb(await pictures.standings_image(tid))
    before = _rgb(bare_standings)
    assert standings.height > before.height
    assert standings.crop((0, 0, *before.size)).tobytes() == before.tobytes()

    # Each picture handed out counted once for each sponsor with a logo.
    [line, *_] = (await services.sponsors.report(org, gid, tid)).lines
    assert line.impressions == 2

    # A new logo repaints (the cache key carries the sponsors).
    await services.sponsors.edit(org, gid, "Nova", SponsorChanges(), logo=_logo((20, 160, 60)))
    [repainted] = await pictures.bracket_images(tid)
    assert repainted.png_bytes != sponsored.png_bytes
    strip = _rgb(repainted.png_bytes).crop((0, bare.height, repainted.width, repainted.height))
    assert (20, 160, 60) in {color for _, color in strip.getcolors(1 << 20) or []}


async def test_certificates_print_the_sponsors_logos(services: Services, new_id) -> None:
    from pypdf import PdfReader

    from tests.engine.services.test_certificates import finished_event

    event = await finished_event(services, new_id, players=4)
    for name, color in (("Nova", (200, 30, 60)), ("Acme", (30, 90, 200))):
        await services.sponsors.add(
            event.organizer,
            event.guild_id,
            SponsorSpec(name, "https://x.example", "gold"),
            logo=_logo(color),
            tournament_id=event.tournament_id,
        )
    issued = await services.certificates.generate_all(event.tournament_id, organizer_name="Org")
    champion = next(i.certificate for i in issued if i.certificate.kind == "champion")
    pdf = (await services.certificates.certificate_file(champion.id)).data
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    objects = page["/Resources"]["/XObject"]
    images = [n for n, obj in objects.items() if obj.get_object()["/Subtype"] == "/Image"]
    assert len(images) == 2  # the two sponsors' logos
