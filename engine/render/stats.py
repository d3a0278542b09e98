"""Stats pictures: a leaderboard and a player's (or team's) card with a rating chart.

Names go through the canvas's font-fallback runs, so Bangla, Arabic, Devanagari and CJK
names draw as they do in the bracket pictures.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.render import canvas as c
from engine.render.canvas import DEFAULT_SCALE, Canvas, encode_png
from engine.render.words import ENGLISH, PictureWords

MARGIN = 24.0
BOARD_W = 640.0
HEADER_H = 78.0
ROW_H = 38.0
CARD_W = 720.0
TILE_H = 64.0
TILES_PER_ROW = 4
CHART_H = 170.0
RESULT_H = 34.0

_MEDALS: dict[int, c.Color] = {1: c.ACCENT, 2: c.SILVER, 3: c.BRONZE}
_OUTCOME: dict[str, c.Color] = {"W": c.WIN, "L": c.LOSS, "D": c.DRAW}


@dataclass(frozen=True)
class BoardLine:
    rank: int
    name: str
    value: str
    detail: str = ""
    provisional: bool = False
    highlight: bool = False


@dataclass(frozen=True)
class BoardPicture:
    title: str
    subtitle: str
    value_label: str
    lines: tuple[BoardLine, ...]
    yours: BoardLine | None = None  # shown under the table when not among ``lines``
    footnote: str = ""


@dataclass(frozen=True)
class StatTile:
    label: str
    value: str


@dataclass(frozen=True)
class ResultChip:
    outcome: str  # "W", "L", "D"
    opponent: str
    score: str
    where: str


@dataclass(frozen=True)
class StatsPicture:
    title: str
    subtitle: str
    tiles: tuple[StatTile, ...]
    history: tuple[int, ...] = ()
    results: tuple[ResultChip, ...] = ()
    badges: tuple[str, ...] = ()


def _header(canvas: Canvas, x: float, y: float, width: float, title: str, subtitle: str) -> None:
    canvas.text(x, y + 18, title, size=24, fill=c.TEXT, bold=True, max_width=width - 130)
    canvas.text(x + width, y + 18, "DeltaCrown", size=15, fill=c.ACCENT, bold=True, align="right")
    if subtitle:
        canvas.text(x, y + 48, subtitle, size=15, fill=c.MUTED, max_width=width)
    canvas.line([(x, y + HEADER_H - 8), (x + width, y + HEADER_H - 8)], c.BORDER, 1)


def _board_line(
    canvas: Canvas, x: float, y: float, width: float, line: BoardLine, alt: bool
) -> None:
    fill = (52, 48, 30) if line.highlight else (c.BOX if alt else c.BOX_ALT)
    canvas.rect(x, y + 2, width, ROW_H - 4, fill, c.ACCENT if line.highlight else None, radius=6)
    medal = _MEDALS.get(line.rank)
    mid = y + ROW_H / 2
    if medal is not None:
        canvas.rect(x + 8, mid - 12, 36, 24, medal, radius=12)
        canvas.text(
            x + 26, mid, str(line.rank), size=15, fill=c.ACCENT_TEXT, bold=True, align="center"
        )
    else:
        canvas.text(
            x + 26, mid, str(line.rank), size=15, fill=c.TEXT_SOFT, bold=True, align="center"
        )
    value_x = x + width - 14
    detail_w = 120.0
    name_w = width - 60 - 100 - detail_w
    drawn = canvas.text(
        x + 58, mid, line.name, size=16, fill=c.TEXT, bold=line.highlight, max_width=name_w
    )
    if line.provisional:
        canvas.text(x + 64 + drawn, mid, "?", size=14, fill=c.MUTED, bold=True)
    canvas.text(
        x + width - 100 - detail_w + 10, mid, line.detail, size=14, fill=c.MUTED, max_width=detail_w
    )
    canvas.text(
        value_x,
        mid,
        line.value,
        size=17,
        fill=c.ACCENT if line.rank <= 3 else c.TEXT,
        bold=True,
        align="right",
    )


def render_leaderboard(
    picture: BoardPicture, *, scale: int = DEFAULT_SCALE, words: PictureWords = ENGLISH
) -> bytes:
    rows = len(picture.lines) or 1
    extra = ROW_H + 18 if picture.yours is not None else 0
    foot = 30.0 if picture.footnote else 0
    height = MARGIN * 2 + HEADER_H + 26 + rows * ROW_H + extra + foot
    canvas = Canvas(BOARD_W + 2 * MARGIN, height, scale)
    x, y = MARGIN, MARGIN
    _header(canvas, x, y, BOARD_W, picture.title, picture.subtitle)
    y += HEADER_H
    canvas.text(x + 26, y + 8, "#", size=14, fill=c.FAINT, bold=True, align="center")
    canvas.text(x + 58, y + 8, words.name_upper, size=14, fill=c.FAINT, bold=True)
    canvas.text(
        x + BOARD_W - 14,
        y + 8,
        picture.value_label.upper(),
        size=14,
        fill=c.FAINT,
        bold=True,
        align="right",
    )
    y += 26
    if not picture.lines:
        canvas.text(
            x + BOARD_W / 2,
            y + ROW_H / 2,
            words.nobody_on_board,
            size=16,
            fill=c.MUTED,
            align="center",
        )
    for index, line in enumerate(picture.lines):
        _board_line(canvas, x, y, BOARD_W, line, index % 2 == 0)
        y += ROW_H
    if picture.yours is not None:
        for dot in (-10, 0, 10):  # a gap in the ranks: the viewer is further down
            canvas.rect(x + BOARD_W / 2 + dot - 2, y + 7, 4, 4, c.FAINT, radius=2)
        y += 18
        _board_line(canvas, x, y, BOARD_W, picture.yours, False)
        y += ROW_H
    if picture.footnote:
        canvas.text(x, y + 16, picture.footnote, size=14, fill=c.MUTED, max_width=BOARD_W)
    return encode_png(canvas.image)


def _tile(canvas: Canvas, x: float, y: float, w: float, tile: StatTile) -> None:
    canvas.rect(x, y, w, TILE_H - 8, c.BOX, radius=8)
    canvas.text(
        x + 12, y + 17, tile.label.upper(), size=14, fill=c.MUTED, bold=True, max_width=w - 20
    )
    canvas.text(x + 12, y + 39, tile.value, size=19, fill=c.TEXT, bold=True, max_width=w - 20)


def _chart(
    canvas: Canvas,
    x: float,
    y: float,
    w: float,
    h: float,
    points: tuple[int, ...],
    words: PictureWords = ENGLISH,
) -> None:
    canvas.rect(x, y, w, h, c.PANEL, c.BORDER, radius=8)
    canvas.text(x + 12, y + 16, words.rating_history, size=14, fill=c.MUTED, bold=True)
    if len(points) < 2:
        canvas.text(
            x + w / 2,
            y + h / 2 + 8,
            words.no_rated_matches,
            size=14,
            fill=c.MUTED,
            align="center",
        )
        return
    low, high = min(points), max(points)
    pad = max(10, (high - low) // 8)
    low, high = low - pad, high + pad
    left, right, top, bottom = x + 56, x + w - 16, y + 32, y + h - 16
    for value in (low + pad, high - pad) if high - low > 2 * pad else (low + pad,):
        level = bottom - (value - low) / (high - low) * (bottom - top)
        canvas.line([(left, level), (right, level)], c.BORDER, 1)
        canvas.text(left - 8, level, str(value), size=14, fill=c.FAINT, align="right")
    step = (right - left) / (len(points) - 1)
    coords = [
        (left + i * step, bottom - (p - low) / (high - low) * (bottom - top))
        for i, p in enumerate(points)
    ]
    canvas.line(coords, c.ACCENT, 2)
    if len(coords) <= 30:  # each rated match as a dot, so a steady climb still shows steps
        for px, py in coords[:-1]:
            canvas.rect(px - 2.5, py - 2.5, 5, 5, c.ACCENT, radius=2.5)
    last_x, last_y = coords[-1]
    canvas.rect(last_x - 4, last_y - 4, 8, 8, c.ACCENT, radius=4)
    canvas.text(
        right,
        y + 16,
        words.now.format(value=points[-1]),
        size=14,
        fill=c.ACCENT,
        bold=True,
        align="right",
    )


def render_stats_card(
    picture: StatsPicture, *, scale: int = DEFAULT_SCALE, words: PictureWords = ENGLISH
) -> bytes:
    tile_rows = -(-len(picture.tiles) // TILES_PER_ROW)
    results_h = (24 + len(picture.results) * RESULT_H) if picture.results else 0
    badges_h = 40.0 if picture.badges else 0
    height = MARGIN * 2 + HEADER_H + tile_rows * TILE_H + 8 + CHART_H + 12 + results_h + badges_h
    canvas = Canvas(CARD_W + 2 * MARGIN, height, scale)
    x, y = MARGIN, MARGIN
    _header(canvas, x, y, CARD_W, picture.title, picture.subtitle)
    y += HEADER_H
    tile_w = (CARD_W - (TILES_PER_ROW - 1) * 10) / TILES_PER_ROW
    for index, tile in enumerate(picture.tiles):
        row, col = divmod(index, TILES_PER_ROW)
        _tile(canvas, x + col * (tile_w + 10), y + row * TILE_H, tile_w, tile)
    y += tile_rows * TILE_H + 8
    _chart(canvas, x, y, CARD_W, CHART_H, picture.history, words)
    y += CHART_H + 12
    if picture.results:
        canvas.text(x, y + 10, words.last_results, size=14, fill=c.MUTED, bold=True)
        letters = {"W": words.win, "L": words.loss, "D": words.draw}
        y += 24
        for chip in picture.results:
            colour = _OUTCOME.get(chip.outcome, c.DRAW)
            canvas.rect(x, y + 3, CARD_W, RESULT_H - 6, c.BOX_ALT, radius=6)
            canvas.rect(x + 6, y + 8, 26, RESULT_H - 16, colour, radius=4)
            mid = y + RESULT_H / 2
            letter = letters.get(chip.outcome, chip.outcome)
            canvas.text(
                x + 19, mid, letter, size=14, fill=c.TEXT, bold=True, align="center", max_width=24
            )
            canvas.text(
                x + 44,
                mid,
                words.against.format(name=chip.opponent),
                size=15,
                fill=c.TEXT,
                max_width=300,
            )
            canvas.text(x + 360, mid, chip.where, size=14, fill=c.MUTED, max_width=CARD_W - 460)
            canvas.text(
                x + CARD_W - 12, mid, chip.score, size=15, fill=c.TEXT, bold=True, align="right"
            )
            y += RESULT_H
    if picture.badges:
        canvas.text(
            x,
            y + 22,
            words.badges.format(badges=" · ".join(picture.badges)),
            size=14,
            fill=c.TEXT_SOFT,
            max_width=CARD_W,
        )
    return encode_png(canvas.image)
