"""Tables: standings, round-robin result grids, Swiss pairings and group-stage cards."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.render import canvas as c
from engine.render.canvas import Canvas, Color, Panel
from engine.render.model import (
    GridCell,
    GroupStageSection,
    MatchStatus,
    RoundRobinSection,
    Slot,
    StandingsRow,
    StandingsTable,
    SwissPairing,
    SwissRound,
    SwissSection,
)
from engine.render.words import ENGLISH, PictureWords

TITLE_H = 40.0
HEAD_H = 30.0
ROW_H = 32.0
TEXT_SIZE = 16.0
SMALL_SIZE = 14.0
ROWS_PER_PANEL = 32
GRID_CELL_W = 54.0
GRID_NAME_W = 220.0
GRID_MAX_COLUMNS = 24
PAIR_W = 440.0
PAIR_GAP = 28.0
ROUNDS_PER_PANEL = 3
CARD_W = 380.0
CARD_GAP = 24.0
CARDS_PER_ROW = 3
GROUPS_PER_PANEL = 12

_RANK_COLORS: dict[int, Color] = {1: c.ACCENT, 2: c.SILVER, 3: c.BRONZE}


def _pairing_state(status: MatchStatus, words: PictureWords) -> tuple[str, Color] | None:
    return {
        MatchStatus.LIVE: (words.live, c.LIVE),
        MatchStatus.DISPUTED: (words.dispute, c.DISPUTED),
    }.get(status)


_OUTCOME_FILL: dict[str, Color] = {"win": (32, 74, 48), "loss": (84, 36, 40), "draw": (56, 58, 64)}


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    align: str
    value: Callable[[StandingsRow], str]


def _header_width(header: str, least: float) -> float:
    """A column as wide as its header needs (a translated header is often longer)."""
    return max(least, Canvas(1, 1, scale=1).text_width(header, SMALL_SIZE, bold=True) + 20)


def _columns(
    table: StandingsTable, name_width: float, compact: bool, words: PictureWords = ENGLISH
) -> list[Column]:
    def record(row: StandingsRow) -> str:
        if table.show_draws:
            return f"{row.wins}-{row.draws}-{row.losses}"
        return f"{row.wins}-{row.losses}"

    record_header = words.record_with_draws if table.show_draws else words.record

    def points(row: StandingsRow) -> str:
        return row.points

    record_width = _header_width(record_header, 80)
    points_width = _header_width(table.points_label, 60)
    if compact:  # a group card keeps its width: the name gives up what a header needs
        name_width -= record_width - 80 + points_width - 60
    columns = [
        Column("#", 44, "center", lambda r: r.placement or str(r.rank)),
        Column(words.name, name_width, "left", lambda r: r.name),
        Column(record_header, record_width, "center", record),
        Column(table.points_label, points_width, "center", points),
    ]
    if not compact:
        for i, header in enumerate(table.extra_columns):
            width = _header_width(header, max(72.0, 10 + 8.5 * len(header)))
            columns.append(Column(header, width, "center", _extra_value(i)))
    return columns


def _extra_value(index: int) -> Callable[[StandingsRow], str]:
    def value(row: StandingsRow) -> str:
        return row.extras[index] if index < len(row.extras) else ""

    return value


def _table_width(columns: Sequence[Column]) -> float:
    return sum(col.width for col in columns)


def paint_table(
    canvas: Canvas,
    x: float,
    y: float,
    table: StandingsTable,
    rows: Sequence[StandingsRow],
    columns: Sequence[Column],
) -> None:
    width = _table_width(columns)
    canvas.rect(x, y, width, HEAD_H, c.PANEL, radius=4)
    _paint_cells(
        canvas,
        x,
        y + HEAD_H / 2,
        columns,
        [col.header for col in columns],
        c.MUTED,
        bold=True,
        size=SMALL_SIZE,
    )
    for i, row in enumerate(rows):
        top = y + HEAD_H + i * ROW_H
        canvas.rect(x, top, width, ROW_H, c.BOX if i % 2 == 0 else c.BOX_ALT)
        if row.advances:
            canvas.rect(x, top, 4, ROW_H, c.WIN)
        values = [col.value(row) for col in columns]
        _paint_cells(
            canvas,
            x,
            top + ROW_H / 2,
            columns,
            values,
            c.TEXT_SOFT,
            bold=False,
            size=TEXT_SIZE,
            rank_color=_RANK_COLORS.get(row.rank),
        )


def _paint_cells(
    canvas: Canvas,
    x: float,
    y: float,
    columns: Sequence[Column],
    values: Sequence[str],
    color: Color,
    *,
    bold: bool,
    size: float,
    rank_color: Color | None = None,
) -> None:
    for i, (col, value) in enumerate(zip(columns, values, strict=True)):
        fill = rank_color if (i == 0 and rank_color) else color
        weight = bold or (i == 0 and rank_color is not None)
        if col.align == "center":
            canvas.text(
                x + col.width / 2,
                y,
                value,
                size=size,
                fill=fill,
                bold=weight,
                align="center",
                max_width=col.width - 6,
            )
        else:
            canvas.text(
                x + 10, y, value, size=size, fill=fill, bold=weight, max_width=col.width - 16
            )
        x += col.width


def standings_panels(
    table: StandingsTable,
    key: str,
    rows_per_panel: int = ROWS_PER_PANEL,
    words: PictureWords = ENGLISH,
) -> list[Panel]:
    columns = _columns(table, 280.0, compact=False, words=words)
    chunks = [table.rows[i : i + rows_per_panel] for i in range(0, len(table.rows), rows_per_panel)]
    panels = []
    for i, rows in enumerate(chunks or [()]):
        title = table.title
        if len(chunks) > 1:
            title = words.rows_of.format(
                title=table.title, first=rows[0].rank, last=rows[-1].rank, total=len(table.rows)
            )
        panels.append(
            _table_panel(f"{key}-{i + 1}" if len(chunks) > 1 else key, title, table, rows, columns)
        )
    return panels


def _table_panel(
    key: str,
    title: str,
    table: StandingsTable,
    rows: Sequence[StandingsRow],
    columns: Sequence[Column],
) -> Panel:
    def paint(canvas: Canvas, x: float, y: float) -> None:
        canvas.text(x, y + TITLE_H / 2 - 4, title, size=22, fill=c.TEXT, bold=True)
        paint_table(canvas, x, y + TITLE_H, table, rows, columns)

    height = TITLE_H + HEAD_H + len(rows) * ROW_H
    return Panel(key=key, width=_table_width(columns), height=height, paint=paint)


def round_robin_panels(section: RoundRobinSection, words: PictureWords = ENGLISH) -> list[Panel]:
    count = len(section.participants)
    starts = range(0, count, GRID_MAX_COLUMNS)
    panels = [
        _grid_panel(section, start, min(count, start + GRID_MAX_COLUMNS), len(starts) > 1, words)
        for start in starts
    ]
    return panels + standings_panels(section.standings, f"{section.key}-standings", words=words)


def _grid_panel(
    section: RoundRobinSection,
    first: int,
    last: int,
    partial: bool,
    words: PictureWords = ENGLISH,
) -> Panel:
    cells = {(cell.row, cell.col): cell for cell in section.cells}
    count = len(section.participants)
    title = (
        section.title
        if not partial
        else words.columns_of.format(title=section.title, first=first + 1, last=last)
    )
    width = GRID_NAME_W + (last - first) * GRID_CELL_W

    def paint(canvas: Canvas, x: float, y: float) -> None:
        canvas.text(x, y + TITLE_H / 2 - 4, title, size=22, fill=c.TEXT, bold=True)
        top = y + TITLE_H
        canvas.rect(x, top, width, HEAD_H, c.PANEL, radius=4)
        for col in range(first, last):
            cx = x + GRID_NAME_W + (col - first + 0.5) * GRID_CELL_W
            canvas.text(
                cx,
                top + HEAD_H / 2,
                str(col + 1),
                size=SMALL_SIZE,
                fill=c.MUTED,
                bold=True,
                align="center",
            )
        for row in range(count):
            ry = top + HEAD_H + row * ROW_H
            canvas.rect(x, ry, width, ROW_H, c.BOX if row % 2 == 0 else c.BOX_ALT)
            canvas.text(x + 8, ry + ROW_H / 2, str(row + 1), size=SMALL_SIZE, fill=c.MUTED)
            canvas.text(
                x + 38,
                ry + ROW_H / 2,
                section.participants[row],
                size=TEXT_SIZE,
                fill=c.TEXT_SOFT,
                max_width=GRID_NAME_W - 46,
            )
            for col in range(first, last):
                cx = x + GRID_NAME_W + (col - first) * GRID_CELL_W
                _paint_grid_cell(canvas, cx, ry, row == col, cells.get((row, col)))

    return Panel(
        key=f"{section.key}-grid-{first + 1}",
        width=width,
        height=TITLE_H + HEAD_H + count * ROW_H,
        paint=paint,
    )


def _paint_grid_cell(
    canvas: Canvas, x: float, y: float, diagonal: bool, cell: GridCell | None
) -> None:
    if diagonal:
        canvas.rect(x + 2, y + 2, GRID_CELL_W - 4, ROW_H - 4, c.BACKGROUND)
        return
    if cell is None or not cell.text:
        canvas.text(
            x + GRID_CELL_W / 2, y + ROW_H / 2, "–", size=SMALL_SIZE, fill=c.FAINT, align="center"
        )
        return
    fill = _OUTCOME_FILL.get(cell.outcome or "")
    if fill:
        canvas.rect(x + 2, y + 2, GRID_CELL_W - 4, ROW_H - 4, fill, radius=3)
    bold = cell.outcome == "win"
    canvas.text(
        x + GRID_CELL_W / 2,
        y + ROW_H / 2,
        cell.text,
        size=SMALL_SIZE + 1,
        fill=c.TEXT if bold else c.TEXT_SOFT,
        bold=bold,
        align="center",
        max_width=GRID_CELL_W - 6,
    )


def swiss_panels(section: SwissSection, words: PictureWords = ENGLISH) -> list[Panel]:
    panels = []
    rounds = section.rounds
    for start in range(0, len(rounds), ROUNDS_PER_PANEL):
        group = rounds[start : start + ROUNDS_PER_PANEL]
        longest = max((len(r.pairings) for r in group), default=0)
        for row_start in range(0, max(longest, 1), ROWS_PER_PANEL):
            panels.append(_swiss_rounds_panel(section, group, row_start, start, words))
    return panels + standings_panels(section.standings, f"{section.key}-standings", words=words)


def _swiss_rounds_panel(
    section: SwissSection,
    group: Sequence[SwissRound],
    row_start: int,
    round_start: int,
    words: PictureWords = ENGLISH,
) -> Panel:
    rows = max(min(len(r.pairings) - row_start, ROWS_PER_PANEL) for r in group)
    title = (
        f"{section.title} · {group[0].title}"
        if len(group) == 1
        else (f"{section.title} · {group[0].title} – {group[-1].title}")
    )
    width = len(group) * (PAIR_W + PAIR_GAP) - PAIR_GAP

    def paint(canvas: Canvas, x: float, y: float) -> None:
        canvas.text(x, y + TITLE_H / 2 - 4, title, size=22, fill=c.TEXT, bold=True)
        for i, swiss_round in enumerate(group):
            cx = x + i * (PAIR_W + PAIR_GAP)
            canvas.rect(cx, y + TITLE_H, PAIR_W, HEAD_H, c.PANEL, radius=4)
            canvas.text(
                cx + PAIR_W / 2,
                y + TITLE_H + HEAD_H / 2,
                swiss_round.title,
                size=15,
                fill=c.TEXT_SOFT,
                bold=True,
                align="center",
            )
            shown = swiss_round.pairings[row_start : row_start + ROWS_PER_PANEL]
            for j, pairing in enumerate(shown):
                top = y + TITLE_H + HEAD_H + j * ROW_H
                _paint_pairing(canvas, cx, top, pairing, j, words)

    key = f"{section.key}-rounds-{round_start + 1}-{row_start // ROWS_PER_PANEL + 1}"
    return Panel(key=key, width=width, height=TITLE_H + HEAD_H + rows * ROW_H, paint=paint)


def _paint_pairing(
    canvas: Canvas,
    x: float,
    y: float,
    pairing: SwissPairing,
    index: int,
    words: PictureWords = ENGLISH,
) -> None:
    canvas.rect(x, y, PAIR_W, ROW_H, c.BOX if index % 2 == 0 else c.BOX_ALT)
    middle = y + ROW_H / 2
    canvas.text(x + 8, middle, str(pairing.table), size=SMALL_SIZE, fill=c.FAINT)
    score_x = x + 36 + (PAIR_W - 36) / 2
    name_w = (PAIR_W - 36) / 2 - 38
    top, bottom = pairing.top, pairing.bottom
    if top.score is not None or bottom.score is not None:
        score = f"{top.score or '0'} – {bottom.score or '0'}"
        canvas.text(score_x, middle, score, size=TEXT_SIZE, fill=c.TEXT, bold=True, align="center")
    else:
        # An unplayed pairing shows its state where the score will go.
        state = _pairing_state(pairing.status, words)
        word, color = state or (words.versus, c.FAINT)
        canvas.text(
            score_x,
            middle,
            word,
            size=SMALL_SIZE,
            fill=color,
            bold=state is not None,
            align="center",
            max_width=64,
        )
    _paint_side(canvas, score_x - 36, middle, top, name_w, "right", words)
    _paint_side(canvas, score_x + 36, middle, bottom, name_w, "left", words)


def _paint_side(
    canvas: Canvas,
    x: float,
    y: float,
    slot: Slot,
    width: float,
    align: str,
    words: PictureWords = ENGLISH,
) -> None:
    if slot.is_bye:
        canvas.text(x, y, words.bye, size=SMALL_SIZE, fill=c.FAINT, bold=True, align=align)
        return
    decided = slot.score is not None
    color = c.TEXT if slot.is_winner else (c.MUTED if decided else c.TEXT_SOFT)
    canvas.text(
        x,
        y,
        slot.name or slot.placeholder or words.tbd,
        size=TEXT_SIZE,
        fill=color,
        bold=slot.is_winner,
        align=align,
        max_width=width,
    )


def group_stage_panels(section: GroupStageSection, words: PictureWords = ENGLISH) -> list[Panel]:
    panels = []
    groups = section.groups
    for start in range(0, len(groups), GROUPS_PER_PANEL):
        chunk = groups[start : start + GROUPS_PER_PANEL]
        title = section.title
        if len(groups) > GROUPS_PER_PANEL:
            title = f"{section.title} · {chunk[0].title} – {chunk[-1].title}"
        panels.append(
            _group_cards_panel(
                f"{section.key}-{start // GROUPS_PER_PANEL + 1}", title, chunk, words
            )
        )
    return panels


def _group_cards_panel(
    key: str, title: str, groups: Sequence[StandingsTable], words: PictureWords = ENGLISH
) -> Panel:
    per_row = min(CARDS_PER_ROW, len(groups))
    rows = [groups[i : i + per_row] for i in range(0, len(groups), per_row)]
    row_heights = [TITLE_H + HEAD_H + max(len(g.rows) for g in row) * ROW_H for row in rows]
    columns_for = {id(g): _columns(g, CARD_W - 184, compact=True, words=words) for g in groups}

    def paint(canvas: Canvas, x: float, y: float) -> None:
        canvas.text(x, y + TITLE_H / 2 - 4, title, size=22, fill=c.TEXT, bold=True)
        top = y + TITLE_H
        for row, height in zip(rows, row_heights, strict=True):
            for i, group in enumerate(row):
                gx = x + i * (CARD_W + CARD_GAP)
                canvas.text(
                    gx,
                    top + TITLE_H / 2,
                    group.title,
                    size=17,
                    fill=c.ACCENT,
                    bold=True,
                    max_width=CARD_W,
                )
                paint_table(
                    canvas, gx, top + TITLE_H - 6, group, group.rows, columns_for[id(group)]
                )
            top += height + CARD_GAP

    width = per_row * (CARD_W + CARD_GAP) - CARD_GAP
    height = TITLE_H + sum(row_heights) + CARD_GAP * (len(rows) - 1)
    return Panel(key=key, width=width, height=height, paint=paint)
