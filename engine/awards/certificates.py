"""Certificates: who gets one when a tournament completes, issuing them (PDF + record),
DM deliveries, verification by code, revocation and the organizer's choices.

Issuing is idempotent: a certificate is keyed by (tournament, registration, kind,
recipient), keeps its verification code for life, and is re-rendered only when what it
prints changed. Rendering runs in a worker thread, outside any transaction.

The views and codes live in :mod:`engine.awards.certificate_views`; the organizer's
choices (participants, MVP, regeneration, revocation) in
:mod:`engine.awards.certificate_admin`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from engine.awards import certificate_admin
from engine.awards.certificate_branding import certificate_brand
from engine.awards.certificate_views import (
    CertificateFile,
    CertificateSettingsView,
    CertificateView,
    IssuedCertificate,
    PlannedCertificate,
    VerificationStatus,
    VerificationView,
    certificate_data,
    certificate_view,
    content_matches,
    load_tournament,
    new_code,
    normalize_code,
    placement_label,
    require_finished,
    require_organizer_of,
)
from engine.awards.certificate_words import certificate_words
from engine.awards.deliveries import CertificateDeliveries
from engine.awards.events import CertificateIssued
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.sql import insert_ignoring_conflicts
from engine.kernel.text import msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.render import (
    CERTIFICATE_DESIGNS,
    DEFAULT_CERTIFICATE_DESIGN,
    CertificateBrand,
    CertificateData,
    Placement,
    certificate_content_hash,
    render_certificate,
)
from engine.sponsors import tier_rank, tournament_sponsor_logos
from storage.models import (
    BracketState,
    Certificate,
    CertificateDelivery,
    CertificateSettings,
    Game,
    GuildSettings,
    Placing,
    Registration,
    RegistrationMember,
    StoredFile,
)

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8080"
PLACE_KINDS = {1: Placement.CHAMPION, 2: Placement.RUNNER_UP, 3: Placement.THIRD_PLACE}


@dataclass(frozen=True)
class _Context:
    """What every certificate of one tournament shares."""

    guild_id: int
    tournament_name: str
    game_name: str
    issued_on: date
    language: str
    design: str = DEFAULT_CERTIFICATE_DESIGN
    brand: CertificateBrand = dataclasses.field(default_factory=CertificateBrand)
    # The tournament's sponsors' logos, by tier then order (not part of the content hash).
    sponsor_logos: tuple[bytes, ...] = ()
    sponsor_tiers: tuple[int, ...] = ()


class CertificateService(CertificateDeliveries):
    def __init__(self, ctx: ServiceContext, public_url: str = DEFAULT_PUBLIC_URL) -> None:
        super().__init__(ctx)
        self._public_url = public_url.rstrip("/")

    def verification_url(self, code: str) -> str:
        return f"{self._public_url}/verify/{code}"

    # -- planning ----------------------------------------------------------------------

    async def planned(self, tournament_id: int) -> list[PlannedCertificate]:
        """Every certificate the finished tournament should have, podium first."""
        async with self._ctx.read() as session:
            tournament = await load_tournament(session, tournament_id)
            require_finished(tournament)
            settings = await session.get(CertificateSettings, tournament_id)
            rows = (
                await session.execute(
                    select(Placing.place, Registration)
                    .join(Registration, Registration.id == Placing.registration_id)
                    .where(Placing.tournament_id == tournament_id)
                    .order_by(Placing.place, Registration.id)
                )
            ).all()
            members = await self._members(session, tournament_id)
        plan: list[PlannedCertificate] = []
        for place, registration in rows:
            kind = PLACE_KINDS.get(place)
            if kind is None and not (settings and settings.participants):
                continue
            roster = members.get(registration.id, ())
            is_team = registration.team_id is not None
            plan.append(
                PlannedCertificate(
                    tournament_id=tournament_id,
                    registration_id=registration.id,
                    user_id=registration.user_id,
                    kind=kind or Placement.PARTICIPANT,
                    place=place,
                    recipient_name=registration.display_name,
                    roster=roster if is_team else (),
                    recipients=tuple(uid for uid, _ in roster) or (registration.user_id,),
                )
            )
        if settings and settings.mvp_user_id and settings.mvp_registration_id:
            plan.append(
                PlannedCertificate(
                    tournament_id=tournament_id,
                    registration_id=settings.mvp_registration_id,
                    user_id=settings.mvp_user_id,
                    kind=Placement.MVP,
                    place=None,
                    recipient_name=settings.mvp_name or "MVP",
                    roster=(),
                    recipients=(settings.mvp_user_id,),
                )
            )
        return plan

    @staticmethod
    async def _members(
        session: AsyncSession, tournament_id: int
    ) -> dict[int, tuple[tuple[int, str], ...]]:
        rows = await session.scalars(
            select(RegistrationMember)
            .where(RegistrationMember.tournament_id == tournament_id)
            .order_by(RegistrationMember.id)
        )
        members: dict[int, list[tuple[int, str]]] = {}
        for row in rows:
            members.setdefault(row.registration_id, []).append(
                (row.user_id, row.ingame_id or f"Player {row.user_id}")
            )
        return {k: tuple(v) for k, v in members.items()}

    async def _shared(self, tournament_id: int) -> _Context:
        async with self._ctx.read() as session:
            tournament = await load_tournament(session, tournament_id)
            game = await session.scalar(select(Game.name).where(Game.id == tournament.game_id))
            server = (
                await session.execute(
                    select(GuildSettings.timezone, GuildSettings.language).where(
                        GuildSettings.guild_id == tournament.guild_id
                    )
                )
            ).first()
            zone, language = server if server is not None else (None, "en")
            ended = await session.scalar(
                select(BracketState.completed_at).where(BracketState.tournament_id == tournament_id)
            )
            brand = await certificate_brand(self._ctx, session, tournament.guild_id)
            sponsors = await tournament_sponsor_logos(session, self._ctx.files, tournament_id)
        moment = ended or tournament.updated_at
        return _Context(
            guild_id=tournament.guild_id,
            tournament_name=tournament.name,
            game_name=game or "",
            issued_on=moment.astimezone(ZoneInfo(zone or "UTC")).date(),
            language=language,
            design=tournament.certificate_design,
            brand=brand,
            sponsor_logos=tuple(s.logo for s in sponsors if s.logo is not None),
            sponsor_tiers=tuple(tier_rank(s.tier) for s in sponsors if s.logo is not None),
        )

    # -- issuing -----------------------------------------------------------------------

    async def generate_all(
        self,
        tournament_id: int,
        *,
        organizer_name: str,
        member_names: Mapping[int, str] | None = None,
    ) -> list[IssuedCertificate]:
        """Issue (or bring up to date) every planned certificate; no DMs."""
        return [
            await self.issue(item, organizer_name=organizer_name, member_names=member_names)
            for item in await self.planned(tournament_id)
        ]

    async def issue(
        self,
        item: PlannedCertificate,
        *,
        organizer_name: str,
        member_names: Mapping[int, str] | None = None,
    ) -> IssuedCertificate:
        """Issue one planned certificate, or re-render it when what it prints changed.

        The code of an existing certificate never changes; a revoked one stays revoked.
        """
        shared = await self._shared(item.tournament_id)
        names = member_names or {}
        roster = tuple(names.get(uid) or fallback for uid, fallback in item.roster)
        recipient = item.recipient_name
        if item.kind is Placement.MVP:
            recipient = names.get(item.user_id) or recipient
        for _attempt in range(3):
            existing = await self._existing(item)
            if existing is not None and existing.revoked_at is not None:
                return IssuedCertificate(existing, created=False, changed=False)
            code = existing.code if existing else new_code(self._ctx.random)
            issued_on = existing.issued_on if existing else shared.issued_on
            data = CertificateData(
                tournament_name=shared.tournament_name,
                game=shared.game_name,
                placement=item.kind,
                recipient_name=recipient,
                issued_on=issued_on,
                organizer_name=organizer_name.strip() or "DeltaCrown",
                verification_url=self.verification_url(code),
                verification_code=code,
                roster=roster,
                words=certificate_words(shared.language, item.kind, issued_on),
                design=shared.design,
                brand=shared.brand,
                sponsor_logos=shared.sponsor_logos,
                sponsor_tiers=shared.sponsor_tiers,
            )
            digest = certificate_content_hash(data)
            if existing is not None and await self._up_to_date(existing, digest):
                await self._ensure_deliveries(existing.id, item.recipients)
                return IssuedCertificate(existing, created=False, changed=False)
            pdf = await self._ctx.render.run(render_certificate, data)
            sha256 = await asyncio.to_thread(self._ctx.files.put, pdf)
            try:
                stored = await self._store(item, shared, data, digest, sha256, len(pdf), existing)
            except IntegrityError:
                continue  # another run issued it first: read theirs and go again
            if stored is not None:
                return stored
        raise Conflict(msg("The certificate changed while it was being issued. Try again."))

    async def _existing(self, item: PlannedCertificate) -> CertificateView | None:
        async with self._ctx.read() as session:
            row = await session.scalar(self._key_query(item))
            return certificate_view(row, self.verification_url(row.code)) if row else None

    @staticmethod
    def _key_query(item: PlannedCertificate) -> Select[Certificate]:
        return select(Certificate).where(
            Certificate.tournament_id == item.tournament_id,
            Certificate.registration_id == item.registration_id,
            Certificate.kind == item.kind.value,
            Certificate.user_id == item.user_id,
        )

    async def _up_to_date(self, existing: CertificateView, digest: str) -> bool:
        if existing.content_hash != digest or existing.file_sha256 is None:
            return False
        return await asyncio.to_thread(self._ctx.files.exists, existing.file_sha256)

    async def _store(
        self,
        item: PlannedCertificate,
        shared: _Context,
        data: CertificateData,
        digest: str,
        sha256: str,
        size: int,
        existing: CertificateView | None,
    ) -> IssuedCertificate | None:
        """Write the rendered certificate; None when the row moved under us (retry)."""
        async with self._ctx.unit_of_work() as uow:
            row = await uow.session.scalar(self._key_query(item).with_for_update())
            if (row is None) != (existing is None) or (row and row.code != data.verification_code):
                return None
            await self._store_file(uow, shared.guild_id, sha256, size, data)
            now = uow.clock.now()
            fields = {
                "tournament_name": data.tournament_name,
                "game_name": data.game,
                "recipient_name": data.recipient_name,
                "roster": list(data.roster),
                "organizer_name": data.organizer_name,
                "issued_on": data.issued_on,
                "content_hash": digest,
                "file_sha256": sha256,
                "place": item.place,
                "updated_at": now,
            }
            created = row is None
            if row is None:
                row = Certificate(
                    guild_id=shared.guild_id,
                    tournament_id=item.tournament_id,
                    registration_id=item.registration_id,
                    user_id=item.user_id,
                    kind=item.kind.value,
                    code=data.verification_code,
                    issued_at=now,
                    **fields,
                )
                uow.session.add(row)
                await uow.session.flush()
            else:
                for key, value in fields.items():
                    setattr(row, key, value)
            await self._add_deliveries(uow, row.id, item.recipients)
            view = certificate_view(row, data.verification_url)
            self._record_issue(uow, view, item, created, existing)
        return IssuedCertificate(view, created=created, changed=not created)

    @staticmethod
    def _record_issue(
        uow: UnitOfWork,
        view: CertificateView,
        item: PlannedCertificate,
        created: bool,
        existing: CertificateView | None,
    ) -> None:
        uow.audit(
            guild_id=view.guild_id,
            actor_id=None,
            action="certificate.issue" if created else "certificate.regenerate",
            target_type="certificate",
            target_id=view.id,
            before=None if existing is None else {"content_hash": existing.content_hash},
            after={
                "code": view.code,
                "kind": view.kind,
                "recipient": view.recipient_name,
                "content_hash": view.content_hash,
            },
        )
        if created:
            uow.emit(
                CertificateIssued(
                    guild_id=view.guild_id,
                    certificate_id=view.id,
                    tournament_id=view.tournament_id,
                    registration_id=view.registration_id,
                    kind=view.kind,
                    code=view.code,
                    recipient_name=view.recipient_name,
                    user_ids=list(item.recipients),
                )
            )

    @staticmethod
    async def _store_file(
        uow: UnitOfWork, guild_id: int, sha256: str, size: int, data: CertificateData
    ) -> None:
        stmt = (
            insert_ignoring_conflicts(uow.session, StoredFile)
            .values(
                sha256=sha256,
                guild_id=guild_id,
                content_type="application/pdf",
                size=size,
                original_name=f"certificate-{data.verification_code}.pdf",
                uploaded_by=None,
                created_at=uow.clock.now(),
            )
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
        await uow.session.execute(stmt)

    async def certificate_file(self, certificate_id: int) -> CertificateFile:
        async with self._ctx.read() as session:
            row = await session.get(Certificate, certificate_id)
            if row is None:
                raise NotFound(msg("That certificate does not exist."))
            view = certificate_view(row, self.verification_url(row.code))
            language = await session.scalar(
                select(GuildSettings.language).where(GuildSettings.guild_id == row.guild_id)
            )
        return CertificateFile(view, await self._bytes(view, language or "en"))

    async def _bytes(self, view: CertificateView, language: str = "en") -> bytes:
        sha256 = view.file_sha256
        if sha256 is not None and await asyncio.to_thread(self._ctx.files.exists, sha256):
            return await asyncio.to_thread(self._ctx.files.read, sha256)
        # The file store was wiped or moved: the same fields render the same bytes, in
        # the tournament's design and the server's branding as they are now.
        shared = await self._shared(view.tournament_id)
        data = certificate_data(view)
        words = certificate_words(language, data.placement, data.issued_on)
        return await self._ctx.render.run(
            render_certificate,
            dataclasses.replace(data, words=words, design=shared.design, brand=shared.brand),
        )

    # -- players -----------------------------------------------------------------------

    async def mine(self, user_id: int, tournament_id: int) -> list[CertificateFile]:
        """The user's own certificates of a tournament (PDF bytes included)."""
        async with self._ctx.read() as session:
            tournament = await load_tournament(session, tournament_id)
            require_finished(tournament)
            rows = list(
                await session.scalars(
                    select(Certificate)
                    .join(CertificateDelivery, CertificateDelivery.certificate_id == Certificate.id)
                    .where(
                        Certificate.tournament_id == tournament_id,
                        CertificateDelivery.user_id == user_id,
                        Certificate.revoked_at.is_(None),
                    )
                    .order_by(Certificate.id)
                )
            )
            views = [certificate_view(r, self.verification_url(r.code)) for r in rows]
        if not views:
            raise NotFound(
                msg(
                    "You have no certificate for {name}. Certificates go to the top "
                    "three, the MVP and, when the organizers turn it on, every "
                    "participant.",
                    name=tournament.name,
                )
            )
        return [CertificateFile(v, await self._bytes(v)) for v in views]

    async def verify(self, code: str) -> VerificationView | None:
        """Look a code up and check the record against the hash taken when it was issued."""
        normalized = normalize_code(code)
        if normalized is None:
            return None
        async with self._ctx.read() as session:
            row = await session.scalar(select(Certificate).where(Certificate.code == normalized))
            if row is None:
                return None
            view = certificate_view(row, self.verification_url(row.code))
        if not content_matches(view):
            status = VerificationStatus.ALTERED
        elif view.revoked_at is not None:
            status = VerificationStatus.REVOKED
        else:
            status = VerificationStatus.VALID
        return VerificationView(
            code=view.code,
            status=status,
            kind=view.kind,
            placement=placement_label(view.kind),
            recipient_name=view.recipient_name,
            roster=view.roster,
            tournament_id=view.tournament_id,
            tournament_name=view.tournament_name,
            game_name=view.game_name,
            organizer_name=view.organizer_name,
            issued_on=view.issued_on,
            guild_id=view.guild_id,
            revoked_at=view.revoked_at,
            revoke_reason=view.revoke_reason,
        )

    # -- organizers (engine.awards.certificate_admin) --------------------------------

    async def preview(
        self,
        actor: Actor,
        tournament_id: int,
        design: str | None = None,
        *,
        organizer_name: str,
    ) -> bytes:
        """A sample champion certificate of the tournament in its design (or ``design``)
        and the server's branding, as its organizers will see theirs. Nothing is issued:
        its code is a sample that verifies nothing."""
        if design is not None and design not in CERTIFICATE_DESIGNS:
            raise InvalidInput(
                msg(
                    "“{design}” is not a certificate design; pick one of: {designs}.",
                    design=design[:40],
                    designs=", ".join(CERTIFICATE_DESIGNS),
                )
            )
        async with self._ctx.read() as session:
            tournament = await load_tournament(session, tournament_id)
            if actor.guild_id is not None and tournament.guild_id != actor.guild_id:
                raise NotFound(msg("That tournament does not exist. Pick one from the list."))
            await require_organizer_of(session, actor, tournament_id)
        shared = await self._shared(tournament_id)
        code = "0000-0000-0000"
        data = CertificateData(
            tournament_name=shared.tournament_name,
            game=shared.game_name,
            placement=Placement.CHAMPION,
            recipient_name=actor.display_name or "DeltaCrown",
            issued_on=shared.issued_on,
            organizer_name=organizer_name.strip() or "DeltaCrown",
            verification_url=self.verification_url(code),
            verification_code=code,
            words=certificate_words(shared.language, Placement.CHAMPION, shared.issued_on),
            design=design or shared.design,
            brand=shared.brand,
        )
        return await self._ctx.render.run(render_certificate, data)

    async def settings(self, tournament_id: int) -> CertificateSettingsView:
        return await certificate_admin.settings(self._ctx, tournament_id)

    async def set_participants(
        self, actor: Actor, tournament_id: int, enabled: bool, *, organizer_name: str
    ) -> CertificateSettingsView:
        """Turn participation certificates on or off for a tournament."""
        return await certificate_admin.set_participants(
            self._ctx, actor, tournament_id, enabled, organizer_name=organizer_name
        )

    async def set_mvp(
        self, actor: Actor, tournament_id: int, user_id: int, name: str, *, organizer_name: str
    ) -> CertificateSettingsView:
        """Name the tournament's MVP (one of its players); a previous MVP's certificate is
        revoked. Once the tournament is over the MVP certificate is issued right away."""
        return await certificate_admin.set_mvp(
            self._ctx, actor, tournament_id, user_id, name, organizer_name=organizer_name
        )

    async def request_generation(
        self, actor: Actor, tournament_id: int, *, organizer_name: str
    ) -> int:
        """Ask for the certificates of a finished tournament to be regenerated and the
        missing DMs sent; returns how many certificates the tournament has."""
        plan = await self.planned(tournament_id)
        await certificate_admin.request_generation(
            self._ctx, actor, tournament_id, len(plan), organizer_name=organizer_name
        )
        return len(plan)

    async def revoke(self, actor: Actor, code: str, reason: str) -> VerificationView:
        """Revoke a certificate: verification then says so, with the reason."""
        stored_code = await certificate_admin.revoke(self._ctx, actor, code, reason)
        view = await self.verify(stored_code)
        assert view is not None  # just written
        return view
