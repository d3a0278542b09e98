"""The organizers' roster of a tournament: every entry with its status, what it paid, its
check-in and its answers to the custom registration fields — as rows for the dashboard's
participants page and as a CSV file (``engine.kernel.exports``: formula-like answers
neutralised, UTF-8 with a byte-order mark).

It lives in money because it is the lowest domain that sees both the entries and their
payments. Only the tournament's organizers (owner, co-organizers, server admins) read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.entries import RegistrationView, views_of
from engine.kernel.actors import Actor
from engine.kernel.errors import NotFound
from engine.kernel.exports import Cell, csv_bytes
from engine.kernel.text import msg
from engine.kernel.uow import ServiceContext
from engine.money.ledger import coin_name_of
from engine.money.methods import amount_text, method_label
from engine.tournaments import FieldView, require_tournament_organizer
from storage.models import Payment, Registration, RegistrationField, Tournament

__all__ = ["Participant", "ParticipantsReport", "RosterService"]


@dataclass(frozen=True)
class Participant:
    entry: RegistrationView
    # free | waived | unpaid, or the latest payment's status (submitted, approved, …)
    payment_state: str
    payment_id: int | None
    payment_method: str | None
    payment_amount: str | None
    payment_reference: str | None

    @property
    def checked_in(self) -> bool:
        return self.entry.checked_in_at is not None

    def answer(self, field: FieldView) -> Any:
        return self.entry.field_values.get(field.key)


@dataclass(frozen=True)
class ParticipantsReport:
    tournament_id: int
    tournament_name: str
    tournament_slug: str
    tournament_status: str
    checkin_enabled: bool
    fields: tuple[FieldView, ...]
    participants: tuple[Participant, ...]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for p in self.participants:
            counts[p.entry.status] = counts.get(p.entry.status, 0) + 1
        return counts

    @property
    def filename(self) -> str:
        return f"participants-{self.tournament_slug}.csv"

    def to_csv(self) -> bytes:
        header = [
            "entry_id",
            "name",
            "status",
            "waitlist_position",
            "registered_by_user_id",
            "team_id",
            "member_user_ids",
            "ingame_ids",
            "registered_at",
            "checked_in",
            "checked_in_at",
            "payment_state",
            "payment_method",
            "payment_amount",
            "payment_reference",
            "payment_id",
            "fee_waived_reason",
            *[f.label for f in self.fields],
        ]
        rows: list[Sequence[Cell]] = []
        for p in self.participants:
            e = p.entry
            rows.append(
                [
                    e.id,
                    e.display_name,
                    e.status,
                    e.waitlist_position,
                    str(e.user_id),  # ids as text: a spreadsheet would round 18 digits
                    str(e.team_id) if e.team_id is not None else None,
                    " ".join(str(m.user_id) for m in e.members),
                    " ".join(m.ingame_id or "" for m in e.members).strip(),
                    e.created_at,
                    p.checked_in,
                    e.checked_in_at,
                    p.payment_state,
                    p.payment_method,
                    p.payment_amount,
                    p.payment_reference,
                    p.payment_id,
                    e.fee_waived_reason,
                    *[_cell(p.answer(f)) for f in self.fields],
                ]
            )
        return csv_bytes(header, rows)


def _cell(value: Any) -> Cell:
    if value is None or isinstance(value, str | int | float | bool | datetime):
        return value
    return str(value)


def _state(tournament: Tournament, entry: Registration, latest: Payment | None) -> str:
    if latest is not None:
        return str(latest.status)
    if entry.fee_waived_reason:
        return "waived"
    if tournament.entry_fee_coins <= 0 and tournament.entry_fee_minor <= 0:
        return "free"
    return "unpaid"


class RosterService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def participants(self, actor: Actor, tournament_id: int) -> ParticipantsReport:
        """Every entry of the tournament (all states), registration order."""
        async with self._ctx.read() as session:
            tournament = await session.get(Tournament, tournament_id)
            if tournament is None or (
                actor.guild_id is not None and tournament.guild_id != actor.guild_id
            ):
                raise NotFound(
                    msg("That tournament does not exist on this server. Pick one from the list.")
                )
            await require_tournament_organizer(session, actor, tournament)
            fields = tuple(
                FieldView.of(f)
                for f in await session.scalars(
                    select(RegistrationField)
                    .where(RegistrationField.tournament_id == tournament.id)
                    .order_by(RegistrationField.position, RegistrationField.id)
                )
            )
            entries = list(
                await session.scalars(
                    select(Registration)
                    .where(Registration.tournament_id == tournament.id)
                    .order_by(Registration.id)
                )
            )
            payments = await session.scalars(
                select(Payment).where(Payment.tournament_id == tournament.id).order_by(Payment.id)
            )
            latest: dict[int, Payment] = {}
            for payment in payments:
                latest[payment.registration_id] = payment  # the newest wins
            coin_name = await coin_name_of(session, tournament.guild_id)
            views = await views_of(session, tournament, entries)
            participants = []
            for entry, view in zip(entries, views, strict=True):
                paid = latest.get(entry.id)
                participants.append(
                    Participant(
                        entry=view,
                        payment_state=_state(tournament, entry, paid),
                        payment_id=paid.id if paid else None,
                        payment_method=method_label(paid.method) if paid else None,
                        payment_amount=amount_text(paid, coin_name) if paid else None,
                        payment_reference=paid.reference if paid else None,
                    )
                )
            return ParticipantsReport(
                tournament_id=tournament.id,
                tournament_name=tournament.name,
                tournament_slug=tournament.slug,
                tournament_status=tournament.status,
                checkin_enabled=tournament.checkin_enabled,
                fields=fields,
                participants=tuple(participants),
            )

    async def participants_csv(self, actor: Actor, tournament_id: int) -> tuple[str, bytes]:
        """The roster as a CSV file: (file name, bytes)."""
        report = await self.participants(actor, tournament_id)
        return report.filename, report.to_csv()
