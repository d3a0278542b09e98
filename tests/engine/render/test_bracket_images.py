"""Bracket and table images decode, have sane sizes, and big events are split."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image

from engine.render import bracket_tree, canvas, tables
from engine.render.bracket import (
    MAX_IMAGE_HEIGHT,
    bracket_image_count,
    render_bracket,
    render_standings,
)
from engine.render.bracket_tree import entrant_count, layout, split_ids
from engine.render.model import EliminationSection, RenderedImage, TournamentView
from testkit import render_fixtures as f

# The widest part is an 8-column losers-bracket part; anything wider means a bad split.
MAX_WIDTH_1X = 2400
MAX_PNG_BYTES = 400_000

CASES: dict[str, Callable[[], TournamentView]] = {
    "single-8": lambda: f.single_elim_view(8, 2),
    "single-64": lambda: f.single_elim_view(64, 3),
    "single-256": lambda: f.single_elim_view(256, 4),
    "double-8": lambda: f.double_elim_view(8, finished=True),
    "double-64": lambda: f.double_elim_view(64),
    "double-256": lambda: f.double_elim_view(256),
    "round-robin-8": lambda: f.round_robin_view(8),
    "round-robin-16": lambda: f.round_robin_view(16),
    "swiss-8": lambda: f.swiss_view(8, 3),
    "swiss-64": lambda: f.swiss_view(64, 6),
    "groups-8": lambda: f.groups_playoff_view(8),
    "groups-64": lambda: f.groups_playoff_view(64),
    "groups-256": lambda: f.groups_playoff_view(256),
}


def _check_png(image: RenderedImage) -> None:
    Image.open(io.BytesIO(image.png_bytes)).verify()
    decoded = Image.open(io.BytesIO(image.png_bytes))
    assert decoded.format == "PNG"
    assert decoded.size == (image.width, image.height)
    scale = canvas.DEFAULT_SCALE
    assert 400 * scale <= image.width <= MAX_WIDTH_1X * scale
    assert 200 * scale <= image.height <= (MAX_IMAGE_HEIGHT + 200) * scale
    assert len(image.png_bytes) < MAX_PNG_BYTES
    assert image.name.endswith(".png")


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[RenderedImage]]:
    return {name: render_bracket(build()) for name, build in CASES.items()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_images_decode_with_sane_sizes(rendered: dict[str, list[RenderedImage]], case: str):
    images = rendered[case]
    assert images
    for image in images:
        _check_png(image)
    assert len({image.name for image in images}) == len(images)


def test_text_is_never_smaller_than_14px_at_1x():
    sizes = [bracket_tree.NAME_SIZE, bracket_tree.SMALL_SIZE, tables.TEXT_SIZE, tables.SMALL_SIZE]
    assert min(sizes) >= 14
    assert canvas.DEFAULT_SCALE >= 2


def test_big_events_split_instead_of_shrinking(rendered: dict[str, list[RenderedImage]]):
    assert len(rendered["single-8"]) == 1
    assert len(rendered["single-256"]) >= 8
    names = " ".join(image.name for image in rendered["double-256"])
    assert "winners-part-1" in names and "losers-part-1" in names and "grand-final" in names
    # Every part of a 256 bracket is drawn at the same scale as an 8-player one.
    small = rendered["single-8"][0]
    big = rendered["single-256"][0]
    assert big.width >= small.width


def test_double_elimination_draws_grand_final_and_reset():
    view = f.double_elim_view(8, finished=True)
    assert [s.key for s in view.sections] == ["winners", "losers", "grand-final"]
    final = view.sections[2]
    assert isinstance(final, EliminationSection)
    assert [r.title for r in final.rounds] == ["Grand Final", "Grand Final Reset"]
    images = render_bracket(view, section="grand-final")
    assert len(images) == 1
    expected_width = 2 * bracket_tree.COL_W - bracket_tree.COL_GAP
    assert images[0].width >= expected_width * canvas.DEFAULT_SCALE


def test_unknown_section_names_the_available_ones():
    with pytest.raises(KeyError, match="winners"):
        render_bracket(f.double_elim_view(8), section="nope")


def test_split_parts_cover_every_match_and_stay_small():
    section = f.double_elim_view(256).sections[1]
    assert isinstance(section, EliminationSection)
    parts = split_ids(section, 32)
    all_ids = {m.id for r in section.rounds for m in r.matches}
    assert set().union(*parts) == all_ids
    for part in parts:
        assert entrant_count(section.rounds, part) <= 32


def test_layout_centres_a_match_between_its_feeders():
    section = f.single_elim_view(8).sections[0]
    assert isinstance(section, EliminationSection)
    placed = layout(section.rounds, {m.id for r in section.rounds for m in r.matches})
    assert placed["M2-1"].slot == (placed["M1-1"].slot + placed["M1-2"].slot) / 2
    assert placed["M3-1"].slot == (placed["M2-1"].slot + placed["M2-2"].slot) / 2
    assert placed["M3P"].column == placed["M3-1"].column
    assert placed["M3P"].slot > placed["M3-1"].slot


def test_byes_render_for_uneven_fields():
    view = f.single_elim_view(12, 1)
    first_round = view.sections[0]
    assert isinstance(first_round, EliminationSection)
    assert any(m.bottom.is_bye for m in first_round.rounds[0].matches)
    for image in render_bracket(view):
        _check_png(image)


def test_render_standings_returns_one_png():
    table = f.swiss_view(64, 6).sections[0].standings  # type: ignore[union-attr]
    png = render_standings(table)
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert Image.open(io.BytesIO(png)).height > 64 * tables.ROW_H


@pytest.mark.parametrize("case", ["double-256", "groups-64", "single-8"])
def test_first_image_alone_and_the_count_match_the_full_set(
    rendered: dict[str, list[RenderedImage]], case: str
):
    view = CASES[case]()
    full = rendered[case]
    [first] = render_bracket(view, limit=1)
    assert first.png_bytes == full[0].png_bytes and first.name == full[0].name
    assert bracket_image_count(view) == len(full)
