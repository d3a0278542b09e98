"""Text on a ReportLab canvas with the shipped Noto fonts and per-run font fallback.

ReportLab shapes complex scripts (Bengali conjuncts, Arabic joining and right-to-left
order) only when the optional ``uharfbuzz`` package is installed; without it the glyphs
still appear, but unshaped. Latin runs are never shaped so PDF text extraction stays
exact (no "fi" ligature glyphs).
"""

from __future__ import annotations

import logging
from functools import cache

from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFError, TTFont, shapeStr
from reportlab.pdfgen.canvas import Canvas

from engine.render.fonts import LATIN, SHIPPED_FACES, FontFace, find_system_cjk_face
from engine.render.text import ELLIPSIS, TextPlan, TextRun, cluster_boundaries, plan_text

logger = logging.getLogger(__name__)


def _font_name(face: FontFace, bold: bool) -> str:
    return f"DeltaCrown-{face.key}-{'bold' if bold and face.bold else 'regular'}"


def _register(face: FontFace) -> None:
    for bold in (False, True):
        name = _font_name(face, bold)
        if name not in pdfmetrics.getRegisteredFontNames():
            font = TTFont(name, str(face.path(bold)), subfontIndex=face.index)
            pdfmetrics.registerFont(font)


@cache
def register_fonts() -> tuple[FontFace, ...]:
    """Register the shipped faces, and a system CJK font when ReportLab can embed it,
    once per process; returns the fallback chain for PDF text."""
    for face in SHIPPED_FACES:
        _register(face)
    cjk = find_system_cjk_face()
    if cjk is None:
        return SHIPPED_FACES
    try:
        _register(cjk)
    except TTFError as error:
        # ReportLab embeds TrueType outlines only; Noto CJK ships CFF outlines. CJK
        # letters then print as '?' like on a machine without a CJK font.
        logger.info("CJK font %s not usable in PDFs: %s", cjk.regular, error)
        return SHIPPED_FACES
    return (*SHIPPED_FACES, cjk)


class PdfText:
    def __init__(self, pdf: Canvas) -> None:
        self.pdf = pdf
        self.faces = register_fonts()

    def _shaping(self, face: FontFace) -> bool:
        return face != LATIN

    def _shaped(self, run: TextRun, size: float, bold: bool) -> str:
        """HarfBuzz output in visual order (RTL included) when uharfbuzz is installed."""
        if not self._shaping(run.face):
            return run.text
        return shapeStr(run.text, _font_name(run.face, bold), size)

    def _run_width(self, run: TextRun, size: float, bold: bool) -> float:
        shaped = self._shaped(run, size, bold)
        if isinstance(shaped, ShapedStr):
            return sum(glyph.x_advance for glyph in shaped.__shapeData__) * size / 1000
        return float(pdfmetrics.stringWidth(run.text, _font_name(run.face, bold), size))

    def width(self, plan: TextPlan, size: float, bold: bool, spacing: float = 0) -> float:
        runs = sum(self._run_width(run, size, bold) for run in plan.runs)
        return runs + spacing * max(0, len(plan.text) - 1)

    def fit(self, text: str, size: float, bold: bool, max_width: float | None) -> TextPlan:
        plan = plan_text(text, self.faces)
        if max_width is None or self.width(plan, size, bold) <= max_width:
            return plan
        full = plan.text
        best = plan_text(ELLIPSIS, self.faces)
        for cut in reversed(cluster_boundaries(full)):
            candidate = plan_text(full[:cut].rstrip() + ELLIPSIS, self.faces)
            if self.width(candidate, size, bold) <= max_width:
                return candidate
        return best

    def fitting_size(
        self, text: str, size: float, minimum: float, max_width: float, *, bold: bool = False
    ) -> float:
        """The largest size from ``size`` down to ``minimum`` at which ``text`` fits."""
        plan = plan_text(text, self.faces)
        while size > minimum and self.width(plan, size, bold) > max_width:
            size -= 1
        return size

    def centred(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        color: Color,
        *,
        bold: bool = False,
        spacing: float = 0,
        max_width: float | None = None,
    ) -> None:
        plan = self.fit(text, size, bold, max_width)
        left = x - self.width(plan, size, bold, spacing) / 2
        self.pdf.setFillColor(color)
        for run in plan.visual_runs():
            self.pdf.setFont(_font_name(run.face, bold), size)
            self.pdf.drawString(left, y, self._shaped(run, size, bold), charSpace=spacing)
            left += self._run_width(run, size, bold) + spacing * len(run.text)
