"""A tournament's certificate design and its server's branding, through the services:
issued certificates wear them, keep verifying when they change, and bad branding is
refused without changing anything."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from engine.awards import CertificateService, VerificationStatus
from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock
from engine.kernel.errors import InvalidInput, PermissionDenied
from engine.render import CERTIFICATE_DESIGNS
from engine.services import Services
from storage.db import Database
from tests.engine.services.test_certificates import URL, decode_qr, finished_event, pdf_text


@pytest.fixture
def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    """Services whose logos and certificates share one file store, as in production."""
    return Services(db, clock, data_dir=tmp_path / "data", public_url=URL)


@pytest.fixture
def certificates(services: Services) -> CertificateService:
    return services.certificates


def logo_png() -> bytes:
    image = Image.new("RGB", (320, 200), "#FFFFFF")
    ImageDraw.Draw(image).ellipse((20, 20, 180, 180), fill="#D35400")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def images_on(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages[0].images)


async def test_issued_certificates_wear_the_design_and_branding_and_verify(
    services: Services,
    certificates: CertificateService,
    new_id,
    tmp_path: Path,
) -> None:
    event = await finished_event(services, new_id, players=4)
    await services.certificate_branding.set_branding(
        event.organizer,
        event.guild_id,
        logo=logo_png(),
        logo_name="logo.png",
        accent="1b3a6b",
        signer_name="  Nusrat   Jahan ",
        signer_title="Tournament Director",
    )
    branding = await services.certificate_branding.branding(event.guild_id)
    assert (branding.accent, branding.signer_name, branding.has_logo) == (
        "#1B3A6B",
        "Nusrat Jahan",
        True,
    )
    await services.tournaments.edit(
        event.organizer, event.tournament_id, "certificate_design", "Modern"
    )
    issued = await certificates.generate_all(event.tournament_id, organizer_name="Dhaka Esports")
    champion = next(i.certificate for i in issued if i.certificate.kind == "champion")
    file = await certificates.certificate_file(champion.id)
    text = pdf_text(file.data)
    assert "Nusrat Jahan" in text and "TOURNAMENT DIRECTOR" in text and "Dhaka Esports" in text
    assert images_on(file.data) == 1  # the server's logo
    assert decode_qr(file.data, tmp_path) == [f"{URL}/verify/{champion.code}"]

    # A new design or new branding changes no issued certificate's record or validity.
    await services.tournaments.edit(
        event.organizer, event.tournament_id, "certificate_design", "minimal"
    )
    await services.certificate_branding.set_branding(
        event.organizer, event.guild_id, remove_logo=True, accent="none", signer_name=""
    )
    again = await certificates.generate_all(event.tournament_id, organizer_name="Dhaka Esports")
    assert {(i.certificate.code, i.certificate.content_hash) for i in again} == {
        (i.certificate.code, i.certificate.content_hash) for i in issued
    }
    verified = await certificates.verify(champion.code)
    assert verified is not None and verified.status is VerificationStatus.VALID
    cleared = await services.certificate_branding.branding(event.guild_id)
    assert (cleared.has_logo, cleared.accent, cleared.signer_name) == (False, None, None)
    assert cleared.signer_title == "Tournament Director"  # not given: kept


async def test_organizers_preview_every_design_and_its_qr_code_reads(
    services: Services,
    certificates: CertificateService,
    new_id,
    tmp_path: Path,
) -> None:
    event = await finished_event(services, new_id, players=4)
    await services.certificate_branding.set_branding(
        event.organizer, event.guild_id, logo=logo_png(), accent="#F5E663"
    )
    for design in CERTIFICATE_DESIGNS:
        pdf = await certificates.preview(
            event.organizer, event.tournament_id, design, organizer_name="Dhaka Esports"
        )
        folder = tmp_path / design
        folder.mkdir()
        assert decode_qr(pdf, folder) == [f"{URL}/verify/0000-0000-0000"]
        assert images_on(pdf) == 1
    player = Actor(user_id=event.users[0], guild_id=event.guild_id)
    with pytest.raises(PermissionDenied):
        await certificates.preview(player, event.tournament_id, organizer_name="x")
    with pytest.raises(InvalidInput):
        await certificates.preview(
            event.organizer, event.tournament_id, "gothic", organizer_name="x"
        )


async def test_bad_branding_is_refused_and_changes_nothing(services: Services, new_id) -> None:
    event = await finished_event(services, new_id, players=4)
    branding = services.certificate_branding
    await branding.set_branding(event.organizer, event.guild_id, accent="#112233")
    before = await branding.branding(event.guild_id)
    player = Actor(user_id=event.users[0], guild_id=event.guild_id)
    refusals = [
        (InvalidInput, event.organizer, {"accent": "blue"}),
        (InvalidInput, event.organizer, {"accent": "#12345"}),
        (InvalidInput, event.organizer, {"signer_name": "x" * 65}),
        (InvalidInput, event.organizer, {"logo": b"GIF89a not an image", "logo_name": "a.gif"}),
        (PermissionDenied, player, {"accent": "#000000"}),
        (PermissionDenied, player, {"logo": logo_png()}),
    ]
    for error, actor, changes in refusals:
        with pytest.raises(error):
            await branding.set_branding(actor, event.guild_id, **changes)  # type: ignore[arg-type]
        assert await branding.branding(event.guild_id) == before
    with pytest.raises(InvalidInput):
        await services.tournaments.edit(
            event.organizer, event.tournament_id, "certificate_design", "gothic"
        )
    assert (await services.tournaments.get(event.tournament_id)).certificate_design == "classic"
