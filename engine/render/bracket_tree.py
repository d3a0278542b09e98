"""Elimination trees: layout (rounds as columns, a match centred between the matches that
feed it), elbow connectors, match boxes, and splitting a big tree into readable parts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from engine.render import canvas as c
from engine.render.canvas import Canvas, Panel
from engine.render.model import EliminationSection, MatchStatus, MatchView, RoundView, Slot
from engine.render.words import ENGLISH, PictureWords

BOX_W = 236.0
ROW_H = 28.0
BOX_H = 2 * ROW_H
META_H = 22.0
SLOT_H = META_H + BOX_H + 18.0
COL_GAP = 48.0
COL_W = BOX_W + COL_GAP
SEED_W = 36.0  # room for three-digit seeds at 256 entrants
SCORE_W = 36.0
TITLE_H = 40.0
HEADER_H = 44.0
TIME_LINE_H = 18.0
NAME_SIZE = 16.0
SMALL_SIZE = 14.0


def _status_text(status: MatchStatus, words: PictureWords) -> tuple[str, c.Color] | None:
    return {
        MatchStatus.LIVE: (words.live, c.LIVE),
        MatchStatus.DISPUTED: (words.disputed, c.DISPUTED),
        MatchStatus.READY: (words.ready, c.READY),
    }.get(status)


@dataclass(frozen=True)
class PlacedMatch:
    match: MatchView
    column: int
    slot: float


class _TreeIndex:
    """Which matches feed which, restricted to the ids being drawn."""

    def __init__(self, rounds: Sequence[RoundView], ids: set[str]) -> None:
        self.order = {
            m.id: (ci, mi) for ci, r in enumerate(rounds) for mi, m in enumerate(r.matches)
        }
        self.matches = {m.id: m for r in rounds for m in r.matches if m.id in ids}
        self.children: dict[str, list[MatchView]] = defaultdict(list)
        for match in self.matches.values():
            if match.feeds_into in self.matches:
                self.children[match.feeds_into].append(match)
        for kids in self.children.values():
            kids.sort(key=lambda m: self.order[m.id])

    def roots(self) -> list[MatchView]:
        roots = [m for m in self.matches.values() if m.feeds_into not in self.matches]
        return sorted(roots, key=lambda m: self.order[m.id])

    def is_detached(self, match: MatchView) -> bool:
        """A match outside the tree's flow (a third-place match): no feeders, no target."""
        column = self.order[match.id][0]
        return column > 0 and not self.children[match.id] and match.feeds_into not in self.matches


def layout(rounds: Sequence[RoundView], ids: set[str]) -> dict[str, PlacedMatch]:
    """Leaves take consecutive slots in tree order; a parent sits midway between its
    first and last feeder, which is what makes the elbow connectors line up."""
    index = _TreeIndex(rounds, ids)
    placed: dict[str, PlacedMatch] = {}
    next_leaf = 0.0

    def place(match: MatchView) -> float:
        nonlocal next_leaf
        kids = index.children[match.id]
        if kids:
            ys = [place(kid) for kid in kids]
            slot = (min(ys) + max(ys)) / 2
        else:
            slot, next_leaf = next_leaf, next_leaf + 1
        placed[match.id] = PlacedMatch(match, index.order[match.id][0], slot)
        return slot

    for root in index.roots():
        place(root)
    first = min((p.column for p in placed.values()), default=0)
    return {k: PlacedMatch(p.match, p.column - first, p.slot) for k, p in placed.items()}


def split_ids(section: EliminationSection, max_participants: int) -> list[set[str]]:
    """Partition a big tree into subtrees that each bring in at most ``max_participants``
    entrants, followed by the part that joins them (recursively, if still big).

    A losers bracket takes new entrants every other round, so its parts hold fewer
    first-round matches than a winners bracket's for the same entrant count.
    """
    ids = {m.id for r in section.rounds for m in r.matches}
    return _split(section.rounds, ids, max_participants)


def entrant_count(rounds: Sequence[RoundView], ids: set[str]) -> int:
    """Slots not filled from inside ``ids``: the entrants a part of a tree brings in."""
    index = _TreeIndex(rounds, ids)
    return sum(2 - len(index.children[m]) for m in index.matches)


