"""The sponsors' strip is appended under a picture: it never covers what is drawn."""

from __future__ import annotations

import io

from PIL import Image

from engine.render import render_standings
from engine.render.model import RenderedImage, StandingsRow, StandingsTable
from engine.render.sponsor_strip import StripLogo, append_sponsor_strip


def _logo(color: tuple[int, int, int], size: tuple[int, int] = (300, 100)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (*color, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _picture() -> RenderedImage:
    rows = tuple(
        StandingsRow(rank=i + 1, name=f"Team {i + 1}", wins=3 - i, losses=i, points=str(9 - 3 * i))
        for i in range(4)
    )
    png = render_standings(StandingsTable(title="Winter Cup · Standings", rows=rows))
    with Image.open(io.BytesIO(png)) as image:
        return RenderedImage("standings.png", png, image.width, image.height)


def _rgb(png: bytes) -> Image.Image:
    with Image.open(io.BytesIO(png)) as image:
        return image.convert("RGB")


def test_the_picture_above_the_strip_is_pixel_identical() -> None:
    picture = _picture()
    logos = [
        StripLogo(_logo((200, 30, 60)), 0),
        StripLogo(_logo((30, 90, 200), (600, 100)), 1),
        StripLogo(_logo((20, 150, 60), (100, 100)), 3),
    ]
    stacked = append_sponsor_strip(picture, logos)
    before, after = _rgb(picture.png_bytes), _rgb(stacked.png_bytes)
    assert after.width == before.width and after.height > before.height
    assert (stacked.width, stacked.height) == after.size
    top = after.crop((0, 0, before.width, before.height))
    assert top.tobytes() == before.tobytes()
    # The strip shows the logos: the title sponsor's red is in it, below the picture.
    strip = after.crop((0, before.height, after.width, after.height))
    assert (200, 30, 60) in {color for _, color in strip.getcolors(1 << 20) or []}


def test_no_logo_or_only_broken_logos_leave_the_picture_as_it_is() -> None:
    picture = _picture()
    assert append_sponsor_strip(picture, []) is picture
    assert append_sponsor_strip(picture, [StripLogo(b"not an image")]) is picture


def test_a_higher_tier_gets_a_bigger_logo() -> None:
    picture = _picture()
    title = append_sponsor_strip(picture, [StripLogo(_logo((200, 30, 60)), 0)])
    community = append_sponsor_strip(picture, [StripLogo(_logo((200, 30, 60)), 3)])
    assert title.height > community.height > picture.height
