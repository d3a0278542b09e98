"""Certificates: a one-page landscape A4 PDF per award, with a QR code to verify it, and
the canonical content whose hash the verification page compares against."""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import qrcode
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from engine.render.pdf_text import PdfText

PAGE_W, PAGE_H = landscape(A4)
CANONICAL_VERSION = 1

INK = HexColor("#1F2A44")
MUTED = HexColor("#6B7280")
PAPER = HexColor("#FBF8F1")
GOLD = HexColor("#B8892B")
SILVER = HexColor("#8A94A3")
BRONZE = HexColor("#A8652F")
TEAL = HexColor("#2F6F73")
PURPLE = HexColor("#6B4FA0")


class Placement(StrEnum):
    CHAMPION = "champion"
    RUNNER_UP = "runner_up"
    THIRD_PLACE = "third_place"
    PARTICIPANT = "participant"
    MVP = "mvp"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Placement.CHAMPION: "Champion",
    Placement.RUNNER_UP: "Runner-up",
    Placement.THIRD_PLACE: "3rd place",
    Placement.PARTICIPANT: "Participant",
    Placement.MVP: "MVP",
}
_ACCENTS = {
    Placement.CHAMPION: GOLD,
    Placement.RUNNER_UP: SILVER,
    Placement.THIRD_PLACE: BRONZE,
    Placement.PARTICIPANT: TEAL,
    Placement.MVP: PURPLE,
}
_CITATIONS = {
    Placement.CHAMPION: "for winning",
    Placement.RUNNER_UP: "for finishing second in",
    Placement.THIRD_PLACE: "for finishing third in",
    Placement.PARTICIPANT: "for competing in",
    Placement.MVP: "as the most valuable player of",
}


@dataclass(frozen=True)
class CertificateWords:
    """The printed words of a certificate, in the tournament's language (English unless
    the awards domain passes translations). Presentation only: not part of the content
    hash, so the same certificate verifies in any language."""

    brand: str = "DELTACROWN  ·  ESPORTS"
    title: str = "CERTIFICATE"
    of_participation: str = "OF PARTICIPATION"
    of_achievement: str = "OF ACHIEVEMENT"
    presented_to: str = "This certificate is proudly presented to"
    roster: str = "Roster: "
    placement: str | None = None  # None: the placement's English label
    citation: str | None = None  # None: the placement's English citation
    organizer: str = "Organizer"
    date: str = "Date"
    long_date: str | None = None  # None: "5 December 2026"
    sponsors: str = "WITH THANKS TO OUR SPONSORS"
    verify: str = "Verify: "


@dataclass(frozen=True)
class CertificateData:
    tournament_name: str
    game: str
    placement: Placement
    recipient_name: str
    issued_on: date
    organizer_name: str
    verification_url: str
    verification_code: str
    # A team's members; empty for a solo player.
    roster: tuple[str, ...] = ()
    sponsor_logos: tuple[bytes, ...] = ()
    words: CertificateWords = CertificateWords()

    def __post_init__(self) -> None:
        for name in ("tournament_name", "recipient_name", "verification_url", "verification_code"):
            if not getattr(self, name).strip():
                raise ValueError(f"a certificate needs a non-empty {name}")


def certificate_canonical_content(data: CertificateData) -> bytes:
    """The fields a forger would change, as canonical JSON (sorted keys, NFC, UTF-8).

    Presentation (logos, the URL's host) is left out so a redesign or a domain move does
    not invalidate issued certificates.
    """

    def norm(text: str) -> str:
        return unicodedata.normalize("NFC", text.strip())

    payload = {
        "v": CANONICAL_VERSION,
        "tournament": norm(data.tournament_name),
        "game": norm(data.game),
        "placement": data.placement.value,
        "recipient": norm(data.recipient_name),
        "roster": [norm(member) for member in data.roster],
        "issued_on": data.issued_on.isoformat(),
        "organizer": norm(data.organizer_name),
        "code": norm(data.verification_code),
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def certificate_content_hash(data: CertificateData) -> str:
    return hashlib.sha256(certificate_canonical_content(data)).hexdigest()


def render_certificate(data: CertificateData) -> bytes:
    buffer = io.BytesIO()
    # invariant=1 leaves out creation dates and random ids: the same data gives the same
    # bytes, so content-addressed storage deduplicates re-generated certificates.
    pdf = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), invariant=1)
    pdf.setTitle(f"{data.placement.label} — {data.tournament_name}")
    pdf.setAuthor(data.organizer_name or "DeltaCrown")
    pdf.setSubject(f"Certificate {data.verification_code}")
    text = PdfText(pdf)
    accent = _ACCENTS[data.placement]
    _paint_frame(pdf, accent)
    _paint_heading(pdf, text, data, accent)
    _paint_recipient(pdf, text, data, accent)
    _paint_award(text, data, accent)
    _paint_signatures(pdf, text, data)
    _paint_sponsors(pdf, text, data.sponsor_logos, data.words.sponsors)
    _paint_qr(pdf, text, data)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _paint_frame(pdf: Canvas, accent: Color) -> None:
    pdf.setFillColor(PAPER)
    pdf.rect(0, 0, PAGE_W, PAGE_H, stroke=0, fill=1)
    pdf.setStrokeColor(INK)
    pdf.setLineWidth(3)
    pdf.rect(22, 22, PAGE_W - 44, PAGE_H - 44)
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(0.9)
    pdf.rect(31, 31, PAGE_W - 62, PAGE_H - 62)
    pdf.setFillColor(accent)
    for x, y in ((31, 31), (PAGE_W - 31, 31), (31, PAGE_H - 31), (PAGE_W - 31, PAGE_H - 31)):
        _diamond(pdf, x, y, 7)