def _split(rounds: Sequence[RoundView], ids: set[str], max_participants: int) -> list[set[str]]:
    if entrant_count(rounds, ids) <= max_participants:
        return [ids]
    leaves = _leaves_in_order(_TreeIndex(rounds, ids))
    per_part = max(1, max_participants // 2)
    while True:
        parts, rest = _partition(_TreeIndex(rounds, ids), leaves, per_part)
        if per_part == 1 or all(entrant_count(rounds, p) <= max_participants for p in parts):
            break
        per_part //= 2
    if not rest or len(parts) <= 1:
        return [ids]
    # The joining part repeats each sub-part's last match, so readers see who came in.
    index = _TreeIndex(rounds, ids)
    joined = rest | {m.id for m in index.matches.values() if m.feeds_into in rest}
    return parts + _split(rounds, joined, max_participants)


def _leaves_in_order(index: _TreeIndex) -> list[MatchView]:
    leaves: list[MatchView] = []

    def collect(match: MatchView) -> None:
        kids = index.children[match.id]
        if not kids and not index.is_detached(match):
            leaves.append(match)
        for kid in kids:
            collect(kid)

    for root in index.roots():
        collect(root)
    return leaves


def _partition(
    index: _TreeIndex, leaves: Sequence[MatchView], per_part: int
) -> tuple[list[set[str]], set[str]]:
    chunk_of = {leaf.id: i // per_part for i, leaf in enumerate(leaves)}
    parts: dict[int, set[str]] = defaultdict(set)
    rest: set[str] = set()

    def assign(match: MatchView) -> set[int]:
        kids = index.children[match.id]
        if kids:
            chunks = set().union(*(assign(kid) for kid in kids))
        else:
            chunks = {chunk_of.get(match.id, -1)}
        if len(chunks) == 1 and -1 not in chunks:
            parts[next(iter(chunks))].add(match.id)
        else:
            rest.add(match.id)
        return chunks

    for root in index.roots():
        assign(root)
    return [parts[i] for i in sorted(parts)], rest


def tree_panel(
    section: EliminationSection,
    ids: set[str],
    key: str,
    title: str,
    words: PictureWords = ENGLISH,
) -> Panel:
    placed = layout(section.rounds, ids)
    columns = max(p.column for p in placed.values()) + 1
    rows = max(p.slot for p in placed.values()) + 1
    first_column = min(
        ci for ci, r in enumerate(section.rounds) for m in r.matches if m.id in placed
    )
    shown = section.rounds[first_column : first_column + columns]
    titles = [(_round_title(r, words), r.time) for r in shown]
    # A second header line for the round's time, only when some round has one.
    header_h = HEADER_H + (TIME_LINE_H if any(r.time for r in shown) else 0)
    width = columns * COL_W - COL_GAP
    height = TITLE_H + header_h + rows * SLOT_H

    def paint(canvas: Canvas, x0: float, y0: float) -> None:
        canvas.text(x0, y0 + TITLE_H / 2 - 4, title, size=22, fill=c.TEXT, bold=True)
        for i, (text, when) in enumerate(titles):
            _paint_round_header(canvas, x0 + i * COL_W, y0 + TITLE_H, text, when, header_h)
        top = y0 + TITLE_H + header_h
        _paint_connectors(canvas, placed, x0, top)
        for p in placed.values():
            paint_match(canvas, p.match, x0 + p.column * COL_W, top + p.slot * SLOT_H, words)

    return Panel(key=key, width=width, height=height, paint=paint)


def _round_title(round_view: RoundView, words: PictureWords = ENGLISH) -> str:
    if not round_view.best_of:
        return round_view.title
    return f"{round_view.title} · {words.best_of.format(n=round_view.best_of)}"


def _paint_round_header(
    canvas: Canvas, x: float, y: float, text: str, when: str | None, height: float
) -> None:
    box_h = height - 14
    canvas.rect(x, y + 2, BOX_W, box_h, c.PANEL, outline=c.BORDER, radius=6)
    title_y = y + 2 + (box_h / 2 if when is None else (box_h - TIME_LINE_H) / 2 + 1)
    canvas.text(
        x + BOX_W / 2,
        title_y,
        text,
        size=15,
        fill=c.TEXT_SOFT,
        bold=True,
        align="center",
        max_width=BOX_W - 16,
    )
    if when is not None:
        canvas.text(
            x + BOX_W / 2,
            title_y + TIME_LINE_H,
            when,
            size=SMALL_SIZE,
            fill=c.FAINT,
            align="center",
            max_width=BOX_W - 16,
        )


def _box_center_y(top: float, slot: float) -> float:
    return top + slot * SLOT_H + META_H + BOX_H / 2


def _paint_connectors(
    canvas: Canvas, placed: dict[str, PlacedMatch], x0: float, top: float
) -> None:
    for p in placed.values():
        target = placed.get(p.match.feeds_into or "")
        if target is None:
            continue
        x1 = x0 + p.column * COL_W + BOX_W
        x2 = x0 + target.column * COL_W
        y1, y2 = _box_center_y(top, p.slot), _box_center_y(top, target.slot)
        elbow = x2 - COL_GAP / 2
        done = p.match.status is MatchStatus.COMPLETED
        color = c.CONNECTOR_DONE if done else c.CONNECTOR
        canvas.line([(x1, y1), (elbow, y1), (elbow, y2), (x2, y2)], color, width=1.5)


def paint_match(
    canvas: Canvas, match: MatchView, x: float, y: float, words: PictureWords = ENGLISH
) -> None:
    """A match: a meta line (label, caption, status) above a two-row box."""
    _paint_meta(canvas, match, x, y + META_H / 2 - 1, words)
    box_top = y + META_H
    status_color = {MatchStatus.LIVE: c.LIVE, MatchStatus.DISPUTED: c.DISPUTED}.get(match.status)
    canvas.rect(x, box_top, BOX_W, BOX_H, c.BOX, outline=status_color or c.BORDER, radius=5)
    paint_slot(canvas, match.top, x, box_top, BOX_W, top=True, words=words)
    paint_slot(canvas, match.bottom, x, box_top + ROW_H, BOX_W, top=False, words=words)
    canvas.line([(x + 1, box_top + ROW_H), (x + BOX_W - 2, box_top + ROW_H)], c.BORDER, 1)


def _paint_meta(
    canvas: Canvas, match: MatchView, x: float, y: float, words: PictureWords = ENGLISH
) -> None:
    status = _status_text(match.status, words)
    if match.time is not None and match.status is not MatchStatus.LIVE:
        status = (match.time, c.ACCENT)  # moved off its round's time: say when instead
    right = BOX_W
    if status:
        right -= (
            canvas.text(
                x + BOX_W, y, status[0], size=12.5, fill=status[1], bold=True, align="right"
            )
            + 8
        )
    # A caption ("Third place match") says more than the id, and both rarely fit.
    label = match.caption or match.display_label
    if match.best_of:
        label = f"{label} · {words.best_of.format(n=match.best_of)}"
    color = c.ACCENT if match.caption else c.FAINT
    canvas.text(
        x + 2, y, label, size=SMALL_SIZE, fill=color, bold=bool(match.caption), max_width=right - 4
    )


def paint_slot(
    canvas: Canvas,
    slot: Slot,
    x: float,
    y: float,
    width: float,
    top: bool,
    words: PictureWords = ENGLISH,
) -> None:
    middle = y + ROW_H / 2
    name_x = x + SEED_W
    name_width = width - SEED_W - SCORE_W - 8
    if slot.is_winner:
        canvas.rect(x + 1, y + 1 if top else y, 3, ROW_H - 1, c.ACCENT)
    if slot.seed is not None and not slot.is_bye:
        canvas.text(
            x + SEED_W / 2 + 1,
            middle,
            str(slot.seed),
            size=SMALL_SIZE,
            fill=c.MUTED,
            align="center",
            max_width=SEED_W - 4,
        )
    if slot.is_bye:
        canvas.text(name_x, middle, words.bye, size=SMALL_SIZE, fill=c.FAINT, bold=True)
    elif slot.name is None:
        canvas.text(
            name_x,
            middle,
            slot.placeholder or words.tbd,
            size=SMALL_SIZE,
            fill=c.FAINT,
            max_width=name_width + SCORE_W,
        )
        return
    else:
        lost = slot.score is not None and not slot.is_winner
        color = c.TEXT if slot.is_winner else (c.MUTED if lost else c.TEXT_SOFT)
        canvas.text(
            name_x,
            middle,
            slot.name,
            size=NAME_SIZE,
            fill=color,
            bold=slot.is_winner,
            max_width=name_width,
        )
    _paint_score(canvas, slot, x + width - SCORE_W, y, top)


def _paint_score(canvas: Canvas, slot: Slot, x: float, y: float, top: bool) -> None:
    if slot.score is None:
        return
    fill = c.ACCENT if slot.is_winner else c.BOX_ALT
    # Keep the box's rounded corner visible: inset by the border on the outer edges.
    canvas.rect(x, y + (1 if top else 0.5), SCORE_W - 1, ROW_H - 1.5, fill)
    color = c.ACCENT_TEXT if slot.is_winner else c.MUTED
    canvas.text(
        x + SCORE_W / 2,
        y + ROW_H / 2,
        slot.score,
        size=NAME_SIZE,
        fill=color,
        bold=slot.is_winner,
        align="center",
        max_width=SCORE_W - 4,
    )
