"""What registration shows: the frozen views of entries, and the words for their states.

``load_view`` and ``views_of`` turn rows into ``RegistrationView``s (members and the
waitlist position included); every registration read and move returns one of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.kernel.errors import NotFound
from engine.kernel.text import Command, msg
from engine.tournaments import FieldView
from storage.models import Registration, RegistrationMember, Tournament
from storage.models.enums import SLOT_HOLDING, RegistrationStatus

ACTIVE = frozenset(SLOT_HOLDING | {RegistrationStatus.WAITLISTED})


@dataclass(frozen=True)
class MemberView:
    user_id: int
    ingame_id: str | None


@dataclass(frozen=True)
class RegistrationView:
    id: int
    tournament_id: int
    tournament_name: str
    guild_id: int
    user_id: int  # the solo player, or the captain who registered the team
    team_id: int | None
    display_name: str
    status: str
    seed: int | None
    field_values: Mapping[str, Any]
    fee_waived_reason: str | None
    checked_in_at: datetime | None
    created_at: datetime
    members: tuple[MemberView, ...]
    waitlist_position: int | None
    entry_fee_coins: int
    entry_fee_minor: int
    currency: str

    @property
    def member_ids(self) -> tuple[int, ...]:
        return tuple(m.user_id for m in self.members)

    @property
    def holds_slot(self) -> bool:
        return self.status in SLOT_HOLDING

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


@dataclass(frozen=True)
class Released:
    """An entry that ended, and how many of its payments were refunded."""

    registration: RegistrationView
    refunded_payments: int


@dataclass(frozen=True)
class RegistrationForm:
    """What /register must ask before registering: the custom fields, prefilled."""

    tournament_id: int
    tournament_name: str
    team_id: int | None
    fields: tuple[FieldView, ...]
    prefill: Mapping[str, str] = field(default_factory=dict)


async def _waitlist_positions(session: AsyncSession, tournament_id: int) -> dict[int, int]:
    ids = (
        await session.scalars(
            select(Registration.id)
            .where(
                Registration.tournament_id == tournament_id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.id)
        )
    ).all()
    return {reg_id: place for place, reg_id in enumerate(ids, start=1)}


async def views_of(
    session: AsyncSession, tournament: Tournament, rows: Sequence[Registration]
) -> list[RegistrationView]:
    members: dict[int, list[MemberView]] = {r.id: [] for r in rows}
    if rows:
        found = await session.scalars(
            select(RegistrationMember)
            .where(RegistrationMember.registration_id.in_(list(members)))
            .order_by(RegistrationMember.id)
        )
        for m in found.all():
            members[m.registration_id].append(MemberView(m.user_id, m.ingame_id))
    positions = await _waitlist_positions(session, tournament.id)
    return [
        RegistrationView(
            id=r.id,
            tournament_id=tournament.id,
            tournament_name=tournament.name,
            guild_id=r.guild_id,
            user_id=r.user_id,
            team_id=r.team_id,
            display_name=r.display_name,
            status=r.status,
            seed=r.seed,
            field_values=dict(r.field_values or {}),
            fee_waived_reason=r.fee_waived_reason,
            checked_in_at=r.checked_in_at,
            created_at=r.created_at,
            members=tuple(members[r.id]),
            waitlist_position=positions.get(r.id),
            entry_fee_coins=tournament.entry_fee_coins,
            entry_fee_minor=tournament.entry_fee_minor,
            currency=tournament.currency,
        )
        for r in rows
    ]


async def load_view(session: AsyncSession, registration_id: int) -> RegistrationView:
    registration = await session.get(Registration, registration_id)
    if registration is None:
        raise NotFound(
            msg(
                "That registration does not exist. Check {register} or ask an organizer.",
                register=Command("register"),
            )
        )
    tournament = await session.get(Tournament, registration.tournament_id)
    assert tournament is not None  # registrations cascade with their tournament
    [view] = await views_of(session, tournament, [registration])
    return view


_STATUS_WORDS = {
    RegistrationStatus.AWAITING_PAYMENT: "waiting for payment",
    RegistrationStatus.PAYMENT_REVIEW: "waiting for a payment review",
    RegistrationStatus.CONFIRMED: "confirmed",
    RegistrationStatus.WAITLISTED: "on the waitlist",
    RegistrationStatus.WITHDRAWN: "withdrawn",
    RegistrationStatus.DISQUALIFIED: "disqualified",
    RegistrationStatus.CANCELLED: "cancelled",
    RegistrationStatus.REJECTED: "rejected by an organizer",
    RegistrationStatus.EXPIRED: "expired at the start",
}


def status_words(status: str) -> str:
    return _STATUS_WORDS.get(RegistrationStatus(status), status)