def _diamond(pdf: Canvas, x: float, y: float, r: float) -> None:
    path = pdf.beginPath()
    path.moveTo(x, y + r)
    path.lineTo(x + r, y)
    path.lineTo(x, y - r)
    path.lineTo(x - r, y)
    path.close()
    pdf.drawPath(path, stroke=0, fill=1)


def _paint_heading(pdf: Canvas, text: PdfText, data: CertificateData, accent: Color) -> None:
    center = PAGE_W / 2
    words = data.words
    text.centred(center, 528, words.brand, 9, MUTED, bold=True, spacing=_spaced(words.brand, 3))
    text.centred(center, 474, words.title, 40, INK, bold=True, spacing=_spaced(words.title, 6))
    participation = data.placement is Placement.PARTICIPANT
    kind = words.of_participation if participation else words.of_achievement
    text.centred(center, 448, kind, 13, accent, bold=True, spacing=_spaced(kind, 4))
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(0.8)
    pdf.line(center - 150, 436, center - 12, 436)
    pdf.line(center + 12, 436, center + 150, 436)
    pdf.setFillColor(accent)
    _diamond(pdf, center, 436, 4)


def _spaced(text: str, spacing: float) -> float:
    """Letter spacing for Latin capitals only: spaced glyphs would tear apart the shaped
    clusters (conjuncts, vowel signs) of Bengali and other complex scripts."""
    return spacing if text.isascii() else 0


def _paint_recipient(pdf: Canvas, text: PdfText, data: CertificateData, accent: Color) -> None:
    center = PAGE_W / 2
    text.centred(center, 404, data.words.presented_to, 12, MUTED)
    size = text.fitting_size(data.recipient_name, 34, 20, 620, bold=True)
    text.centred(center, 362, data.recipient_name, size, INK, bold=True, max_width=620)
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(1.2)
    pdf.line(center - 200, 348, center + 200, 348)
    if data.roster:
        roster = data.words.roster + "  ·  ".join(data.roster)
        text.centred(center, 330, roster, 11, MUTED, max_width=600)


def _paint_award(text: PdfText, data: CertificateData, accent: Color) -> None:
    center = PAGE_W / 2
    label = (data.words.placement or data.placement.label).upper()
    text.centred(center, 288, label, 28, accent, bold=True, spacing=_spaced(label, 3))
    text.centred(center, 262, data.words.citation or _CITATIONS[data.placement], 12, MUTED)
    size = text.fitting_size(data.tournament_name, 20, 13, 600, bold=True)
    text.centred(center, 238, data.tournament_name, size, INK, bold=True, max_width=600)
    detail = "  ·  ".join(p for p in (data.game, _date_text(data)) if p)
    text.centred(center, 218, detail, 11, MUTED)


def _long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _date_text(data: CertificateData) -> str:
    return data.words.long_date or _long_date(data.issued_on)


def _paint_signatures(pdf: Canvas, text: PdfText, data: CertificateData) -> None:
    blocks = (
        (80, data.organizer_name or "DeltaCrown", data.words.organizer),
        (290, _date_text(data), data.words.date),
    )
    pdf.setStrokeColor(INK)
    pdf.setLineWidth(0.6)
    for x, value, label in blocks:
        text.centred(x + 90, 92, value, 13, INK, max_width=180)
        pdf.line(x, 84, x + 180, 84)
        text.centred(x + 90, 70, label.upper(), 8, MUTED, bold=True, spacing=_spaced(label, 2))


def _paint_sponsors(
    pdf: Canvas,
    text: PdfText,
    logos: tuple[bytes, ...],
    heading: str = "WITH THANKS TO OUR SPONSORS",
) -> None:
    if not logos:
        return
    box_w, box_h, gap = 92.0, 40.0, 16.0
    shown = logos[:5]
    total = len(shown) * box_w + (len(shown) - 1) * gap
    x = PAGE_W / 2 - total / 2
    text.centred(PAGE_W / 2, 188, heading, 7.5, MUTED, bold=True, spacing=_spaced(heading, 2))
    for logo in shown:
        image = ImageReader(io.BytesIO(logo))
        width, height = image.getSize()
        ratio = min(box_w / width, box_h / height)
        w, h = width * ratio, height * ratio
        pdf.drawImage(image, x + (box_w - w) / 2, 138 + (box_h - h) / 2, w, h, mask="auto")
        x += box_w + gap


def _paint_qr(pdf: Canvas, text: PdfText, data: CertificateData) -> None:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data.verification_url)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = 88.0
    module = size / len(matrix)
    left, top = PAGE_W - 80 - size, 80 + size
    pdf.setFillColor(INK)
    for row, cells in enumerate(matrix):
        col = 0
        # Merge horizontal runs of dark modules: fewer, seamless rectangles.
        while col < len(cells):
            if not cells[col]:
                col += 1
                continue
            start = col
            while col < len(cells) and cells[col]:
                col += 1
            y = top - (row + 1) * module
            pdf.rect(left + start * module, y, (col - start) * module, module, stroke=0, fill=1)
    center = left + size / 2
    text.centred(center, 68, f"{data.words.verify}{data.verification_code}", 9, INK, bold=True)
    text.centred(center, 57, data.verification_url, 6.5, MUTED, max_width=200)
