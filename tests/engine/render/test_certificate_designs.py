"""The three certificate designs: each renders in Latin and Bengali, with and without a
server logo and in light and dark accents; its QR code decodes to the verification link;
and neither the design nor the branding touches the content hash."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from engine.awards.certificate_words import certificate_words
from engine.render import (
    CERTIFICATE_DESIGNS,
    CertificateBrand,
    CertificateData,
    Placement,
    certificate_content_hash,
    render_certificate,
)
from tests.engine.services.test_certificates import decode_qr

URL = "https://cups.example.org/verify/ABCD-EFGH-JKMN"


def _png(size: tuple[int, int], colour: str) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, size[0] - 4, size[1] - 4), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


LATIN = CertificateData(
    tournament_name="The Grand Inter-University Winter Championship of Mobile Esports",
    game="Valorant",
    placement=Placement.CHAMPION,
    recipient_name="Mohammad Abdullah Al Mamun Chowdhury of the Northern Districts",
    issued_on=date(2026, 12, 6),
    organizer_name="Dhaka Esports League",
    verification_url=URL,
    verification_code="ABCD-EFGH-JKMN",
    roster=("Rafi", "Nadia", "Tanvir"),
)
BENGALI = replace(
    LATIN,
    tournament_name="ঢাকা বিশ্ববিদ্যালয় আন্তঃবিভাগ শীতকালীন ফ্রি ফায়ার চ্যাম্পিয়নশিপ ২০২৬ মহা আসর",
    recipient_name="মোহাম্মদ আবদুল্লাহ আল মামুন চৌধুরী",
    organizer_name="ঢাকা ই-স্পোর্টস লীগ",
    placement=Placement.RUNNER_UP,
    roster=(),
    words=certificate_words("bn", Placement.RUNNER_UP, date(2026, 12, 6)),
)
BRANDS = {
    "dark-logo": CertificateBrand(
        logo=_png((300, 200), "#D35400"),
        accent="#1B3A6B",
        signer_name="Nusrat Jahan",
        signer_title="Tournament Director",
    ),
    "light-plain": CertificateBrand(accent="#F5E663"),
}


@pytest.mark.parametrize("design", CERTIFICATE_DESIGNS)
@pytest.mark.parametrize("base", [LATIN, BENGALI], ids=["latin", "bengali"])
@pytest.mark.parametrize("brand", list(BRANDS), ids=list(BRANDS))
def test_every_design_renders_and_its_qr_code_verifies(
    design: str, base: CertificateData, brand: str, tmp_path: Path
) -> None:
    sponsors = (_png((240, 100), "#C0392B"), _png((200, 200), "#2980B9"))
    data = replace(
        base,
        design=design,
        brand=BRANDS[brand],
        sponsor_logos=sponsors,
        sponsor_tiers=(1, 0),
    )
    pdf = render_certificate(data)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    text = page.extract_text()
    assert "ABCD-EFGH-JKMN" in text
    # The sponsors' logos, and the server's logo when it has one, are on the page.
    assert len(page.images) == len(sponsors) + (1 if BRANDS[brand].logo else 0)
    if BRANDS[brand].signer_title and base is LATIN:
        assert "Nusrat Jahan" in text and "TOURNAMENT DIRECTOR" in text
    assert decode_qr(pdf, tmp_path) == [URL]


def test_the_design_and_branding_never_change_the_content_hash() -> None:
    digest = certificate_content_hash(LATIN)
    for design in CERTIFICATE_DESIGNS:
        for brand in BRANDS.values():
            changed = replace(LATIN, design=design, brand=brand, sponsor_tiers=(0,))
            assert certificate_content_hash(changed) == digest


def test_an_unknown_design_falls_back_to_the_classic_look() -> None:
    # Stored rows are checked on write; a renderer given anything else still draws.
    assert render_certificate(replace(LATIN, design="gothic")) == render_certificate(LATIN)
