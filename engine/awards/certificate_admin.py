"""The organizer's choices about certificates: participation certificates, the MVP,
regenerating a finished tournament's certificates, and revoking one.

Each runs in one transaction and, once the tournament is over, asks for the certificates
to be (re)issued with a ``CertificateGenerationRequested`` event.
:class:`engine.awards.certificates.CertificateService` exposes them.
"""

from __future__ import annotations

from sqlalchemy import select

from engine.awards.certificate_views import (
    FINISHED,
    CertificateSettingsView,
    load_tournament,
    normalize_code,
    require_finished,
    require_organizer_of,
    settings_row,
)
from engine.awards.events import CertificateGenerationRequested, CertificateRevoked
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.text import msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.render import Placement
from storage.models import (
    Certificate,
    CertificateDelivery,
    CertificateSettings,
    RegistrationMember,
    Tournament,
)

MVP_CHANGED = "The organizers named a different MVP."


async def settings(ctx: ServiceContext, tournament_id: int) -> CertificateSettingsView:
    async with ctx.read() as session:
        row = await session.get(CertificateSettings, tournament_id)
    return CertificateSettingsView(
        tournament_id=tournament_id,
        participants=bool(row and row.participants),
        mvp_user_id=row.mvp_user_id if row else None,
        mvp_name=row.mvp_name if row else None,
        generation_requested=False,
    )


async def set_participants(
    ctx: ServiceContext, actor: Actor, tournament_id: int, enabled: bool, *, organizer_name: str
) -> CertificateSettingsView:
    """Turn participation certificates on or off for a tournament."""
    async with ctx.unit_of_work() as uow:
        tournament = await load_tournament(uow.session, tournament_id, lock=True)
        await require_organizer_of(uow.session, actor, tournament.id)
        row = await settings_row(uow, tournament_id)
        before = bool(row.participants)
        row.participants, row.updated_by, row.updated_at = (
            enabled,
            actor.user_id,
            uow.clock.now(),
        )
        uow.audit(
            guild_id=tournament.guild_id,
            actor_id=actor.user_id,
            action="certificate.settings",
            target_type="tournament",
            target_id=tournament_id,
            before={"participants": before},
            after={"participants": enabled},
        )
        requested = _request_if_finished(uow, tournament, actor, organizer_name)
        return _settings_view(row, requested)


async def set_mvp(
    ctx: ServiceContext,
    actor: Actor,
    tournament_id: int,
    user_id: int,
    name: str,
    *,
    organizer_name: str,
) -> CertificateSettingsView:
    """Name the tournament's MVP (one of its players); a previous MVP's certificate is
    revoked. Once the tournament is over the MVP certificate is issued right away."""
    if not name.strip():
        raise InvalidInput(msg("The MVP needs a name to print on the certificate."))
    async with ctx.unit_of_work() as uow:
        tournament = await load_tournament(uow.session, tournament_id, lock=True)
        await require_organizer_of(uow.session, actor, tournament.id)
        registration_id = await uow.session.scalar(
            select(RegistrationMember.registration_id).where(
                RegistrationMember.tournament_id == tournament_id,
                RegistrationMember.user_id == user_id,
            )
        )
        if registration_id is None:
            raise InvalidInput(
                msg(
                    "{name} did not play in {tournament_name}. Pick one of its players as MVP.",
                    name=name,
                    tournament_name=tournament.name,
                )
            )
        row = await settings_row(uow, tournament_id)
        before = {"mvp_user_id": row.mvp_user_id, "mvp_name": row.mvp_name}
        if row.mvp_user_id not in (None, user_id):
            await _revoke_previous_mvp(uow, tournament, actor)
        await _reinstate_mvp(uow, tournament_id, user_id)
        row.mvp_user_id, row.mvp_registration_id = user_id, registration_id
        row.mvp_name, row.updated_by = name.strip()[:100], actor.user_id
        row.updated_at = uow.clock.now()
        uow.audit(
            guild_id=tournament.guild_id,
            actor_id=actor.user_id,
            action="certificate.mvp",
            target_type="tournament",
            target_id=tournament_id,
            before=before,
            after={"mvp_user_id": user_id, "mvp_name": row.mvp_name},
        )
        requested = _request_if_finished(uow, tournament, actor, organizer_name)
        return _settings_view(row, requested)


async def _revoke_previous_mvp(uow: UnitOfWork, tournament: Tournament, actor: Actor) -> None:
    rows = await uow.session.scalars(
        select(Certificate)
        .where(
            Certificate.tournament_id == tournament.id,
            Certificate.kind == Placement.MVP.value,
            Certificate.revoked_at.is_(None),
        )
        .with_for_update()
    )
    for cert in rows:
        await _revoke_row(uow, cert, actor, MVP_CHANGED)


