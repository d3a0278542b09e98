"""Certificates: who gets one when a tournament completes, issuing them (PDF + record),
DM deliveries, verification by code, revocation and the organizer's choices.

Issuing is idempotent: a certificate is keyed by (tournament, registration, kind,
recipient), keeps its verification code for life, and is re-rendered only when what it
prints changed. Rendering runs in a worker thread, outside any transaction.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from engine.errors import Conflict, InvalidInput, NotFound
from engine.events.awards import (
    CertificateGenerationRequested,
    CertificateIssued,
    CertificateRevoked,
)
from engine.render import (
    CertificateData,
    Placement,
    certificate_content_hash,
    render_certificate,
)
from engine.services.actors import Actor, require_organizer
from engine.services.context import ServiceContext, UnitOfWork
from engine.services.ledger import insert_ignoring_conflicts
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
    Tournament,
)
from storage.models.enums import TournamentStatus

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8080"
# Crockford's base32: no I, L, O or U, so a code read aloud or retyped survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 12 x 5 bits = 60 bits of randomness
_TYPO_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
# A delivery claimed this long ago without finishing was cut short (a crash): retry it.
STALE_CLAIM = timedelta(minutes=10)
FINISHED = (TournamentStatus.COMPLETED, TournamentStatus.ARCHIVED)
MVP_CHANGED = "The organizers named a different MVP."
PLACE_KINDS = {1: Placement.CHAMPION, 2: Placement.RUNNER_UP, 3: Placement.THIRD_PLACE}


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(text: str) -> str | None:
    """The stored form of a typed code (any case, dashes or spaces, a pasted URL)."""
    tail = text.strip().rstrip("/").rsplit("/", 1)[-1]
    raw = "".join(ch for ch in tail.upper() if ch not in "- ").translate(_TYPO_FIXES)
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


class VerificationStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    ALTERED = "altered"  # the stored fields no longer match the hash taken at issue


@dataclass(frozen=True)
class CertificateView:
    id: int
    guild_id: int
    tournament_id: int
    registration_id: int
    user_id: int
    kind: str
    place: int | None
    code: str
    tournament_name: str
    game_name: str
    recipient_name: str
    roster: tuple[str, ...]
    organizer_name: str
    issued_on: date
    content_hash: str
    file_sha256: str | None
    verification_url: str
    revoked_at: datetime | None
    revoke_reason: str | None

    @property
    def label(self) -> str:
        return Placement(self.kind).label

    @property
    def filename(self) -> str:
        return f"certificate-{self.kind.replace('_', '-')}-{self.code}.pdf"


@dataclass(frozen=True)
class VerificationView:
    """What /verify and the dashboard's /verify/{code} show."""

    code: str
    status: VerificationStatus
    kind: str
    placement: str
    recipient_name: str
    roster: tuple[str, ...]
    tournament_id: int
    tournament_name: str
    game_name: str
    organizer_name: str
    issued_on: date
    guild_id: int
    revoked_at: datetime | None
    revoke_reason: str | None

    @property
    def valid(self) -> bool:
        return self.status is VerificationStatus.VALID


@dataclass(frozen=True)
class PlannedCertificate:
    """A certificate a completed tournament should have, before it is issued."""

    tournament_id: int
    registration_id: int
    user_id: int
    kind: Placement
    place: int | None
    recipient_name: str
    # (user id, fallback name) of each roster member; empty for a solo player or the MVP.
    roster: tuple[tuple[int, str], ...]
    recipients: tuple[int, ...]  # who receives it by DM


@dataclass(frozen=True)
class IssuedCertificate:
    certificate: CertificateView
    created: bool
    changed: bool  # re-rendered because what it prints changed


@dataclass(frozen=True)
class CertificateFile:
    certificate: CertificateView
    data: bytes


@dataclass(frozen=True)
class CertificateSettingsView:
    tournament_id: int
    participants: bool
    mvp_user_id: int | None
    mvp_name: str | None
    generation_requested: bool


@dataclass(frozen=True)
class _Context:
    """What every certificate of one tournament shares."""

    guild_id: int
    tournament_name: str
    game_name: str
    issued_on: date


