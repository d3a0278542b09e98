"""A scaled drawing surface over Pillow: layout is done in 1x units (CSS-pixel-like) and
drawn at ``scale`` so text stays crisp on phones; text goes through font-fallback runs."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, features

from engine.render.fonts import FontFace, default_faces
from engine.render.text import ELLIPSIS, TextPlan, cluster_boundaries, plan_text

Color = tuple[int, int, int]

# A dark theme close to Discord's own so images sit naturally in a channel.
BACKGROUND: Color = (22, 23, 26)
PANEL: Color = (30, 31, 34)
BOX: Color = (43, 45, 49)
BOX_ALT: Color = (37, 39, 43)
BORDER: Color = (63, 65, 71)
TEXT: Color = (242, 243, 245)
TEXT_SOFT: Color = (200, 203, 208)
MUTED: Color = (148, 155, 164)
FAINT: Color = (110, 113, 122)
ACCENT: Color = (240, 178, 50)
ACCENT_TEXT: Color = (26, 27, 30)
CONNECTOR: Color = (88, 91, 100)
CONNECTOR_DONE: Color = (140, 144, 154)
LIVE: Color = (242, 63, 67)
READY: Color = (35, 165, 90)
DISPUTED: Color = (255, 140, 60)
WIN: Color = (35, 165, 90)
LOSS: Color = (218, 55, 60)
DRAW: Color = (128, 132, 142)
SILVER: Color = (160, 182, 210)
BRONZE: Color = (205, 127, 50)

# Default output scale: 2x keeps 14-16 px text sharp when Discord shows the image small.
DEFAULT_SCALE = 2
# Colours in the output palette. The theme has a handful of flat colours; 96 leaves room
# for anti-aliased text edges without visible banding.
PALETTE_COLORS = 96

_LAYOUT = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC


@lru_cache(maxsize=256)
def _font(path: str, index: int, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, px, index=index, layout_engine=_LAYOUT)


@lru_cache(maxsize=16384)
def _plan(text: str, faces: tuple[FontFace, ...]) -> TextPlan:
    return plan_text(text, faces)


@lru_cache(maxsize=65536)
def _run_width(text: str, face: FontFace, bold: bool, px: int) -> float:
    return float(_font(str(face.path(bold)), face.index, px).getlength(text))


def _plan_width(plan: TextPlan, bold: bool, px: int) -> float:
    return sum(_run_width(run.text, run.face, bold, px) for run in plan.runs)


@lru_cache(maxsize=16384)
def _fit(text: str, faces: tuple[FontFace, ...], bold: bool, px: int, max_px: int) -> TextPlan:
    """The text as drawn, ellipsised by measured width (not character count)."""
    plan = _plan(text, faces)
    if _plan_width(plan, bold, px) <= max_px:
        return plan
    full = plan.text
    cuts = cluster_boundaries(full)
    best = _plan(ELLIPSIS, faces)
    low, high = 0, len(cuts) - 1
    while low <= high:
        middle = (low + high) // 2
        candidate = _plan(full[: cuts[middle]].rstrip() + ELLIPSIS, faces)
        if _plan_width(candidate, bold, px) <= max_px:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


@dataclass(frozen=True)
class Panel:
    """A block of a picture with a known size that paints itself at an offset."""

    key: str
    width: float
    height: float
    paint: Callable[[Canvas, float, float], None]


class Canvas:
    def __init__(self, width: float, height: float, scale: int = DEFAULT_SCALE) -> None:
        self.scale = scale
        self.faces = default_faces()
        size = (math.ceil(width * scale), math.ceil(height * scale))
        self.image = Image.new("RGB", size, BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)

    def px(self, value: float) -> int:
        return round(value * self.scale)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: Color | None,
        outline: Color | None = None,
        radius: float = 0,
    ) -> None:
        box = (self.px(x), self.px(y), self.px(x + w) - 1, self.px(y + h) - 1)
        width = max(1, self.scale // 2) if outline else 0
        if radius:
            self.draw.rounded_rectangle(box, self.px(radius), fill, outline, width)
        else:
            self.draw.rectangle(box, fill, outline, width)

    def line(self, points: Sequence[tuple[float, float]], fill: Color, width: float = 1) -> None:
        scaled = [(self.px(x), self.px(y)) for x, y in points]
        self.draw.line(scaled, fill=fill, width=max(1, self.px(width)), joint="curve")

    def text_width(self, text: str, size: float, bold: bool = False) -> float:
        return _plan_width(_plan(text, self.faces), bold, self.px(size)) / self.scale

    def text(
        self,
        x: float,
        y_center: float,
        text: str,
        *,
        size: float,
        fill: Color,
        bold: bool = False,
        align: str = "left",
        max_width: float | None = None,
    ) -> float:
        """Draw one line vertically centred on ``y_center``; returns the drawn width (1x)."""
        px = self.px(size)
        limit = self.px(max_width) if max_width is not None else 1 << 30
        plan = _fit(text, self.faces, bold, px, limit)
        width = _plan_width(plan, bold, px)
        left = self.px(x)
        if align == "right":
            left -= round(width)
        elif align == "center":
            left -= round(width / 2)
        # Noto's cap height is ~0.71 em: this baseline centres capitals on y_center.
        baseline = self.px(y_center) + round(px * 0.36)
        for run in plan.visual_runs():
            font = _font(str(run.face.path(bold)), run.face.index, px)
            self.draw.text((left, baseline), run.text, font=font, fill=fill, anchor="ls")
            left += round(_run_width(run.text, run.face, bold, px))
        return width / self.scale


def encode_png(image: Image.Image) -> bytes:
    """Palette PNG: a flat dark theme needs few colours and compresses ~3x smaller than RGB.
    zlib level 6 without ``optimize`` is 5x faster than level 9 for ~10% more bytes."""
    quantized = image.quantize(
        colors=PALETTE_COLORS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    buffer = io.BytesIO()
    quantized.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def paint_panels(panels: Sequence[Panel], gap: float, margin: float, scale: int) -> Image.Image:
    """Stack panels vertically on one canvas."""
    width = max(panel.width for panel in panels) + 2 * margin
    height = sum(panel.height for panel in panels) + gap * (len(panels) - 1) + 2 * margin
    canvas = Canvas(width, height, scale)
    y = margin
    for panel in panels:
        panel.paint(canvas, margin, y)
        y += panel.height + gap
    return canvas.image
