"""/certificates branding and /certificates preview through the real client and the fake
Discord: organizers brand their certificates and look at a sample; bad input is refused
privately and changes nothing."""

from __future__ import annotations

import io

from pypdf import PdfReader

from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from testkit.fakediscord import AttachmentInput
from testkit.payment_helpers import png_bytes
from tests.cogs.conftest import Arena
from tests.cogs.test_templates import _cup


async def test_an_organizer_brands_the_certificates_and_previews_them(arena: Arena) -> None:
    services = arena.env.services
    tournament = await _cup(arena)
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await services.guilds.configure(owner, arena.guild.id, GuildSetup(language="en"))

    saved = await arena.ask(
        arena.organizer,
        "certificates branding",
        {
            "logo": AttachmentInput("logo.png", png_bytes((120, 80)), "image/png"),
            "accent": "#1b3a6b",
            "signer_name": "Nusrat @everyone Jahan",
            "signer_title": "Tournament Director",
        },
    )
    assert saved.ephemeral and "Saved the certificate branding." in saved.content, saved.content
    assert "#1B3A6B" in saved.content and "Logo: set" in saved.content
    assert "@everyone" not in saved.content.replace("@\u200beveryone", "")  # never pings
    branding = await services.certificate_branding.branding(arena.guild.id)
    assert branding.has_logo and branding.signer_title == "Tournament Director"

    refused = await arena.ask(arena.organizer, "certificates branding", {"accent": "navy"})
    assert refused.ephemeral and "is not a colour" in refused.content, refused.content
    player = await arena.ask(arena.players[0], "certificates branding", {"accent": "#000000"})
    assert player.ephemeral and "Only organizers" in player.content, player.content
    assert await services.certificate_branding.branding(arena.guild.id) == branding

    # The tournament's own organizers (here its owner) see a sample of its certificate.
    preview = await arena.ask(
        arena.owner, "certificates preview", {"tournament": str(tournament), "design": "modern"}
    )
    assert preview.ephemeral and "sample certificate" in preview.content, preview.content
    [pdf] = preview.attachments
    page = PdfReader(io.BytesIO(pdf.data)).pages[0]
    assert "0000-0000-0000" in page.extract_text() and len(page.images) == 1
