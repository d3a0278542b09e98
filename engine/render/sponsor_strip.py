"""The sponsors' footer strip under a bracket or standings picture.

Pure: PNG bytes and logos in, PNG bytes out. The strip is *appended*: the picture above
it keeps every pixel it had (names and scores are never covered), the strip only adds
height. Logos sit on light chips (most logos are drawn for white paper), in rows by
tier, the biggest tier first, each scaled to fit its tier's box.

A palette picture (what ``encode_png`` writes) keeps its palette: the strip is quantized
to the colours left over and its indices are shifted past the picture's, so the upper
part is byte-for-byte the same image data.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from engine.render.canvas import BACKGROUND, BORDER, DEFAULT_SCALE
from engine.render.model import RenderedImage

# Logo box height per tier rank (1x units): title, gold, silver, community.
TIER_HEIGHTS = (56, 44, 36, 30)
LOGO_ASPECT_MAX = 4.0  # a logo's box is at most this many times as wide as it is tall
CHIP_PAD = 6
CHIP_GAP = 14
ROW_GAP = 10
STRIP_PAD = 16
SIDE_MARGIN = 24
CHIP: tuple[int, int, int] = (246, 247, 249)
MAX_LOGO_PIXELS = 4_000_000


@dataclass(frozen=True)
class StripLogo:
    """One sponsor's logo (PNG or JPEG bytes) and its tier's rank (0 = the top tier)."""

    data: bytes
    tier: int = 0


@dataclass(frozen=True)
class _Placed:
    image: Image.Image
    x: int
    y: int
    chip_w: int
    chip_h: int


def _decoded(logo: StripLogo) -> Image.Image | None:
    """The logo as RGBA, or None when it cannot be read (it is left out, never fatal)."""
    try:
        with Image.open(io.BytesIO(logo.data)) as image:
            if image.width * image.height > MAX_LOGO_PIXELS:
                return None
            return image.convert("RGBA")
    except Exception:  # a damaged logo must not cost the whole picture
        return None


def _fitted(image: Image.Image, box_h: int) -> Image.Image:
    box_w = int(box_h * LOGO_ASPECT_MAX)
    ratio = min(box_h / image.height, box_w / image.width)
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _layout(logos: Sequence[StripLogo], width: int, scale: int) -> tuple[list[_Placed], int]:
    """Chips in centred rows, one tier after another; returns them and the strip height."""
    pad, gap = CHIP_PAD * scale, CHIP_GAP * scale
    usable = max(1, width - 2 * SIDE_MARGIN * scale)
    rows: list[list[tuple[Image.Image, int, int]]] = []
    current_tier: int | None = None
    row_w = 0
    for logo in sorted(logos, key=lambda item: item.tier):  # stable: the given order stays
        decoded = _decoded(logo)
        if decoded is None:
            continue
        rank = min(max(logo.tier, 0), len(TIER_HEIGHTS) - 1)
        box_h = TIER_HEIGHTS[rank] * scale
        fitted = _fitted(decoded, box_h)
        if fitted.width + 2 * pad > usable:
            fitted = _fitted(decoded, max(1, int(box_h * (usable - 2 * pad) / fitted.width)))
        chip = (fitted, fitted.width + 2 * pad, box_h + 2 * pad)
        if not rows or rank != current_tier or row_w + gap + chip[1] > usable:
            rows.append([chip])
            row_w = chip[1]
        else:
            rows[-1].append(chip)
            row_w += gap + chip[1]
        current_tier = rank
    placed: list[_Placed] = []
    y = STRIP_PAD * scale
    for row in rows:
        total = sum(c[1] for c in row) + gap * (len(row) - 1)
        x = (width - total) // 2
        row_h = max(c[2] for c in row)
        for fitted, chip_w, chip_h in row:
            placed.append(_Placed(fitted, x, y + (row_h - chip_h) // 2, chip_w, chip_h))
            x += chip_w + gap
        y += row_h + ROW_GAP * scale
    if not placed:
        return [], 0
    return placed, y - ROW_GAP * scale + STRIP_PAD * scale


def _strip(width: int, logos: Sequence[StripLogo], scale: int) -> Image.Image | None:
    placed, height = _layout(logos, width, scale)
    if not placed:
        return None
    strip = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(strip)
    draw.line([(SIDE_MARGIN * scale, 0), (width - SIDE_MARGIN * scale, 0)], BORDER, scale)
    pad = CHIP_PAD * scale
    for item in placed:
        draw.rounded_rectangle(
            (item.x, item.y, item.x + item.chip_w - 1, item.y + item.chip_h - 1),
            radius=4 * scale,
            fill=CHIP,
        )
        top = item.y + (item.chip_h - item.image.height) // 2
        strip.paste(item.image, (item.x + pad, top), item.image)
    return strip


def append_sponsor_strip(
    picture: RenderedImage, logos: Sequence[StripLogo], *, scale: int = DEFAULT_SCALE
) -> RenderedImage:
    """The picture with the sponsors' strip below it (the picture itself when no logo
    can be drawn). Logos are ordered by tier rank, then as given."""
    if not logos:
        return picture
    with Image.open(io.BytesIO(picture.png_bytes)) as original:
        original.load()
        strip = _strip(original.width, logos, scale)
        if strip is None:
            return picture
        png = _stacked(original, strip)
        width, height = original.width, original.height
    return RenderedImage(picture.name, png, width, height + strip.height)


def _stacked(original: Image.Image, strip: Image.Image) -> bytes:
    width, height = original.width, original.height + strip.height
    buffer = io.BytesIO()
    if original.mode == "P" and "transparency" not in original.info:
        extrema = original.getextrema()  # (lowest, highest) palette index used
        used = int(extrema[1] if isinstance(extrema, tuple) else extrema) + 1  # type: ignore[arg-type]
        palette = (original.getpalette() or [])[: 3 * used]
        free = 256 - used
        if free >= 16:
            quantized = strip.quantize(
                colors=free, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
            )
            strip_palette = (quantized.getpalette() or [])[: 3 * free]
            shift = bytes(min(255, i + used) for i in range(256))
            shifted = quantized.tobytes().translate(shift)
            combined = Image.new("P", (width, height))
            combined.frombytes(original.tobytes() + shifted)
            filler = [0] * (768 - len(palette) - len(strip_palette))
            combined.putpalette(palette + strip_palette + filler)
            combined.save(buffer, format="PNG", compress_level=6)
            return buffer.getvalue()
    combined_rgb = Image.new("RGB", (width, height), BACKGROUND)
    combined_rgb.paste(original.convert("RGB"), (0, 0))
    combined_rgb.paste(strip, (0, original.height))
    combined_rgb.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()
