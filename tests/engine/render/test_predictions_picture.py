"""The predictions leaderboard picture: Bangla and Latin names, long names, empty board."""

from __future__ import annotations

import io

from PIL import Image

from engine.predictions import PredictionBoard, PredictorRow, predictions_picture
from engine.render.predictions import render_predictions

LONG = "সুমাইয়া আক্তার চৌধুরী (ঢাকা ডায়নামাইটস ফ্যান ক্লাব) " * 3


def _board(*names: str, yours: PredictorRow | None = None) -> PredictionBoard:
    rows = tuple(
        PredictorRow(i + 1, i + 1, name, 40 - i, 4, 8, 1, 100 if i == 0 else 0)
        for i, name in enumerate(names)
    )
    return PredictionBoard(
        1, 1, "বিজয় দিবস কাপ", rows, len(rows), 8, yours, (100,), coin_name="Crowns"
    )


def _size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


def test_long_names_are_cut_to_the_row_and_never_grow_the_picture() -> None:
    short = render_predictions(predictions_picture(_board("জয়", "Al")), scale=1)
    long = render_predictions(predictions_picture(_board(LONG, "A" * 64)), scale=1)
    assert _size(short) == _size(long)


def test_the_viewer_below_the_top_gets_a_row_of_their_own() -> None:
    me = PredictorRow(17, 99, "You", 10, 1, 5, 0)
    top = _board("রাকিব", "Alice")
    picture = predictions_picture(top.__class__(**{**top.__dict__, "yours": me}), "bn")
    assert picture.yours is not None and picture.yours.highlight
    assert picture.headings[3] == "পয়েন্ট" and picture.lines[0].reward == "+100 Crowns"
    with_me = _size(render_predictions(picture, scale=1))
    assert with_me[1] > _size(render_predictions(predictions_picture(top), scale=1))[1]


def test_an_empty_board_says_so() -> None:
    empty = PredictionBoard(1, 1, "Empty Cup", (), 0, 0)
    picture = predictions_picture(empty)
    assert picture.lines == () and picture.empty == "No predictions yet."
    assert picture.headings[4] == ""  # no rewards: no reward column
    assert render_predictions(picture).startswith(b"\x89PNG")