def _view(row: Certificate, url: str) -> CertificateView:
    return CertificateView(
        id=row.id,
        guild_id=row.guild_id,
        tournament_id=row.tournament_id,
        registration_id=row.registration_id,
        user_id=row.user_id,
        kind=row.kind,
        place=row.place,
        code=row.code,
        tournament_name=row.tournament_name,
        game_name=row.game_name,
        recipient_name=row.recipient_name,
        roster=tuple(row.roster or ()),
        organizer_name=row.organizer_name,
        issued_on=row.issued_on,
        content_hash=row.content_hash,
        file_sha256=row.file_sha256,
        verification_url=url,
        revoked_at=row.revoked_at,
        revoke_reason=row.revoke_reason,
    )


def _data_of(view: CertificateView) -> CertificateData:
    return CertificateData(
        tournament_name=view.tournament_name,
        game=view.game_name,
        placement=Placement(view.kind),
        recipient_name=view.recipient_name,
        issued_on=view.issued_on,
        organizer_name=view.organizer_name,
        verification_url=view.verification_url,
        verification_code=view.code,
        roster=view.roster,
    )


def _content_matches(view: CertificateView) -> bool:
    try:
        return certificate_content_hash(_data_of(view)) == view.content_hash
    except ValueError:  # a field was emptied or the kind is no longer a placement
        return False


def _placement_label(kind: str) -> str:
    try:
        return Placement(kind).label
    except ValueError:  # an altered row may hold anything
        return kind


async def _require_organizer(session: AsyncSession, actor: Actor, guild_id: int) -> None:
    role = await session.scalar(
        select(GuildSettings.organizer_role_id).where(GuildSettings.guild_id == guild_id)
    )
    require_organizer(actor, role)


async def _tournament(
    session: AsyncSession, tournament_id: int, *, lock: bool = False
) -> Tournament:
    query = select(Tournament).where(Tournament.id == tournament_id)
    tournament = await session.scalar(query.with_for_update() if lock else query)
    if tournament is None:
        raise NotFound("That tournament does not exist. Pick one from the list.")
    return tournament


def _require_finished(tournament: Tournament) -> None:
    if tournament.status not in FINISHED:
        raise Conflict(
            f"{tournament.name} has not finished yet. Certificates are issued when its final "
            "is decided."
        )


async def _settings_row(uow: UnitOfWork, tournament_id: int) -> CertificateSettings:
    row = await uow.session.get(CertificateSettings, tournament_id, with_for_update=True)
    if row is None:
        row = CertificateSettings(
            tournament_id=tournament_id, participants=False, updated_at=uow.clock.now()
        )
        uow.session.add(row)
    return row


