"""Certificates: a one-page landscape A4 PDF per award, with a QR code to verify it, and
the canonical content whose hash the verification page compares against."""

from __future__ import annotations

import hashlib
import io
import json
import re
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
# The looks an organizer may pick per tournament; the first is the default.
CERTIFICATE_DESIGNS = ("classic", "modern", "minimal")
DEFAULT_CERTIFICATE_DESIGN = CERTIFICATE_DESIGNS[0]

INK = HexColor("#1F2A44")
MUTED = HexColor("#6B7280")
PAPER = HexColor("#FBF8F1")
GOLD = HexColor("#B8892B")
SILVER = HexColor("#8A94A3")
BRONZE = HexColor("#A8652F")
TEAL = HexColor("#2F6F73")
PURPLE = HexColor("#6B4FA0")
WHITE = HexColor("#FFFFFF")


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
class CertificateBrand:
    """A server's look: its logo (PNG or JPEG bytes), accent colour ("#RRGGBB") and who
    signs. Presentation only, like the words: not part of the content hash."""

    logo: bytes | None = None
    accent: str | None = None  # None: the placement's own colour
    signer_name: str | None = None  # None: the organizer's name signs
    signer_title: str | None = None  # None: the word "Organizer"


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
    design: str = DEFAULT_CERTIFICATE_DESIGN
    brand: CertificateBrand = CertificateBrand()
    # Each sponsor logo's tier, 0 the highest (same order as ``sponsor_logos``); empty
    # when all are equal. The highest tier present is drawn bigger.
    sponsor_tiers: tuple[int, ...] = ()

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
    paint = _DESIGNS.get(data.design, _paint_classic)
    paint(pdf, PdfText(pdf), data)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# ------------------------------------------------------------------------------ colours
def _hex(value: str | None) -> Color | None:
    if value and re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        return HexColor(value)
    return None


def _luminance(colour: Color) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""

    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else float(((v + 0.055) / 1.055) ** 2.4)

    return (
        0.2126 * linear(colour.red) + 0.7152 * linear(colour.green) + 0.0722 * linear(colour.blue)
    )


def _on(fill: Color) -> Color:
    """The text colour readable on ``fill``: ink on light colours, white on dark ones
    (the two contrasts are equal at a luminance of about 0.23)."""
    return INK if _luminance(fill) > 0.23 else WHITE


def _readable(colour: Color) -> Color:
    """``colour`` darkened until it reads as text on paper (contrast of 3 or more)."""
    while _luminance(colour) > 0.25:
        colour = Color(colour.red * 0.85, colour.green * 0.85, colour.blue * 0.85)
    return colour


def _brand_accent(data: CertificateData) -> Color:
    return _hex(data.brand.accent) or _ACCENTS[data.placement]


def _visible(colour: Color) -> Color:
    """A very light accent darkened enough for thin lines to show on paper."""
    while _luminance(colour) > 0.45:
        colour = Color(colour.red * 0.9, colour.green * 0.9, colour.blue * 0.9)
    return colour


# ------------------------------------------------------------------------------ helpers
def _left(
    text: PdfText,
    x: float,
    y: float,
    value: str,
    size: float,
    colour: Color,
    *,
    bold: bool = False,
    spacing: float = 0,
    max_width: float | None = None,
) -> None:
    plan = text.fit(value, size, bold, max_width)
    width = text.width(plan, size, bold, spacing)
    text.centred(
        x + width / 2, y, value, size, colour, bold=bold, spacing=spacing, max_width=max_width
    )


def _wrapped(
    text: PdfText, value: str, size: float, minimum: float, width: float, *, bold: bool
) -> tuple[float, list[str]]:
    """A size and one or two lines for a long name: shrink a little on one line first,
    then split at the space that balances two lines best (long Bengali names)."""

    def wide(part: str, at: float) -> float:
        return text.width(text.fit(part, at, bold, None), at, bold)

    one_line_floor = max(minimum, size * 0.8)
    at = size
    while at >= one_line_floor:
        if wide(value, at) <= width:
            return at, [value]
        at -= 1
    words = value.split()
    at = size
    while at >= minimum and len(words) > 1:
        best: tuple[float, list[str]] | None = None
        for cut in range(1, len(words)):
            first, second = " ".join(words[:cut]), " ".join(words[cut:])
            a, b = wide(first, at), wide(second, at)
            if max(a, b) <= width and (best is None or abs(a - b) < best[0]):
                best = (abs(a - b), [first, second])
        if best is not None:
            return at, best[1]
        at -= 1
    return minimum, [value]  # drawn with an ellipsis at the width


