"""Names in any script: runs by font coverage, shaping, ellipsis by measured width."""

from __future__ import annotations

import pytest
from PIL import ImageFont, features

from engine.render import fonts
from engine.render.canvas import BACKGROUND, TEXT, Canvas
from engine.render.fonts import ARABIC, BENGALI, DEVANAGARI, LATIN, SHIPPED_FACES
from engine.render.text import ELLIPSIS, REPLACEMENT, cluster_boundaries, plan_text

NAMES = {
    "bengali": "সাকিব আল হাসান",
    "devanagari": "विराट कोहली",
    "arabic": "محمد صلاح",
    "latin": "Zoë Ångström-Øre",
    "emoji": "🔥 Blaze 👨‍👩‍👧 ✌️",
}


def test_every_script_gets_its_own_font():
    assert [r.face for r in plan_text(NAMES["bengali"], SHIPPED_FACES).runs] == [BENGALI]
    assert [r.face for r in plan_text(NAMES["devanagari"], SHIPPED_FACES).runs] == [DEVANAGARI]
    arabic = plan_text(NAMES["arabic"], SHIPPED_FACES)
    assert [r.face for r in arabic.runs] == [ARABIC] and arabic.rtl
    latin = plan_text(NAMES["latin"], SHIPPED_FACES)
    assert [r.face for r in latin.runs] == [LATIN] and not latin.rtl
    assert latin.text == NAMES["latin"]


def test_mixed_name_is_split_into_runs_with_neutrals_on_the_latin_side():
    plan = plan_text("Team محمد · Zoë", SHIPPED_FACES)
    assert [(r.text, r.face) for r in plan.runs] == [
        ("Team ", LATIN),
        ("محمد", ARABIC),
        (" · Zoë", LATIN),
    ]


def test_emoji_are_dropped_not_drawn_as_tofu():
    plan = plan_text(NAMES["emoji"], SHIPPED_FACES)
    assert plan.text == "Blaze ✌"  # ✌ is in Noto Sans Symbols 2; its VS16 is dropped
    assert "🔥" in plan.dropped and "👨" in plan.dropped
    assert not plan.replaced


def test_letters_no_font_has_are_marked_and_replaced():
    plan = plan_text("李小龍 Bruce", (LATIN,))
    assert plan.replaced == ("李", "小", "龍")
    assert plan.text == f"{REPLACEMENT * 3} Bruce"


def test_system_cjk_font_is_used_when_installed():
    cjk = fonts.find_system_cjk_face()
    if cjk is None:
        pytest.skip("no system CJK font installed (fonts-noto-cjk); CJK degrades to '?'")
    plan = plan_text("李小龍", (*SHIPPED_FACES, cjk))
    assert [r.face for r in plan.runs] == [cjk] and not plan.replaced


def test_cuts_never_separate_a_vowel_sign_or_a_conjunct():
    text = "কিক্ষ"  # ka + i-sign, then ka + virama + ssa
    assert cluster_boundaries(text) == [2, 5]


def test_pillow_has_raqm_so_indic_scripts_are_shaped():
    assert features.check("raqm"), "Pillow without libraqm cannot shape Bengali/Arabic"
    font = ImageFont.truetype(str(BENGALI.regular), 32, layout_engine=ImageFont.Layout.RAQM)
    parts = sum(font.getlength(ch) for ch in "ক্ষ")
    assert font.getlength("ক্ষ") < parts  # the conjunct is one glyph, not three


@pytest.mark.parametrize("script", sorted(NAMES))
def test_names_render_visible_ink(script: str):
    canvas = Canvas(300, 40, scale=2)
    width = canvas.text(10, 20, NAMES[script], size=16, fill=TEXT, bold=True, max_width=280)
    assert width > 20
    bbox = canvas.image.point(lambda v: 255 if v > max(BACKGROUND) + 40 else 0).getbbox()
    assert bbox is not None


def test_long_names_are_ellipsised_by_measured_width():
    canvas = Canvas(300, 40, scale=2)
    name = "Bartholomew the Exceedingly Long-Named"
    drawn = canvas.text(0, 20, name, size=16, fill=TEXT, max_width=120)
    assert drawn <= 120
    narrow = canvas.text(0, 20, "iiiiiiiiiiiiiiiiiiii", size=16, fill=TEXT, max_width=120)
    wide = canvas.text(0, 20, "WWWWWWWWWWWWWWWWWWWW", size=16, fill=TEXT, max_width=120)
    assert narrow <= 120 and wide <= 120
    assert canvas.text_width(ELLIPSIS, 16) < 20
