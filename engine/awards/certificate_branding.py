"""A server's certificate branding (logo, accent colour, signer) and what a clone copies
of a tournament's certificate settings.

Branding is presentation: it never enters a certificate's content hash, so changing it
leaves every issued certificate verifying as before; certificates issued (or
regenerated after a change of their printed fields) from then on wear it.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from engine.guilds import require_guild_organizer
from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput
from engine.kernel.text import msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.render import CertificateBrand
from engine.tournaments import TournamentCloning
from storage.models import CertificateBranding, CertificateSettings

_ACCENT = re.compile(r"#?([0-9A-Fa-f]{6})")
MAX_SIGNER = 64


@dataclass(frozen=True)
class CertificateBrandingView:
    guild_id: int
    logo_sha256: str | None
    accent: str | None
    signer_name: str | None
    signer_title: str | None

    @property
    def has_logo(self) -> bool:
        return self.logo_sha256 is not None


def parse_accent(text: str) -> str:
    """ "#1b3a6b" or "1B3A6B" → "#1B3A6B"; anything else is refused."""
    match = _ACCENT.fullmatch(text.strip())
    if match is None:
        raise InvalidInput(
            msg(
                "“{text}” is not a colour; write it as #RRGGBB, such as #1B3A6B.",
                text=text.strip()[:20],
            )
        )
    return "#" + match.group(1).upper()


def _signer_text(value: str, what: str) -> str | None:
    cleaned = " ".join(value.split())
    if len(cleaned) > MAX_SIGNER:
        raise InvalidInput(
            msg(
                "The signer's {what} can be at most {most} characters long.",
                what=what,
                most=MAX_SIGNER,
            )
        )
    return cleaned or None


def _view(guild_id: int, row: CertificateBranding | None) -> CertificateBrandingView:
    if row is None:
        return CertificateBrandingView(guild_id, None, None, None, None)
    return CertificateBrandingView(
        guild_id, row.logo_sha256, row.accent, row.signer_name, row.signer_title
    )


class CertificateBrandingService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def branding(self, guild_id: int) -> CertificateBrandingView:
        async with self._ctx.read() as session:
            return _view(guild_id, await session.get(CertificateBranding, guild_id))

    async def set_branding(
        self,
        actor: Actor,
        guild_id: int,
        *,
        logo: bytes | None = None,
        logo_name: str | None = None,
        remove_logo: bool = False,
        accent: str | None = None,
        signer_name: str | None = None,
        signer_title: str | None = None,
    ) -> CertificateBrandingView:
        """Change what is given; an empty signer name or title clears it, ``accent``
        "none" goes back to the placement colours."""
        colour = None
        if accent is not None and accent.strip().lower() not in ("none", "clear", ""):
            colour = parse_accent(accent)
        name = _signer_text(signer_name, "name") if signer_name is not None else None
        title = _signer_text(signer_title, "title") if signer_title is not None else None
        async with self._ctx.read() as session:
            await require_guild_organizer(session, actor, guild_id)
        checked = None
        if logo is not None:
            checked = await self._ctx.uploads.check_image(logo, what="logo", name=logo_name)
        async with self._ctx.unit_of_work() as uow:
            await require_guild_organizer(uow.session, actor, guild_id)
            row = await uow.session.get(CertificateBranding, guild_id, with_for_update=True)
            before = _view(guild_id, row)
            if row is None:
                row = CertificateBranding(
                    guild_id=guild_id, updated_by=actor.user_id, updated_at=uow.clock.now()
                )
                uow.session.add(row)
            if checked is not None:
                row.logo_sha256 = await self._ctx.uploads.store(
                    uow, checked, guild_id=guild_id, user_id=actor.user_id
                )
            elif remove_logo:
                row.logo_sha256 = None
            if accent is not None:
                row.accent = colour
            if signer_name is not None:
                row.signer_name = name
            if signer_title is not None:
                row.signer_title = title
            row.updated_by = actor.user_id
            row.updated_at = uow.clock.now()
            await uow.session.flush()
            after = _view(guild_id, row)
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="certificate.branding",
                target_type="guild",
                target_id=guild_id,
                before=_audit(before),
                after=_audit(after),
            )
            return after


def _audit(view: CertificateBrandingView) -> dict[str, str | None]:
    return {
        "logo_sha256": view.logo_sha256,
        "accent": view.accent,
        "signer_name": view.signer_name,
        "signer_title": view.signer_title,
    }


async def certificate_brand(
    ctx: ServiceContext, session: AsyncSession, guild_id: int
) -> CertificateBrand:
    """What the renderer needs of a server's branding (the logo's bytes read from the
    file store; a logo gone from the store is left out rather than failing the issue)."""
    row = await session.get(CertificateBranding, guild_id)
    if row is None:
        return CertificateBrand()
    logo: bytes | None = None
    sha256 = row.logo_sha256
    if sha256 is not None and await asyncio.to_thread(ctx.files.exists, sha256):
        logo = await asyncio.to_thread(ctx.files.read, sha256)
    return CertificateBrand(
        logo=logo, accent=row.accent, signer_name=row.signer_name, signer_title=row.signer_title
    )


async def copy_certificate_settings(uow: UnitOfWork, moment: TournamentCloning) -> None:
    """Reaction: a clone issues participation certificates when its source did (the MVP
    is a person of the source's event, so it is not copied)."""
    source = await uow.session.get(CertificateSettings, moment.source_tournament_id)
    if source is None or not source.participants:
        return
    uow.session.add(
        CertificateSettings(
            tournament_id=moment.tournament_id,
            participants=True,
            updated_by=source.updated_by,
            updated_at=uow.clock.now(),
        )
    )