def _image(pdf: Canvas, data: bytes, x: float, y: float, box_w: float, box_h: float) -> None:
    """Draw an image fitted and centred in a box (x, y: the box's lower left corner)."""
    image = ImageReader(io.BytesIO(data))
    width, height = image.getSize()
    ratio = min(box_w / width, box_h / height)
    w, h = width * ratio, height * ratio
    pdf.drawImage(image, x + (box_w - w) / 2, y + (box_h - h) / 2, w, h, mask="auto")


def _diamond(pdf: Canvas, x: float, y: float, r: float) -> None:
    path = pdf.beginPath()
    path.moveTo(x, y + r)
    path.lineTo(x + r, y)
    path.lineTo(x, y - r)
    path.lineTo(x - r, y)
    path.close()
    pdf.drawPath(path, stroke=0, fill=1)


def _spaced(text: str, spacing: float) -> float:
    """Letter spacing for Latin capitals only: spaced glyphs would tear apart the shaped
    clusters (conjuncts, vowel signs) of Bengali and other complex scripts."""
    return spacing if text.isascii() else 0


def _long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _date_text(data: CertificateData) -> str:
    return data.words.long_date or _long_date(data.issued_on)


def _kind(data: CertificateData) -> str:
    participation = data.placement is Placement.PARTICIPANT
    return data.words.of_participation if participation else data.words.of_achievement


def _label(data: CertificateData) -> str:
    return (data.words.placement or data.placement.label).upper()


def _citation(data: CertificateData) -> str:
    return data.words.citation or _CITATIONS[data.placement]


def _detail(data: CertificateData) -> str:
    return "  ·  ".join(p for p in (data.game, _date_text(data)) if p)


def _tournament_lines(
    text: PdfText,
    data: CertificateData,
    x: float,
    y: float,
    width: float,
    *,
    size: float = 20,
    aligned_left: bool = False,
) -> float:
    """The tournament's name on one or two lines from baseline ``y``; returns the
    baseline below it for the next line (game and date)."""
    return _lines(text, data.tournament_name, x, y, width, size, 12, aligned_left) - 20


def _lines(
    text: PdfText,
    value: str,
    x: float,
    y: float,
    width: float,
    size: float,
    minimum: float,
    aligned_left: bool,
    colour: Color = INK,
) -> float:
    """Bold ``value`` on one or two lines from baseline ``y`` down; returns the last
    line's baseline."""
    at, lines = _wrapped(text, value, size, minimum, width, bold=True)
    for i, line in enumerate(lines):
        if i:
            y -= at * 1.25
        if aligned_left:
            _left(text, x, y, line, at, colour, bold=True, max_width=width)
        else:
            text.centred(x, y, line, at, colour, bold=True, max_width=width)
    return y


def _signature_blocks(
    pdf: Canvas, text: PdfText, data: CertificateData, lefts: tuple[float, float]
) -> None:
    """Who signs (the server's signer, else its name as organizer) and the date."""
    brand = data.brand
    signer = (brand.signer_name or "").strip()
    name = signer or data.organizer_name or "DeltaCrown"
    title = (brand.signer_title or "").strip() or data.words.organizer
    blocks = ((lefts[0], name, title), (lefts[1], _date_text(data), data.words.date))
    pdf.setStrokeColor(INK)
    pdf.setLineWidth(0.6)
    for x, value, label in blocks:
        text.centred(x + 90, 92, value, 13, INK, max_width=180)
        pdf.line(x, 84, x + 180, 84)
        shown = label.upper() if label.isascii() else label
        text.centred(x + 90, 70, shown, 8, MUTED, bold=True, spacing=_spaced(shown, 2))
    if signer and data.organizer_name and data.organizer_name != signer:
        text.centred(lefts[0] + 90, 59, data.organizer_name, 7.5, MUTED, max_width=180)


def _paint_sponsors(
    pdf: Canvas,
    text: PdfText,
    data: CertificateData,
    center: float,
    bottom: float,
    max_width: float,
    *,
    ceiling: float = PAGE_H,
) -> None:
    """The sponsors' logos in one row, highest tier first; when the tiers differ the
    highest present tier is drawn bigger. Everything stays under ``ceiling`` (the
    baseline of the text above), shrinking the logos when the names above run long."""
    logos, tiers = data.sponsor_logos, data.sponsor_tiers
    if not logos:
        return
    ranked = [tiers[i] if i < len(tiers) else 99 for i in range(len(logos))]
    order = sorted(range(len(logos)), key=lambda i: (ranked[i], i))
    tiered = len(set(ranked)) > 1
    gap = 18.0
    # Each logo fitted in its tier's box; the row is laid out by the fitted widths, so
    # the gaps look even whatever the logos' shapes.
    fitted: list[tuple[ImageReader, float, float]] = []
    used = -gap
    for i in order:
        big = ranked[i] == ranked[order[0]]
        box_w, box_h = ((118.0, 52.0) if big else (80.0, 32.0)) if tiered else (92.0, 40.0)
        image = ImageReader(io.BytesIO(logos[i]))
        width, height = image.getSize()
        ratio = min(box_w / width, box_h / height)
        if used + gap + width * ratio > max_width:
            break
        fitted.append((image, width * ratio, height * ratio))
        used += gap + width * ratio
    tallest = max(h for _, _, h in fitted)
    scale = max(0.4, min(1.0, (ceiling - 22 - bottom) / tallest))
    tallest *= scale
    heading = data.words.sponsors
    text.centred(
        center, bottom + tallest + 9, heading, 7.5, MUTED, bold=True, spacing=_spaced(heading, 2)
    )
    x = center - used * scale / 2
    for image, w, h in fitted:
        w, h = w * scale, h * scale
        pdf.drawImage(image, x, bottom + (tallest - h) / 2, w, h, mask="auto")
        x += w + gap * scale


