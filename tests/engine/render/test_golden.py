"""A small bracket compared with a committed picture, with a tolerance for font
rasteriser differences. REGENERATE_GOLDEN=1 rewrites the picture after a deliberate change."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from engine.render.bracket import render_bracket
from testkit import render_fixtures as f

GOLDEN = Path(__file__).parent / "golden" / "single_elim_8.png"
# Mean absolute difference per channel (0-255). Anti-aliasing differences between
# FreeType builds stay well under 1; a moved box or a changed colour is far above 2.
TOLERANCE = 2.0


def test_single_elim_8_matches_golden():
    images = render_bracket(f.single_elim_view(8, 2))
    assert len(images) == 1
    actual = Image.open(io.BytesIO(images[0].png_bytes)).convert("RGB")
    if os.environ.get("REGENERATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_bytes(images[0].png_bytes)
    assert GOLDEN.exists(), f"{GOLDEN} is missing; create it with REGENERATE_GOLDEN=1"
    expected = Image.open(GOLDEN).convert("RGB")
    assert actual.size == expected.size, "layout changed size; regenerate if intended"
    diff = ImageChops.difference(actual, expected)
    mean = sum(ImageStat.Stat(diff).mean) / 3
    assert mean <= TOLERANCE, f"mean pixel difference {mean:.2f} > {TOLERANCE}"
