"""The predictions leaderboard: who picked the most winners of a tournament's matches.

Styled like the stats leaderboard (engine/render/stats.py): the same header, medal chips
and alternating rows, with a column each for correct picks, upsets and points, and the
coins a top predictor was paid. Every word arrives in the view model (already in the
reader's language); names go through the canvas's font fallback, so Bangla draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.render import canvas as c
from engine.render.canvas import DEFAULT_SCALE, Canvas, encode_png

MARGIN = 24.0
BOARD_W = 700.0
HEADER_H = 78.0
HEADINGS_H = 26.0
ROW_H = 40.0
RANK_W = 52.0
POINTS_W = 80.0
UPSETS_W = 76.0
CORRECT_W = 76.0
REWARD_W = 96.0

_MEDALS: dict[int, c.Color] = {1: c.ACCENT, 2: c.SILVER, 3: c.BRONZE}
_HIGHLIGHT: c.Color = (52, 48, 30)


@dataclass(frozen=True)
class PredictorLine:
    rank: int
    name: str
    points: str
    correct: str  # e.g. "7/9"
    upsets: str
    reward: str = ""  # e.g. "+100 coins", empty when none
    highlight: bool = False


@dataclass(frozen=True)
class PredictionsPicture:
    title: str
    subtitle: str
    headings: tuple[str, str, str, str, str]  # name, correct, upsets, points, reward
    lines: tuple[PredictorLine, ...]
    yours: PredictorLine | None = None  # shown under the table when not among ``lines``
    empty: str = "No predictions yet."
    footnote: str = ""


def _columns(x: float, rewards: bool) -> tuple[float, float, float, float]:
    """Right edges of the correct, upsets, points and reward columns (the reward column
    takes no room on a board without rewards)."""
    reward = x + BOARD_W - 12
    points = reward - (REWARD_W if rewards else 0)
    upsets = points - POINTS_W
    correct = upsets - UPSETS_W
    return correct, upsets, points, reward


def _header(canvas: Canvas, x: float, y: float, picture: PredictionsPicture) -> None:
    canvas.text(x, y + 18, picture.title, size=24, fill=c.TEXT, bold=True, max_width=BOARD_W - 130)
    canvas.text(x + BOARD_W, y + 18, "DeltaCrown", size=15, fill=c.ACCENT, bold=True, align="right")
    if picture.subtitle:
        canvas.text(x, y + 48, picture.subtitle, size=15, fill=c.MUTED, max_width=BOARD_W)
    canvas.line([(x, y + HEADER_H - 8), (x + BOARD_W, y + HEADER_H - 8)], c.BORDER, 1)


def _headings(canvas: Canvas, x: float, y: float, picture: PredictionsPicture) -> None:
    name, correct, upsets, points, reward = picture.headings
    y += 8

    def heading(left: float, text: str, align: str, width: float) -> None:
        canvas.text(left, y, text, size=13, fill=c.FAINT, bold=True, align=align, max_width=width)

    heading(x + RANK_W / 2, "#", "center", RANK_W)
    heading(x + RANK_W + 6, name.upper(), "left", 200)
    widths = (CORRECT_W, UPSETS_W, POINTS_W, REWARD_W)
    texts = (correct, upsets, points, reward)
    for edge, text, width in zip(_columns(x, bool(reward)), texts, widths, strict=True):
        heading(edge, text.upper(), "right", width - 8)


def _line(
    canvas: Canvas, x: float, y: float, line: PredictorLine, alt: bool, rewards: bool
) -> None:
    fill = _HIGHLIGHT if line.highlight else (c.BOX if alt else c.BOX_ALT)
    canvas.rect(x, y + 2, BOARD_W, ROW_H - 4, fill, c.ACCENT if line.highlight else None, radius=6)
    mid = y + ROW_H / 2
    medal = _MEDALS.get(line.rank)
    if medal is not None:
        canvas.rect(x + 8, mid - 12, 36, 24, medal, radius=12)
    canvas.text(
        x + RANK_W / 2 - 0.5,
        mid,
        str(line.rank),
        size=15,
        fill=c.ACCENT_TEXT if medal else c.TEXT_SOFT,
        bold=True,
        align="center",
        max_width=RANK_W - 8,
    )
    correct, upsets, points, reward = _columns(x, rewards)
    name_w = correct - CORRECT_W - (x + RANK_W + 6) - 8
    canvas.text(
        x + RANK_W + 6, mid, line.name, size=16, fill=c.TEXT, bold=line.highlight, max_width=name_w
    )
    canvas.text(correct, mid, line.correct, size=15, fill=c.TEXT_SOFT, align="right")
    canvas.text(upsets, mid, line.upsets, size=15, fill=c.TEXT_SOFT, align="right")
    canvas.text(
        points,
        mid,
        line.points,
        size=17,
        fill=c.ACCENT if line.rank <= 3 else c.TEXT,
        bold=True,
        align="right",
    )
    if line.reward:
        canvas.text(
            reward,
            mid,
            line.reward,
            size=14,
            fill=c.WIN,
            bold=True,
            align="right",
            max_width=REWARD_W - 8,
        )


def render_predictions(picture: PredictionsPicture, *, scale: int = DEFAULT_SCALE) -> bytes:
    rows = len(picture.lines) or 1
    extra = ROW_H + 18 if picture.yours is not None else 0
    foot = 34.0 if picture.footnote else 0
    height = MARGIN * 2 + HEADER_H + HEADINGS_H + rows * ROW_H + extra + foot
    canvas = Canvas(BOARD_W + 2 * MARGIN, height, scale)
    rewards = bool(picture.headings[4])
    x, y = MARGIN, MARGIN
    _header(canvas, x, y, picture)
    y += HEADER_H
    _headings(canvas, x, y, picture)
    y += HEADINGS_H
    if not picture.lines:
        canvas.text(
            x + BOARD_W / 2, y + ROW_H / 2, picture.empty, size=16, fill=c.MUTED, align="center"
        )
        y += ROW_H
    for index, line in enumerate(picture.lines):
        _line(canvas, x, y, line, index % 2 == 0, rewards)
        y += ROW_H
    if picture.yours is not None:
        for dot in (-10, 0, 10):  # a gap in the ranks: the viewer is further down
            canvas.rect(x + BOARD_W / 2 + dot - 2, y + 7, 4, 4, c.FAINT, radius=2)
        y += 18
        _line(canvas, x, y, picture.yours, False, rewards)
        y += ROW_H
    if picture.footnote:
        canvas.text(x, y + 18, picture.footnote, size=13, fill=c.MUTED, max_width=BOARD_W)
    return encode_png(canvas.image)
