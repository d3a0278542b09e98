"""Certificate records as the rest of the bot sees them: codes, frozen views, and the
small lookups that issuing, delivery and the organizer's choices share.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, NotFound
from engine.kernel.text import msg
from engine.kernel.uow import UnitOfWork
from engine.render import CertificateData, Placement, certificate_content_hash
from engine.tournaments import require_tournament_organizer
from storage.models import Certificate, CertificateSettings, Tournament
from storage.models.enums import TournamentStatus

# Crockford's base32: no I, L, O or U, so a code read aloud or retyped survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 12 x 5 bits = 60 bits of randomness
_TYPO_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
# A delivery claimed this long ago without finishing was cut short (a crash): retry it.
FINISHED = (TournamentStatus.COMPLETED, TournamentStatus.ARCHIVED)


def new_code(rng: random.Random) -> str:
    raw = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
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


def certificate_view(row: Certificate, url: str) -> CertificateView:
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


def certificate_data(view: CertificateView) -> CertificateData:
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


def content_matches(view: CertificateView) -> bool:
    try:
        return certificate_content_hash(certificate_data(view)) == view.content_hash
    except ValueError:  # a field was emptied or the kind is no longer a placement
        return False


def placement_label(kind: str) -> str:
    try:
        return Placement(kind).label
    except ValueError:  # an altered row may hold anything
        return kind


async def require_organizer_of(session: AsyncSession, actor: Actor, tournament_id: int) -> None:
    """Certificates of a tournament are its organizers' business (owner, co-organizers,
    server admins): ``engine.tournaments.access`` decides."""
    await require_tournament_organizer(session, actor, tournament_id)


async def load_tournament(
    session: AsyncSession, tournament_id: int, *, lock: bool = False
) -> Tournament:
    query = select(Tournament).where(Tournament.id == tournament_id)
    tournament = await session.scalar(query.with_for_update() if lock else query)
    if tournament is None:
        raise NotFound(msg("That tournament does not exist. Pick one from the list."))
    return tournament


def require_finished(tournament: Tournament) -> None:
    if tournament.status not in FINISHED:
        raise Conflict(
            msg(
                "{name} has not finished yet. Certificates are issued when its final is decided.",
                name=tournament.name,
            )
        )


async def settings_row(uow: UnitOfWork, tournament_id: int) -> CertificateSettings:
    row = await uow.session.get(CertificateSettings, tournament_id, with_for_update=True)
    if row is None:
        row = CertificateSettings(
            tournament_id=tournament_id, participants=False, updated_at=uow.clock.now()
        )
        uow.session.add(row)
    return row
