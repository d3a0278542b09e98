"""Certificates parse as PDFs, say what they should, and their QR code decodes."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from engine.render.certificate import (
    CertificateData,
    Placement,
    certificate_canonical_content,
    certificate_content_hash,
    render_certificate,
)

URL = "https://deltacrown.example/verify/7KQ2-MX9P"


def _logo(color: tuple[int, int, int]) -> bytes:
    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).rounded_rectangle((0, 0, 199, 79), 16, fill=color)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _data(**changes: object) -> CertificateData:
    data = CertificateData(
        tournament_name="Winter Crown 2026",
        game="Valorant",
        placement=Placement.CHAMPION,
        recipient_name="Team Phoenix",
        issued_on=date(2026, 11, 26),
        organizer_name="Dhaka Esports Club",
        verification_url=URL,
        verification_code="7KQ2-MX9P",
        roster=("Shadowstrike", "NovaQueen", "সাকিব আল হাসান"),
        sponsor_logos=(_logo((200, 30, 60)), _logo((30, 90, 200))),
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


@pytest.mark.parametrize("placement", list(Placement))
def test_every_placement_renders_a_landscape_page(placement: Placement):
    pdf = render_certificate(_data(placement=placement))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    text = _text(pdf)
    assert "Team Phoenix" in text
    assert placement.label.upper() in text
    assert "Winter Crown 2026" in text
    assert "7KQ2-MX9P" in text


def test_roster_sponsors_and_non_latin_fonts_are_embedded():
    pdf = render_certificate(_data(recipient_name="সাকিব আল হাসান"))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    resources = page["/Resources"]
    fonts = " ".join(str(f["/BaseFont"]) for f in resources["/Font"].values())
    assert "bengali" in fonts.lower()
    assert "Shadowstrike" in _text(pdf)
    images = [name for name, obj in resources["/XObject"].items() if obj["/Subtype"] == "/Image"]
    assert len(images) == 2


def test_same_data_gives_the_same_bytes():
    assert render_certificate(_data()) == render_certificate(_data())


def test_canonical_content_and_hash():
    content = certificate_canonical_content(_data())
    assert content.startswith(b"{") and b'"recipient":"Team Phoenix"' in content
    assert certificate_content_hash(_data()) == certificate_content_hash(
        _data(sponsor_logos=(), verification_url="https://other.example/v/7KQ2-MX9P")
    )
    assert certificate_content_hash(_data()) != certificate_content_hash(
        _data(recipient_name="Team Phoenlx")
    )
    decomposed = "Zoe\u0308"
    assert certificate_content_hash(_data(recipient_name=decomposed)) == certificate_content_hash(
        _data(recipient_name="Zoë")
    )
    assert len(certificate_content_hash(_data())) == 64


def test_missing_recipient_is_refused():
    with pytest.raises(ValueError, match="recipient_name"):
        _data(recipient_name="  ")


def test_qr_code_decodes_to_the_verification_url(tmp_path: Path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm missing: apt-get install poppler-utils")
    try:
        from pyzbar.pyzbar import decode
    except (ImportError, OSError) as error:  # OSError: libzbar0 not installed
        pytest.skip(f"zbar decoder unavailable ({error}): pip install pyzbar; apt libzbar0")
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(render_certificate(_data()))
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    decoded = [symbol.data.decode() for symbol in decode(Image.open(page))]
    assert decoded == [URL]