async def _reinstate_mvp(uow: UnitOfWork, tournament_id: int, user_id: int) -> None:
    """Naming a former MVP again brings back their certificate (and its code)."""
    cert = await uow.session.scalar(
        select(Certificate)
        .where(
            Certificate.tournament_id == tournament_id,
            Certificate.kind == Placement.MVP.value,
            Certificate.user_id == user_id,
            Certificate.revoke_reason == MVP_CHANGED,
        )
        .with_for_update()
    )
    if cert is not None:
        cert.revoked_at = cert.revoked_by = cert.revoke_reason = None
        cert.updated_at = uow.clock.now()


def _settings_view(row: CertificateSettings, requested: bool) -> CertificateSettingsView:
    return CertificateSettingsView(
        tournament_id=row.tournament_id,
        participants=bool(row.participants),
        mvp_user_id=row.mvp_user_id,
        mvp_name=row.mvp_name,
        generation_requested=requested,
    )


def _request_if_finished(
    uow: UnitOfWork, tournament: Tournament, actor: Actor, organizer_name: str
) -> bool:
    if tournament.status not in FINISHED:
        return False  # the completion run will include the new choice
    uow.emit(
        CertificateGenerationRequested(
            guild_id=tournament.guild_id,
            tournament_id=tournament.id,
            organizer_name=organizer_name,
            actor_id=actor.user_id,
        )
    )
    return True


async def request_generation(
    ctx: ServiceContext, actor: Actor, tournament_id: int, planned: int, *, organizer_name: str
) -> None:
    """Ask for the certificates of a finished tournament to be regenerated and the
    missing DMs sent (the notifier runs it with a progress message); ``planned`` is how
    many certificates the tournament should have, for the audit log."""
    async with ctx.unit_of_work() as uow:
        tournament = await load_tournament(uow.session, tournament_id, lock=True)
        await require_organizer_of(uow.session, actor, tournament.id)
        require_finished(tournament)
        uow.audit(
            guild_id=tournament.guild_id,
            actor_id=actor.user_id,
            action="certificate.generate",
            target_type="tournament",
            target_id=tournament_id,
            after={"planned": planned},
        )
        _request_if_finished(uow, tournament, actor, organizer_name)


async def revoke(ctx: ServiceContext, actor: Actor, code: str, reason: str) -> str:
    """Revoke a certificate: verification then says so, with the reason. Returns the
    code in its stored form."""
    reason = reason.strip()
    if len(reason) < 3:
        raise InvalidInput(msg("Give a reason for the revocation; the recipient reads it."))
    normalized = normalize_code(code)
    if normalized is None:
        raise InvalidInput(
            msg("“{code}” is not a certificate code. Codes look like ABCD-EFGH-JKMN.", code=code)
        )
    async with ctx.unit_of_work() as uow:
        cert = await uow.session.scalar(
            select(Certificate).where(Certificate.code == normalized).with_for_update()
        )
        if cert is None or cert.guild_id != actor.guild_id:
            raise NotFound(
                msg(
                    "No certificate of this server has the code {normalized}.",
                    normalized=normalized,
                )
            )
        await require_organizer_of(uow.session, actor, cert.tournament_id)
        if cert.revoked_at is not None:
            raise Conflict(
                msg(
                    "Certificate {normalized} was already revoked: {revoke_reason}",
                    normalized=normalized,
                    revoke_reason=cert.revoke_reason,
                )
            )
        await _revoke_row(uow, cert, actor, reason[:300])
    return normalized


async def _revoke_row(uow: UnitOfWork, cert: Certificate, actor: Actor, reason: str) -> None:
    cert.revoked_at, cert.revoked_by, cert.revoke_reason = (
        uow.clock.now(),
        actor.user_id,
        reason,
    )
    cert.updated_at = uow.clock.now()
    users = list(
        await uow.session.scalars(
            select(CertificateDelivery.user_id).where(CertificateDelivery.certificate_id == cert.id)
        )
    )
    uow.audit(
        guild_id=cert.guild_id,
        actor_id=actor.user_id,
        action="certificate.revoke",
        target_type="certificate",
        target_id=cert.id,
        before={"code": cert.code, "revoked": False},
        after={"code": cert.code, "revoked": True, "reason": reason},
    )
    uow.emit(
        CertificateRevoked(
            guild_id=cert.guild_id,
            certificate_id=cert.id,
            tournament_id=cert.tournament_id,
            code=cert.code,
            recipient_name=cert.recipient_name,
            reason=reason,
            actor_id=actor.user_id,
            user_ids=users,
        )
    )
