"""Font faces: the Noto fonts shipped in ``fonts/``, an optional system CJK font, and
per-character coverage read from each font's cmap.

Coverage comes from fontTools because neither Pillow nor ReportLab can tell whether a
font has a glyph for a character, and a missing glyph is drawn as a tofu box.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

FONT_DIR = Path(__file__).parent / "fonts"

# Where Debian and most Linux distributions put CJK fonts. They are ~20 MB, so the repo
# does not ship one; the first that exists is used.
SYSTEM_CJK_CANDIDATES: tuple[tuple[str, str | None, int], ...] = (
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        0,
    ),
    (
        "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/noto/NotoSansCJK-Bold.ttc",
        0,
    ),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", None, 0),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", None, 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None, 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None, 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None, 0),
)


@dataclass(frozen=True)
class FontFace:
    """One family in the fallback chain. ``bold`` is None when the family has no bold."""

    key: str
    regular: Path
    bold: Path | None = None
    index: int = 0

    def path(self, bold: bool) -> Path:
        return self.bold if bold and self.bold is not None else self.regular

    def covers(self, char: str) -> bool:
        return ord(char) in _coverage(str(self.regular), self.index)


def _shipped(key: str, stem: str, has_bold: bool = True) -> FontFace:
    bold = FONT_DIR / f"{stem}-Bold.ttf" if has_bold else None
    return FontFace(key=key, regular=FONT_DIR / f"{stem}-Regular.ttf", bold=bold)


LATIN = _shipped("latin", "NotoSans")
BENGALI = _shipped("bengali", "NotoSansBengaliUI")
DEVANAGARI = _shipped("devanagari", "NotoSansDevanagariUI")
ARABIC = _shipped("arabic", "NotoSansArabicUI")
SYMBOLS = _shipped("symbols", "NotoSansSymbols2", has_bold=False)

SHIPPED_FACES: tuple[FontFace, ...] = (LATIN, BENGALI, DEVANAGARI, ARABIC, SYMBOLS)


@cache
def _coverage(path: str, index: int) -> frozenset[int]:
    try:
        font = TTFont(path, fontNumber=index, lazy=True)
    except (OSError, TTLibError):
        return frozenset()
    cmap = font.getBestCmap() or {}
    return frozenset(cmap)


def find_system_cjk_face(
    candidates: tuple[tuple[str, str | None, int], ...] = SYSTEM_CJK_CANDIDATES,
) -> FontFace | None:
    for regular, bold, index in candidates:
        if Path(regular).is_file():
            bold_path = Path(bold) if bold and Path(bold).is_file() else None
            return FontFace(key="cjk", regular=Path(regular), bold=bold_path, index=index)
    return None


@cache
def default_faces() -> tuple[FontFace, ...]:
    """The fallback chain used for images: shipped fonts, then a system CJK font if any."""
    cjk = find_system_cjk_face()
    return (*SHIPPED_FACES, cjk) if cjk else SHIPPED_FACES