class CertificateService:
    def __init__(self, ctx: ServiceContext, public_url: str = DEFAULT_PUBLIC_URL) -> None:
        self._ctx = ctx
        self._public_url = public_url.rstrip("/")

    def verification_url(self, code: str) -> str:
        return f"{self._public_url}/verify/{code}"

    # -- planning ----------------------------------------------------------------------

    async def planned(self, tournament_id: int) -> list[PlannedCertificate]:
        """Every certificate the finished tournament should have, podium first."""
        async with self._ctx.read() as session:
            tournament = await _tournament(session, tournament_id)
            _require_finished(tournament)
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
            tournament = await _tournament(session, tournament_id)
            game = await session.scalar(select(Game.name).where(Game.id == tournament.game_id))
            zone = await session.scalar(
                select(GuildSettings.timezone).where(GuildSettings.guild_id == tournament.guild_id)
            )
            ended = await session.scalar(
                select(BracketState.completed_at).where(BracketState.tournament_id == tournament_id)
            )
        moment = ended or tournament.updated_at
        return _Context(
            guild_id=tournament.guild_id,
            tournament_name=tournament.name,
            game_name=game or "",
            issued_on=moment.astimezone(ZoneInfo(zone or "UTC")).date(),
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
            code = existing.code if existing else new_code()
            data = CertificateData(
                tournament_name=shared.tournament_name,
                game=shared.game_name,
                placement=item.kind,
                recipient_name=recipient,
                issued_on=existing.issued_on if existing else shared.issued_on,
                organizer_name=organizer_name.strip() or "DeltaCrown",
                verification_url=self.verification_url(code),
                verification_code=code,
                roster=roster,
            )
            digest = certificate_content_hash(data)
            if existing is not None and await self._up_to_date(existing, digest):
                await self._ensure_deliveries(existing.id, item.recipients)
                return IssuedCertificate(existing, created=False, changed=False)
            pdf = await asyncio.to_thread(render_certificate, data)
            sha256 = await asyncio.to_thread(self._ctx.files.put, pdf)
            try:
                stored = await self._store(item, shared, data, digest, sha256, len(pdf), existing)
            except IntegrityError:
                continue  # another run issued it first: read theirs and go again
            if stored is not None:
                return stored
        raise Conflict("The certificate changed while it was being issued. Try again.")

    async def _existing(self, item: PlannedCertificate) -> CertificateView | None:
        async with self._ctx.read() as session:
            row = await session.scalar(self._key_query(item))
            return _view(row, self.verification_url(row.code)) if row else None

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
            view = _view(row, data.verification_url)
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

    @staticmethod
    async def _add_deliveries(uow: UnitOfWork, certificate_id: int, users: tuple[int, ...]) -> None:
        for user_id in users:
            stmt = (
                insert_ignoring_conflicts(uow.session, CertificateDelivery)
                .values(certificate_id=certificate_id, user_id=user_id)
                .on_conflict_do_nothing(index_elements=["certificate_id", "user_id"])
            )
            await uow.session.execute(stmt)

    async def _ensure_deliveries(self, certificate_id: int, users: tuple[int, ...]) -> None:
        async with self._ctx.read() as session:
            known = set(
                await session.scalars(
                    select(CertificateDelivery.user_id).where(
                        CertificateDelivery.certificate_id == certificate_id
                    )
                )
            )
        if set(users) - known:  # a roster grew since the first run
            async with self._ctx.unit_of_work() as uow:
                await self._add_deliveries(uow, certificate_id, users)

    # -- delivery ----------------------------------------------------------------------

    async def pending_deliveries(self, certificate_id: int) -> list[int]:
        """Who still needs the certificate by DM (never delivered, not being delivered)."""
        stale = self._ctx.clock.now() - STALE_CLAIM
        async with self._ctx.read() as session:
            rows = await session.scalars(
                select(CertificateDelivery.user_id)
                .where(
                    CertificateDelivery.certificate_id == certificate_id,
                    CertificateDelivery.delivered_at.is_(None),
                    or_(
                        CertificateDelivery.claimed_at.is_(None),
                        CertificateDelivery.claimed_at < stale,
                    ),
                )
                .order_by(CertificateDelivery.id)
            )
            return list(rows)

    async def claim_delivery(self, certificate_id: int, user_id: int) -> bool:
        """Take the right to DM this person; False when another run has it or it is done."""
        now = self._ctx.clock.now()
        async with self._ctx.unit_of_work() as uow:
            result = await uow.session.execute(
                update(CertificateDelivery)
                .where(
                    CertificateDelivery.certificate_id == certificate_id,
                    CertificateDelivery.user_id == user_id,
                    CertificateDelivery.delivered_at.is_(None),
                    or_(
                        CertificateDelivery.claimed_at.is_(None),
                        CertificateDelivery.claimed_at < now - STALE_CLAIM,
                    ),
                )
                .values(claimed_at=now)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def finish_delivery(
        self, certificate_id: int, user_id: int, *, delivered: bool, error: str | None = None
    ) -> None:
        """Record the DM; a failed one is released so a later run tries again."""
        now = self._ctx.clock.now()
        async with self._ctx.unit_of_work() as uow:
            await uow.session.execute(
                update(CertificateDelivery)
                .where(
                    CertificateDelivery.certificate_id == certificate_id,
                    CertificateDelivery.user_id == user_id,
                )
                .values(
                    delivered_at=now if delivered else None,
                    claimed_at=now if delivered else None,
                    last_error=None if delivered else (error or "not delivered")[:200],
                )
            )

    async def certificate_file(self, certificate_id: int) -> CertificateFile:
        async with self._ctx.read() as session:
            row = await session.get(Certificate, certificate_id)
            if row is None:
                raise NotFound("That certificate does not exist.")
            view = _view(row, self.verification_url(row.code))
        return CertificateFile(view, await self._bytes(view))

    async def _bytes(self, view: CertificateView) -> bytes:
        sha256 = view.file_sha256
        if sha256 is not None and await asyncio.to_thread(self._ctx.files.exists, sha256):
            return await asyncio.to_thread(self._ctx.files.read, sha256)
        # The file store was wiped or moved: the same fields render the same bytes.
        return await asyncio.to_thread(render_certificate, _data_of(view))

    async def progress_message(self, tournament_id: int) -> tuple[int, int] | None:
        async with self._ctx.read() as session:
            row = await session.get(CertificateSettings, tournament_id)
        if row is None or row.progress_channel_id is None or row.progress_message_id is None:
            return None
        return row.progress_channel_id, row.progress_message_id

    async def record_progress_message(
        self, tournament_id: int, channel_id: int, message_id: int
    ) -> None:
        async with self._ctx.unit_of_work() as uow:
            row = await _settings_row(uow, tournament_id)
            row.progress_channel_id, row.progress_message_id = channel_id, message_id
            row.updated_at = uow.clock.now()

    # -- players -----------------------------------------------------------------------

    async def mine(self, user_id: int, tournament_id: int) -> list[CertificateFile]:
        """The user's own certificates of a tournament (PDF bytes included)."""
        async with self._ctx.read() as session:
            tournament = await _tournament(session, tournament_id)
            _require_finished(tournament)
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
            views = [_view(r, self.verification_url(r.code)) for r in rows]
        if not views:
            raise NotFound(
                f"You have no certificate for {tournament.name}. Certificates go to the top "
                "three, the MVP and, when the organizers turn it on, every participant."
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
            view = _view(row, self.verification_url(row.code))
        if not _content_matches(view):
            status = VerificationStatus.ALTERED
        elif view.revoked_at is not None:
            status = VerificationStatus.REVOKED
        else:
            status = VerificationStatus.VALID
        return VerificationView(
            code=view.code,
            status=status,
            kind=view.kind,
            placement=_placement_label(view.kind),
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

    # -- organizers --------------------------------------------------------------------

    async def settings(self, tournament_id: int) -> CertificateSettingsView:
        async with self._ctx.read() as session:
            row = await session.get(CertificateSettings, tournament_id)
        return CertificateSettingsView(
            tournament_id=tournament_id,
            participants=bool(row and row.participants),
            mvp_user_id=row.mvp_user_id if row else None,
            mvp_name=row.mvp_name if row else None,
            generation_requested=False,
        )

    async def set_participants(
        self, actor: Actor, tournament_id: int, enabled: bool, *, organizer_name: str
    ) -> CertificateSettingsView:
        """Turn participation certificates on or off for a tournament."""
        async with self._ctx.unit_of_work() as uow:
            tournament = await _tournament(uow.session, tournament_id, lock=True)
            await _require_organizer(uow.session, actor, tournament.guild_id)
            row = await _settings_row(uow, tournament_id)
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
            requested = self._request_if_finished(uow, tournament, actor, organizer_name)
            return self._settings_view(row, requested)

    async def set_mvp(
        self, actor: Actor, tournament_id: int, user_id: int, name: str, *, organizer_name: str
    ) -> CertificateSettingsView:
        """Name the tournament's MVP (one of its players); a previous MVP's certificate is
        revoked. Once the tournament is over the MVP certificate is issued right away."""
        if not name.strip():
            raise InvalidInput("The MVP needs a name to print on the certificate.")
        async with self._ctx.unit_of_work() as uow:
            tournament = await _tournament(uow.session, tournament_id, lock=True)
            await _require_organizer(uow.session, actor, tournament.guild_id)
            registration_id = await uow.session.scalar(
                select(RegistrationMember.registration_id).where(
                    RegistrationMember.tournament_id == tournament_id,
                    RegistrationMember.user_id == user_id,
                )
            )
            if registration_id is None:
                raise InvalidInput(
                    f"{name} did not play in {tournament.name}. Pick one of its players as MVP."
                )
            row = await _settings_row(uow, tournament_id)
            before = {"mvp_user_id": row.mvp_user_id, "mvp_name": row.mvp_name}
            if row.mvp_user_id not in (None, user_id):
                await self._revoke_previous_mvp(uow, tournament, actor)
            await self._reinstate_mvp(uow, tournament_id, user_id)
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
            requested = self._request_if_finished(uow, tournament, actor, organizer_name)
            return self._settings_view(row, requested)

    async def _revoke_previous_mvp(
        self, uow: UnitOfWork, tournament: Tournament, actor: Actor
    ) -> None:
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
            await self._revoke_row(uow, cert, actor, MVP_CHANGED)

    @staticmethod
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

    @staticmethod
    def _settings_view(row: CertificateSettings, requested: bool) -> CertificateSettingsView:
        return CertificateSettingsView(
            tournament_id=row.tournament_id,
            participants=bool(row.participants),
            mvp_user_id=row.mvp_user_id,
            mvp_name=row.mvp_name,
            generation_requested=requested,
        )

    @staticmethod
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
        self, actor: Actor, tournament_id: int, *, organizer_name: str
    ) -> int:
        """Ask for the certificates of a finished tournament to be regenerated and the
        missing DMs sent (the notifier runs it with a progress message); returns how many
        certificates the tournament has."""
        plan = await self.planned(tournament_id)
        async with self._ctx.unit_of_work() as uow:
            tournament = await _tournament(uow.session, tournament_id, lock=True)
            await _require_organizer(uow.session, actor, tournament.guild_id)
            _require_finished(tournament)
            uow.audit(
                guild_id=tournament.guild_id,
                actor_id=actor.user_id,
                action="certificate.generate",
                target_type="tournament",
                target_id=tournament_id,
                after={"planned": len(plan)},
            )
            self._request_if_finished(uow, tournament, actor, organizer_name)
        return len(plan)

    async def revoke(self, actor: Actor, code: str, reason: str) -> VerificationView:
        """Revoke a certificate: verification then says so, with the reason."""
        reason = reason.strip()
        if len(reason) < 3:
            raise InvalidInput("Give a reason for the revocation; the recipient reads it.")
        normalized = normalize_code(code)
        if normalized is None:
            raise InvalidInput(
                f"“{code}” is not a certificate code. Codes look like ABCD-EFGH-JKMN."
            )
        async with self._ctx.unit_of_work() as uow:
            cert = await uow.session.scalar(
                select(Certificate).where(Certificate.code == normalized).with_for_update()
            )
            if cert is None or cert.guild_id != actor.guild_id:
                raise NotFound(f"No certificate of this server has the code {normalized}.")
            await _require_organizer(uow.session, actor, cert.guild_id)
            if cert.revoked_at is not None:
                raise Conflict(
                    f"Certificate {normalized} was already revoked: {cert.revoke_reason}"
                )
            await self._revoke_row(uow, cert, actor, reason[:300])
        view = await self.verify(normalized)
        assert view is not None  # just written
        return view

    @staticmethod
    async def _revoke_row(uow: UnitOfWork, cert: Certificate, actor: Actor, reason: str) -> None:
        cert.revoked_at, cert.revoked_by, cert.revoke_reason = (
            uow.clock.now(),
            actor.user_id,
            reason,
        )
        cert.updated_at = uow.clock.now()
        users = list(
            await uow.session.scalars(
                select(CertificateDelivery.user_id).where(
                    CertificateDelivery.certificate_id == cert.id
                )
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


__all__ = [
    "CertificateFile",
    "CertificateService",
    "CertificateSettingsView",
    "CertificateView",
    "IssuedCertificate",
    "PlannedCertificate",
    "VerificationStatus",
    "VerificationView",
    "new_code",
    "normalize_code",
]