def _paint_qr(
    pdf: Canvas,
    text: PdfText,
    data: CertificateData,
    left: float,
    bottom: float,
    size: float = 88.0,
    text_width: float = 200.0,
) -> None:
    """Dark modules on whatever light ground is under them (the page or a white card)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data.verification_url)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / len(matrix)
    top = bottom + size
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
    verify = f"{data.words.verify}{data.verification_code}"
    text.centred(center, bottom - 12, verify, 9, INK, bold=True, max_width=text_width)
    text.centred(center, bottom - 23, data.verification_url, 6.5, MUTED, max_width=text_width)


# ------------------------------------------------------------------------------ classic
def _paint_classic(pdf: Canvas, text: PdfText, data: CertificateData) -> None:
    """Cream paper, a double frame with diamond corners, everything centred."""
    accent = _visible(_brand_accent(data))
    label_colour = _readable(_ACCENTS[data.placement])
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
    if data.brand.logo:
        _image(pdf, data.brand.logo, 58, 462, 96, 80)
    center = PAGE_W / 2
    words = data.words
    text.centred(center, 528, words.brand, 9, MUTED, bold=True, spacing=_spaced(words.brand, 3))
    text.centred(center, 474, words.title, 40, INK, bold=True, spacing=_spaced(words.title, 6))
    kind = _kind(data)
    text.centred(center, 448, kind, 13, _readable(accent), bold=True, spacing=_spaced(kind, 4))
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(0.8)
    pdf.line(center - 150, 436, center - 12, 436)
    pdf.line(center + 12, 436, center + 150, 436)
    pdf.setFillColor(accent)
    _diamond(pdf, center, 436, 4)

    text.centred(center, 404, words.presented_to, 12, MUTED)
    drop = 362 - _lines(text, data.recipient_name, center, 362, 620, 34, 20, False)
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(1.2)
    pdf.line(center - 200, 348 - drop, center + 200, 348 - drop)
    if data.roster:
        roster = words.roster + "  ·  ".join(data.roster)
        text.centred(center, 330 - drop, roster, 11, MUTED, max_width=600)
    drop = max(0, drop - 8) if not data.roster else drop

    label = _label(data)
    y = 290 - drop
    text.centred(center, y, label, 28, label_colour, bold=True, spacing=_spaced(label, 3))
    text.centred(center, y - 24, _citation(data), 12, MUTED)
    below = _tournament_lines(text, data, center, y - 50, 600, size=20)
    text.centred(center, below, _detail(data), 11, MUTED, max_width=600)

    _signature_blocks(pdf, text, data, (80, 290))
    _paint_sponsors(pdf, text, data, 380, 118, 520, ceiling=below - 14)
    _paint_qr(pdf, text, data, PAGE_W - 80 - 88, 80)


# ------------------------------------------------------------------------------- modern
def _paint_modern(pdf: Canvas, text: PdfText, data: CertificateData) -> None:
    """White paper with a band of the server's colour down the left: its logo and name
    on the band, the verification QR on a white card at its foot; the award is set
    flush left beside it."""
    accent = _brand_accent(data)
    on = _on(accent)
    band = 262.0
    pdf.setFillColor(WHITE)
    pdf.rect(0, 0, PAGE_W, PAGE_H, stroke=0, fill=1)
    pdf.setFillColor(accent)
    pdf.rect(0, 0, band, PAGE_H, stroke=0, fill=1)
    middle = band / 2

    # On the band: the logo on a white card (any logo reads on white), else an emblem.
    pdf.setFillColor(WHITE)
    if data.brand.logo:
        pdf.roundRect(middle - 80, 404, 160, 140, 10, stroke=0, fill=1)
        _image(pdf, data.brand.logo, middle - 66, 418, 132, 112)
    else:
        pdf.setStrokeColor(on)
        pdf.setLineWidth(2)
        pdf.circle(middle, 474, 52, stroke=1, fill=0)
        pdf.setFillColor(on)
        _diamond(pdf, middle, 474, 22)
    name = data.organizer_name or "DeltaCrown"
    at, lines = _wrapped(text, name, 16, 10, band - 44, bold=True)
    y = 376.0
    for line in lines:
        text.centred(middle, y, line, at, on, bold=True, max_width=band - 44)
        y -= at * 1.3
    brand = data.words.brand
    text.centred(middle, y - 6, brand, 7, on, bold=True, spacing=_spaced(brand, 2))

    pdf.setFillColor(WHITE)
    pdf.roundRect(middle - 78, 44, 156, 170, 8, stroke=0, fill=1)
    _paint_qr(pdf, text, data, middle - 52, 92, size=104, text_width=148)

    # Beside the band.
    left = band + 46
    width = PAGE_W - left - 50
    words = data.words
    _left(text, left, 500, words.title, 34, INK, bold=True, spacing=_spaced(words.title, 5))
    kind = _kind(data)
    ink_accent = _readable(accent)
    _left(text, left, 474, kind, 12, ink_accent, bold=True, spacing=_spaced(kind, 3))
    pdf.setFillColor(accent)
    pdf.rect(left, 452, 64, 4, stroke=0, fill=1)

    _left(text, left, 418, words.presented_to, 11, MUTED)
    drop = 380 - _lines(text, data.recipient_name, left, 380, width, 34, 20, True)
    if data.roster:
        roster = words.roster + "  ·  ".join(data.roster)
        _left(text, left, 358 - drop, roster, 10, MUTED, max_width=width)

    label = _label(data)
    label_colour = _readable(_ACCENTS[data.placement])
    y = 318 - drop
    _left(text, left, y, label, 22, label_colour, bold=True, spacing=_spaced(label, 2))
    _left(text, left, y - 22, _citation(data), 11, MUTED)
    below = _tournament_lines(text, data, left, y - 48, width, size=20, aligned_left=True)
    _left(text, left, below, _detail(data), 10, MUTED, max_width=width)

    _paint_sponsors(pdf, text, data, left + width / 2, 128, width, ceiling=below - 14)
    _signature_blocks(pdf, text, data, (left, left + 240))


# ------------------------------------------------------------------------------ minimal
def _paint_minimal(pdf: Canvas, text: PdfText, data: CertificateData) -> None:
    """White paper, a strip of the server's colour along the top, no frame: the
    recipient's name large, everything else quiet."""
    accent = _brand_accent(data)
    pdf.setFillColor(WHITE)
    pdf.rect(0, 0, PAGE_W, PAGE_H, stroke=0, fill=1)
    pdf.setFillColor(accent)
    pdf.rect(0, PAGE_H - 12, PAGE_W, 12, stroke=0, fill=1)
    center = PAGE_W / 2
    words = data.words
    name = data.organizer_name or "DeltaCrown"
    if data.brand.logo:
        _image(pdf, data.brand.logo, center - 70, 490, 140, 56)
        text.centred(center, 474, name, 10, MUTED, max_width=500)
    else:
        text.centred(center, 500, name, 14, INK, bold=True, max_width=500)
    title = words.title
    text.centred(center, 438, title, 13, MUTED, bold=True, spacing=_spaced(title, 6))
    kind = _kind(data)
    text.centred(center, 420, kind, 10, _readable(accent), bold=True, spacing=_spaced(kind, 3))

    drop = 364 - _lines(text, data.recipient_name, center, 364, 680, 42, 22, False)
    pdf.setFillColor(accent)
    pdf.rect(center - 30, 346 - drop, 60, 2.5, stroke=0, fill=1)
    if data.roster:
        roster = words.roster + "  ·  ".join(data.roster)
        text.centred(center, 328 - drop, roster, 10, MUTED, max_width=620)

    label = _label(data)
    label_colour = _readable(_ACCENTS[data.placement])
    y = 292 - drop
    text.centred(center, y, label, 16, label_colour, bold=True, spacing=_spaced(label, 3))
    text.centred(center, y - 20, _citation(data), 11, MUTED)
    below = _tournament_lines(text, data, center, y - 44, 620, size=18)
    text.centred(center, below, _detail(data), 10, MUTED, max_width=620)

    _signature_blocks(pdf, text, data, (80, 290))
    _paint_sponsors(pdf, text, data, 380, 122, 520, ceiling=below - 14)
    _paint_qr(pdf, text, data, PAGE_W - 80 - 76, 84, size=76)


_DESIGNS = {
    "classic": _paint_classic,
    "modern": _paint_modern,
    "minimal": _paint_minimal,
}
