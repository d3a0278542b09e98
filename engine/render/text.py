"""Split a name into runs by font coverage, so every character is drawn with a font that
has it; characters no font has are replaced ('?') or, for emoji and symbols, dropped.

Shared by the Pillow and ReportLab renderers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from engine.render.fonts import FontFace

ZWJ = "\u200d"
ZWNJ = "\u200c"
REPLACEMENT = "?"
ELLIPSIS = "…"
_JOINERS = {ZWJ, ZWNJ}
# Viramas glue the next consonant into a conjunct; never cut a name right after one.
_VIRAMAS = {"\u094d", "\u09cd", "\u0a4d", "\u0acd", "\u0b4d", "\u0bcd", "\u0c4d", "\u0ccd"}


@dataclass(frozen=True)
class TextRun:
    text: str
    face: FontFace


@dataclass(frozen=True)
class TextPlan:
    """Runs in logical order, plus what could not be drawn as written."""

    runs: tuple[TextRun, ...]
    rtl: bool
    replaced: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    def visual_runs(self) -> tuple[TextRun, ...]:
        # A right-to-left name lays its runs out from the right. Each run is shaped (and
        # reordered inside) by the layout engine; mixed LTR fragments keep their own order.
        return tuple(reversed(self.runs)) if self.rtl else self.runs


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc", "Me")


def _is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or 0x1F3FB <= code <= 0x1F3FF


def _is_droppable(char: str) -> bool:
    """Emoji and pictographs: better left out than shown as '?' next to a name."""
    code = ord(char)
    category = unicodedata.category(char)
    return category in ("So", "Sk", "Cs", "Co") or 0x1F000 <= code <= 0x1FAFF or code >= 0xE0000


def _is_invisible(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf") and char not in _JOINERS


def is_rtl(text: str) -> bool:
    """Base direction by the first strong character (Unicode bidi rule P2)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


_NEUTRAL = {"WS", "CS", "ON", "ES", "ET", "S"}


class _RunBuilder:
    def __init__(self, faces: Sequence[FontFace], rtl: bool) -> None:
        self.faces = faces
        self.rtl = rtl
        self.runs: list[TextRun] = []
        self.replaced: list[str] = []
        self.dropped: list[str] = []
        self.last_base_dropped = False

    def add(self, char: str, face: FontFace) -> None:
        if self.runs and self.runs[-1].face == face:
            self.runs[-1] = TextRun(self.runs[-1].text + char, face)
            return
        if self.runs and not self.rtl:
            char = self._take_trailing_neutrals(face) + char
        self.runs.append(TextRun(char, face))

    def _take_trailing_neutrals(self, face: FontFace) -> str:
        """In a left-to-right name, spaces and punctuation between an Arabic run and what
        follows belong to the left-to-right side (bidi rule N1); left in the Arabic run they
        would be drawn on its wrong (left) edge."""
        last = self.runs[-1]
        if not is_rtl(last.text):
            return ""
        kept = last.text
        while kept and unicodedata.bidirectional(kept[-1]) in _NEUTRAL and face.covers(kept[-1]):
            kept = kept[:-1]
        moved = last.text[len(kept) :]
        if moved:
            self.runs[-1] = TextRun(kept, last.face)
        return moved

    def face_for(self, char: str) -> FontFace | None:
        if self.runs and self.runs[-1].face.covers(char):
            return self.runs[-1].face
        return next((face for face in self.faces if face.covers(char)), None)

    def add_attached(self, char: str) -> None:
        """Marks, joiners and variation selectors belong to the character before them."""
        if self.last_base_dropped or not self.runs:
            return
        face = self.runs[-1].face
        if face.covers(char):
            self.add(char, face)
        elif not (_is_variation_selector(char) or char in _JOINERS):
            self.dropped.append(char)

    def add_base(self, char: str) -> None:
        if char.isspace():
            # Dropped emoji leave gaps ("Blaze 🔥 40"); one space is enough anywhere.
            if not self.runs or self.runs[-1].text[-1] == " ":
                return
            char = " "
        face = self.face_for(char)
        self.last_base_dropped = False
        if face is not None:
            self.add(char, face)
        elif _is_droppable(char):
            self.dropped.append(char)
            self.last_base_dropped = True
        else:
            self.replaced.append(char)
            self.add(REPLACEMENT, self.faces[0])


def plan_text(text: str, faces: Sequence[FontFace]) -> TextPlan:
    """Segment ``text`` into runs by font coverage (first face in ``faces`` that has it).

    A run continues with its font while that font covers the next character (spaces and
    digits inside a Bengali name stay in the Bengali run so shaping is not broken up).
    """
    rtl = is_rtl(text)
    builder = _RunBuilder(faces, rtl)
    for char in unicodedata.normalize("NFC", text):
        if _is_invisible(char):
            continue
        if _is_mark(char) or _is_variation_selector(char) or char in _JOINERS:
            builder.add_attached(char)
        else:
            builder.add_base(char)
    runs = _strip_edges(builder.runs)
    return TextPlan(
        runs=tuple(runs),
        rtl=rtl,
        replaced=tuple(builder.replaced),
        dropped=tuple(builder.dropped),
    )


def _strip_edges(runs: list[TextRun]) -> list[TextRun]:
    """Drop spaces left at the edges after emoji were removed ("🔥 Ace" -> "Ace")."""
    if runs:
        runs[0] = TextRun(runs[0].text.lstrip(), runs[0].face)
        runs[-1] = TextRun(runs[-1].text.rstrip(), runs[-1].face)
    return [run for run in runs if run.text]


def cluster_boundaries(text: str) -> list[int]:
    """Offsets where the text may be cut without splitting a character from its marks or
    breaking a conjunct (a simplified grapheme-cluster rule that is enough for names)."""
    cuts = []
    for i in range(1, len(text)):
        char, previous = text[i], text[i - 1]
        if _is_mark(char) or char in _JOINERS or _is_variation_selector(char):
            continue
        if previous in _VIRAMAS or previous in _JOINERS:
            continue
        cuts.append(i)
    cuts.append(len(text))
    return cuts
