"""``render_bracket`` and ``render_standings``: a TournamentView in, PNG images out.

Big events are split into several images (one per part of a tree, per page of a table)
instead of shrinking text below what a phone can read.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.render import canvas as c
from engine.render.bracket_tree import split_ids, tree_panel
from engine.render.canvas import DEFAULT_SCALE, Canvas, Panel, encode_png, paint_panels
from engine.render.model import (
    EliminationSection,
    GroupStageSection,
    RenderedImage,
    RoundRobinSection,
    Section,
    StandingsSection,
    StandingsTable,
    SwissSection,
    TournamentView,
)
from engine.render.tables import (
    group_stage_panels,
    round_robin_panels,
    standings_panels,
    swiss_panels,
)
from engine.render.words import ENGLISH, PictureWords

MARGIN = 28.0
PANEL_GAP = 36.0
HEADER_H = 64.0
# Panels are packed into one image while it stays under this height (1x units); a taller
# image is shown so small in a Discord embed that it has to be opened to be read.
MAX_IMAGE_HEIGHT = 2000.0
DEFAULT_MAX_PARTICIPANTS = 32


def render_bracket(
    view: TournamentView,
    *,
    section: str | int | None = None,
    max_participants_per_image: int = DEFAULT_MAX_PARTICIPANTS,
    scale: int = DEFAULT_SCALE,
    limit: int | None = None,
    words: PictureWords = ENGLISH,
) -> list[RenderedImage]:
    """Render every section (or one, by key or index) into one or more PNG images.

    ``limit`` paints only the first images: laying out is cheap, painting and encoding
    are not, and a live message that shows part 1 of 14 needs just that part.
    ``words`` are the picture's own words (English unless given, see ``words.py``).
    """
    images = []
    for group in _image_groups(view, section, max_participants_per_image, words)[:limit]:
        header = _header_panel(view, max(p.width for p in group))
        image = paint_panels([header, *group], PANEL_GAP, MARGIN, scale)
        name = _image_name(group) + ".png"
        images.append(RenderedImage(name, encode_png(image), image.width, image.height))
    return images


def bracket_image_count(
    view: TournamentView,
    *,
    section: str | int | None = None,
    max_participants_per_image: int = DEFAULT_MAX_PARTICIPANTS,
    words: PictureWords = ENGLISH,
) -> int:
    """How many images :func:`render_bracket` makes, without painting any."""
    return len(_image_groups(view, section, max_participants_per_image, words))


def _image_groups(
    view: TournamentView,
    section: str | int | None,
    max_participants: int,
    words: PictureWords = ENGLISH,
) -> list[list[Panel]]:
    if max_participants < 2:
        raise ValueError("max_participants_per_image must be at least 2")
    sections = _select(view.sections, section)
    return _pack([p for s in sections for p in section_panels(s, max_participants, words)])


def render_standings(
    table: StandingsTable, *, scale: int = DEFAULT_SCALE, words: PictureWords = ENGLISH
) -> bytes:
    """One PNG with the whole table (no paging: callers asked for this one table)."""
    panel = standings_panels(
        table, "standings", rows_per_panel=max(1, len(table.rows)), words=words
    )[0]
    return encode_png(paint_panels([panel], PANEL_GAP, MARGIN, scale))


def section_panels(
    section: Section, max_participants: int, words: PictureWords = ENGLISH
) -> list[Panel]:
    if isinstance(section, EliminationSection):
        return _tree_panels(section, max_participants, words)
    if isinstance(section, RoundRobinSection):
        return round_robin_panels(section, words)
    if isinstance(section, SwissSection):
        return swiss_panels(section, words)
    if isinstance(section, GroupStageSection):
        return group_stage_panels(section, words)
    if isinstance(section, StandingsSection):
        return standings_panels(section.table, section.key, words=words)
    raise TypeError(f"unknown section type: {type(section).__name__}")


def _tree_panels(
    section: EliminationSection, max_participants: int, words: PictureWords = ENGLISH
) -> list[Panel]:
    if not any(r.matches for r in section.rounds):
        return []
    parts = split_ids(section, max_participants)
    if len(parts) == 1:
        return [tree_panel(section, parts[0], section.key, section.title, words)]
    return [
        tree_panel(
            section,
            ids,
            f"{section.key}-part-{i}",
            words.part_of.format(title=section.title, part=i, parts=len(parts)),
            words,
        )
        for i, ids in enumerate(parts, start=1)
    ]


def _select(sections: Sequence[Section], wanted: str | int | None) -> list[Section]:
    if wanted is None:
        return list(sections)
    if isinstance(wanted, int):
        return [sections[wanted]]
    chosen = [s for s in sections if s.key == wanted]
    if not chosen:
        keys = ", ".join(s.key for s in sections)
        raise KeyError(f"no section {wanted!r}; sections are: {keys}")
    return chosen


def _pack(panels: Sequence[Panel]) -> list[list[Panel]]:
    """Consecutive panels share an image while it stays under MAX_IMAGE_HEIGHT."""
    groups: list[list[Panel]] = []
    height = 0.0
    for panel in panels:
        if groups and height + PANEL_GAP + panel.height <= MAX_IMAGE_HEIGHT:
            groups[-1].append(panel)
            height += PANEL_GAP + panel.height
        else:
            groups.append([panel])
            height = HEADER_H + panel.height
    return groups


def _image_name(panels: Sequence[Panel]) -> str:
    if len(panels) == 1:
        return panels[0].key
    return f"{panels[0].key}--{panels[-1].key}"


TITLE_ROOM_MAX = 1400.0  # a longer title is ellipsised rather than widening the image


def _header_panel(view: TournamentView, width: float) -> Panel:
    # A narrow bracket (a two-player final) must not cut the tournament's name short:
    # the header is as wide as the title needs, up to a limit.
    title_room = Canvas(1, 1, scale=1).text_width(view.title, 28, bold=True) + 170
    width = max(width, 420.0, min(title_room, TITLE_ROOM_MAX))

    def paint(canvas: Canvas, x: float, y: float) -> None:
        canvas.text(x, y + 16, view.title, size=28, fill=c.TEXT, bold=True, max_width=width - 150)
        canvas.text(
            x + width, y + 18, "DeltaCrown", size=15, fill=c.ACCENT, bold=True, align="right"
        )
        if view.subtitle:
            canvas.text(x, y + 46, view.subtitle, size=16, fill=c.MUTED, max_width=width)
        canvas.line([(x, y + HEADER_H - 2), (x + width, y + HEADER_H - 2)], c.BORDER, 1)

    return Panel(key="header", width=width, height=HEADER_H, paint=paint)
