"""Registration, the waitlist, and fee waivers: the service and the state moves.

Module-level functions that other areas call inside THEIR unit of work (one transaction;
each locks the registration row and raises ``Conflict`` when the entry is not in a state
that allows the move, so the caller's whole transaction rolls back):

    confirm_paid(uow: UnitOfWork, registration_id: int, *, actor_id: int | None = None)
        -> RegistrationView          AWAITING_PAYMENT | PAYMENT_REVIEW -> CONFIRMED
    mark_payment_review(uow: UnitOfWork, registration_id: int, *, actor_id: int | None = None)
        -> RegistrationView          AWAITING_PAYMENT -> PAYMENT_REVIEW
    payment_rejected(uow: UnitOfWork, registration_id: int, *, actor_id: int | None = None)
        -> RegistrationView          PAYMENT_REVIEW -> AWAITING_PAYMENT
    release_slot(uow: UnitOfWork, registration_id: int, status: RegistrationStatus, *,
                 actor_id: int, reason: str) -> RegistrationView
        any active -> WITHDRAWN | DISQUALIFIED | CANCELLED; refunds what was paid and
        promotes the waitlist (used by /unregister, disqualification, cancellation)
    promote_waitlist(uow: UnitOfWork, tournament_id: int) -> list[RegistrationView]
        fills free slots from the waitlist, oldest first (call it after raising
        max_participants)
    load_view(session: AsyncSession, registration_id: int) -> RegistrationView
    lock_tournament(session: AsyncSession, tournament_id: int) -> Tournament

The views live in ``registration_views`` and the checks that build a new entry in
``registration_entry``; both are re-exported here, so callers import from this module.

Races are settled by the tournament row lock (``FOR UPDATE``; SQLite's BEGIN IMMEDIATE)
that every registration change takes first, and by ``registration_members``' unique
(tournament_id, user_id) key. Lock order: tournament, then registration, then payments.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.entries._entry import (
    INGAME_FIELD_KEY,
    build_entry,
    custom_fields,
    insert_members,
    refuse_registered,
    require_open,
    tournament_for,
)
from engine.entries.events import (
    RegistrationConfirmed,
    RegistrationCreated,
    RegistrationRemoved,
    RegistrationWithdrawn,
    TournamentFull,
    WaitlistPromoted,
)
from engine.entries.profiles import (
    RankingView,
    fee_waiver_reason,
    ingame_ids,
    set_manual_rank_in,
)
from engine.entries.views import (
    ACTIVE,
    MemberView,
    RegistrationForm,
    RegistrationView,
    Released,
    load_view,
    status_words,
    views_of,
)
from engine.kernel.actors import Actor, require_organizer
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.kernel.text import Command, User, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.tournaments import EntryFeeWaived, SlotsAdded, lock_tournament, validate_field_values
from storage.models import (
    Game,
    GuildSettings,
    Registration,
    RegistrationMember,
    Team,
    Tournament,
)
from storage.models.enums import (
    SLOT_HOLDING,
    RegistrationStatus,
    TournamentStatus,
)

# The bracket is fixed from the start on: no promotion, no withdrawal.
STARTED = frozenset({TournamentStatus.LIVE, TournamentStatus.COMPLETED, TournamentStatus.ARCHIVED})
PROMOTES = frozenset({TournamentStatus.REGISTRATION_OPEN, TournamentStatus.REGISTRATION_CLOSED})
# Tournaments whose entries no longer need a picker (nothing to check in or withdraw).
FINISHED = frozenset(
    {TournamentStatus.COMPLETED, TournamentStatus.ARCHIVED, TournamentStatus.CANCELLED}
)

__all__ = [
    "ACTIVE",
    "INGAME_FIELD_KEY",
    "RELEASED",
    "MemberView",
    "RegistrationForm",
    "RegistrationService",
    "RegistrationView",
    "Released",
    "confirm_paid",
    "load_view",
    "lock_tournament",
    "mark_payment_review",
    "payment_rejected",
    "promote_waitlist",
    "release_slot",
]


# --- moves other areas make inside their transaction ----------------------------------


async def _lock_registration(uow: UnitOfWork, registration_id: int) -> Registration:
    registration = await uow.session.scalar(
        select(Registration)
        .where(Registration.id == registration_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if registration is None:
        raise NotFound(
            msg(
                "That registration does not exist. Check {register} or ask an organizer.",
                register=Command("register"),
            )
        )
    return registration


async def _move(
    uow: UnitOfWork,
    registration_id: int,
    allowed: Iterable[RegistrationStatus],
    target: RegistrationStatus,
    actor_id: int | None,
) -> tuple[Registration, str]:
    """Move one entry between states; return it and the state it left."""
    registration = await _lock_registration(uow, registration_id)
    before = registration.status
    if before not in set(allowed):
        raise Conflict(
            msg(
                "The entry of {display_name} is {status_words}, so it cannot become "
                "{status_words2}. Nothing was changed; ask an organizer if this looks "
                "wrong.",
                display_name=registration.display_name,
                status_words=status_words(before),
                status_words2=status_words(target),
            )
        )
    registration.status = target
    registration.updated_at = uow.clock.now()
    await uow.session.flush()
    uow.audit(
        guild_id=registration.guild_id,
        actor_id=actor_id,
        action=f"registration.{target.value}",
        target_type="registration",
        target_id=registration.id,
        before={"status": before},
        after={"status": target.value},
    )
    return registration, before


async def confirm_paid(
    uow: UnitOfWork, registration_id: int, *, actor_id: int | None = None
) -> RegistrationView:
    """AWAITING_PAYMENT | PAYMENT_REVIEW -> CONFIRMED (payment approved, or paid in coins)."""
    allowed = (RegistrationStatus.AWAITING_PAYMENT, RegistrationStatus.PAYMENT_REVIEW)
    reg, _ = await _move(uow, registration_id, allowed, RegistrationStatus.CONFIRMED, actor_id)
    uow.emit(
        RegistrationConfirmed(
            guild_id=reg.guild_id,
            registration_id=reg.id,
            tournament_id=reg.tournament_id,
            user_id=reg.user_id,
            team_id=reg.team_id,
            display_name=reg.display_name,
        )
    )
    return await load_view(uow.session, reg.id)


async def mark_payment_review(
    uow: UnitOfWork, registration_id: int, *, actor_id: int | None = None
) -> RegistrationView:
    """AWAITING_PAYMENT -> PAYMENT_REVIEW (a payment proof was submitted)."""
    allowed = (RegistrationStatus.AWAITING_PAYMENT,)
    target = RegistrationStatus.PAYMENT_REVIEW
    reg, _ = await _move(uow, registration_id, allowed, target, actor_id)
    return await load_view(uow.session, reg.id)


async def payment_rejected(
    uow: UnitOfWork, registration_id: int, *, actor_id: int | None = None
) -> RegistrationView:
    """PAYMENT_REVIEW -> AWAITING_PAYMENT (the proof was rejected: pay again)."""
    allowed = (RegistrationStatus.PAYMENT_REVIEW,)
    target = RegistrationStatus.AWAITING_PAYMENT
    reg, _ = await _move(uow, registration_id, allowed, target, actor_id)
    return await load_view(uow.session, reg.id)


@dataclass(frozen=True)
class EntryReleased:
    """Reaction moment: an entry left the tournament; ``engine.money`` refunds what it
    paid (by the withdrawal rules) and returns how many payments it refunded."""

    registration_id: int
    actor_id: int
    reason: str


async def _refund(uow: UnitOfWork, registration_id: int, actor_id: int, reason: str) -> int:
    return sum(await uow.react(EntryReleased(registration_id, actor_id, reason)))


async def confirm_unpaid_entries(uow: UnitOfWork, moment: EntryFeeWaived) -> None:
    """Reaction: the tournament became free, so entries still waiting to pay owe nothing
    any more. (Proofs already sent stay with the organizers, who approve or refund them.)"""
    unpaid = await uow.session.scalars(
        select(Registration.id).where(
            Registration.tournament_id == moment.tournament_id,
            Registration.status == RegistrationStatus.AWAITING_PAYMENT,
        )
    )
    for registration_id in unpaid.all():
        await confirm_paid(uow, registration_id, actor_id=moment.actor_id)


async def fill_added_slots(uow: UnitOfWork, moment: SlotsAdded) -> None:
    """Reaction: new slots go to the waitlist first, in the edit's transaction."""
    await promote_waitlist(uow, moment.tournament_id)


RELEASED = (
    RegistrationStatus.WITHDRAWN,
    RegistrationStatus.DISQUALIFIED,
    RegistrationStatus.CANCELLED,
)


async def release_slot(
    uow: UnitOfWork,
    registration_id: int,
    status: RegistrationStatus,
    *,
    actor_id: int,
    reason: str,
) -> RegistrationView:
    """End an active entry: WITHDRAWN, DISQUALIFIED or CANCELLED; refund; refill the slot."""
    released = await _release(uow, registration_id, status, actor_id=actor_id, reason=reason)
    return released.registration


async def _release(
    uow: UnitOfWork,
    registration_id: int,
    status: RegistrationStatus,
    *,
    actor_id: int,
    reason: str,
) -> Released:
    if status not in RELEASED:
        raise ValueError(f"release_slot cannot move an entry to {status}")
    tournament_id = await uow.session.scalar(
        select(Registration.tournament_id).where(Registration.id == registration_id)
    )
    if tournament_id is None:
        raise NotFound(
            msg(
                "That registration does not exist. Check {register} or ask an organizer.",
                register=Command("register"),
            )
        )
    await lock_tournament(uow.session, tournament_id)
    registration, before = await _move(uow, registration_id, ACTIVE, status, actor_id)
    if status is not RegistrationStatus.DISQUALIFIED:
        # Free the players for a later entry; a disqualified player stays barred.
        members = await uow.session.scalars(
            select(RegistrationMember).where(RegistrationMember.registration_id == registration.id)
        )
        for member in members.all():
            await uow.session.delete(member)
        await uow.session.flush()
    view = await load_view(uow.session, registration.id)
    refunded = await _refund(uow, registration.id, actor_id, reason)
    common: dict[str, Any] = {
        "guild_id": view.guild_id,
        "registration_id": view.id,
        "tournament_id": view.tournament_id,
        "tournament_name": view.tournament_name,
        "user_id": view.user_id,
        "team_id": view.team_id,
        "display_name": view.display_name,
        "refunded_payments": refunded,
    }
    if status is RegistrationStatus.WITHDRAWN:
        uow.emit(RegistrationWithdrawn(previous_status=before, **common))
    else:
        uow.emit(
            RegistrationRemoved(status=status.value, actor_id=actor_id, reason=reason, **common)
        )
    if before in SLOT_HOLDING:
        await promote_waitlist(uow, tournament_id)
    return Released(view, refunded)


async def _slots_taken(session: AsyncSession, tournament_id: int) -> int:
    count = await session.scalar(
        select(func.count(Registration.id)).where(
            Registration.tournament_id == tournament_id,
            Registration.status.in_(SLOT_HOLDING),
        )
    )
    return int(count or 0)


def _is_free(tournament: Tournament) -> bool:
    return tournament.entry_fee_coins == 0 and tournament.entry_fee_minor == 0


def _status_with_slot(tournament: Tournament, fee_waived_reason: str | None) -> RegistrationStatus:
    if _is_free(tournament) or fee_waived_reason is not None:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.AWAITING_PAYMENT


async def promote_waitlist(uow: UnitOfWork, tournament_id: int) -> builtins.list[RegistrationView]:
    """Give free slots to the waitlist, oldest entry first, while registration is not over."""
    tournament = await lock_tournament(uow.session, tournament_id)
    if tournament.status not in PROMOTES:
        return []
    free = tournament.max_participants - await _slots_taken(uow.session, tournament.id)
    if free <= 0:
        return []
    waiting = (
        await uow.session.scalars(
            select(Registration)
            .where(
                Registration.tournament_id == tournament.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.id)
            .limit(free)
            .with_for_update()
        )
    ).all()
    promoted = []
    for registration in waiting:
        target = _status_with_slot(tournament, registration.fee_waived_reason)
        await _move(uow, registration.id, (RegistrationStatus.WAITLISTED,), target, None)
        view = await load_view(uow.session, registration.id)
        uow.emit(
            WaitlistPromoted(
                guild_id=view.guild_id,
                registration_id=view.id,
                tournament_id=view.tournament_id,
                tournament_name=view.tournament_name,
                user_id=view.user_id,
                team_id=view.team_id,
                display_name=view.display_name,
                status=target.value,
                member_ids=list(view.member_ids),
            )
        )
        promoted.append(view)
    return promoted


class RegistrationService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def prepare(
        self, actor: Actor, tournament_id: int, *, team_id: int | None = None
    ) -> RegistrationForm:
        """Check early (before a modal is shown) and return the custom fields, prefilled."""
        async with self._ctx.read() as session:
            tournament = await tournament_for(session, actor, tournament_id, lock=False)
            require_open(tournament, self._ctx.clock.now())
            fields = await custom_fields(session, tournament.id)
            asks_id = any(f.key == INGAME_FIELD_KEY for f in fields)
            entry = await build_entry(
                session, actor, tournament, team_id, {}, defer_missing_id=asks_id
            )
            await refuse_registered(session, actor, tournament, entry)
            game = await session.get(Game, tournament.game_id)
            assert game is not None
            own_id = (await ingame_ids(session, game.guild_id, game.id, [actor.user_id])).get(
                actor.user_id
            )
        prefill = {INGAME_FIELD_KEY: own_id} if asks_id and own_id else {}
        return RegistrationForm(tournament.id, tournament.name, entry.team_id, fields, prefill)

    async def register(
        self,
        actor: Actor,
        tournament_id: int,
        *,
        team_id: int | None = None,
        answers: Mapping[str, str] | None = None,
    ) -> RegistrationView:
        """``/register``: a solo player, or a captain with a team, enters a tournament.

        With a free slot the entry is CONFIRMED (free or fee waived) or AWAITING_PAYMENT;
        when the tournament is full it is WAITLISTED and promoted when a slot frees.
        """
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            tournament = await tournament_for(session, actor, tournament_id, lock=True)
            require_open(tournament, uow.clock.now())
            values = validate_field_values(
                await custom_fields(session, tournament.id), answers or {}
            )
            entry = await build_entry(session, actor, tournament, team_id, values)
            await refuse_registered(session, actor, tournament, entry)
            taken = await _slots_taken(session, tournament.id)
            game = await session.get(Game, tournament.game_id)
            assert game is not None
            waived = None
            if not _is_free(tournament):
                waived = await fee_waiver_reason(
                    session, game, tournament.fee_waiver_top_n, entry.subject_type, entry.subject_id
                )
            full = taken >= tournament.max_participants
            status = (
                RegistrationStatus.WAITLISTED if full else _status_with_slot(tournament, waived)
            )
            now = uow.clock.now()
            registration = Registration(
                tournament_id=tournament.id,
                guild_id=tournament.guild_id,
                user_id=actor.user_id,
                team_id=entry.team_id,
                display_name=entry.display_name,
                status=status,
                field_values=values,
                fee_waived_reason=waived,
                created_at=now,
                updated_at=now,
            )
            session.add(registration)
            await session.flush()
            await insert_members(uow, actor, tournament, entry, registration.id)
            view = await load_view(session, registration.id)
            _record_created(uow, actor, view, values)
            if not full and taken + 1 == tournament.max_participants:
                uow.emit(
                    TournamentFull(
                        guild_id=tournament.guild_id,
                        tournament_id=tournament.id,
                        tournament_name=tournament.name,
                        max_participants=tournament.max_participants,
                    )
                )
            return view

    async def unregister(self, actor: Actor, tournament_id: int) -> Released:
        """``/unregister``: withdraw the actor's entry (a team's only by its captain)."""
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            tournament = await tournament_for(session, actor, tournament_id, lock=True)
            if tournament.status in STARTED:
                raise Conflict(
                    msg(
                        "{name} has already started, so entries cannot be withdrawn. If "
                        "you cannot play, tell an organizer.",
                        name=tournament.name,
                    )
                )
            registration = await _active_entry(session, tournament.id, actor.user_id)
            if registration is None:
                raise NotFound(msg("You are not registered for {name}.", name=tournament.name))
            if registration.team_id is not None and actor.user_id != registration.user_id:
                captain = await session.scalar(
                    select(Team.captain_id).where(Team.id == registration.team_id)
                )
                if actor.user_id != captain:
                    raise PermissionDenied(
                        msg(
                            "Only the captain of {display_name}, {captain}, can withdraw "
                            "the team from {name}.",
                            display_name=registration.display_name,
                            captain=User(captain),
                            name=tournament.name,
                        )
                    )
            return await _release(
                uow,
                registration.id,
                RegistrationStatus.WITHDRAWN,
                actor_id=actor.user_id,
                reason=f"Withdrawn from {tournament.name}",
            )

    async def remove(
        self, actor: Actor, registration_id: int, status: RegistrationStatus, reason: str
    ) -> RegistrationView:
        """Organizer: disqualify or cancel one entry; its slot goes to the waitlist."""
        if status not in (RegistrationStatus.DISQUALIFIED, RegistrationStatus.CANCELLED):
            raise InvalidInput(msg("An organizer can disqualify or cancel an entry, nothing else."))
        async with self._ctx.unit_of_work() as uow:
            view = await load_view(uow.session, registration_id)
            if view.guild_id != actor.guild_id:
                raise NotFound(msg("That registration does not exist on this server."))
            settings = await uow.session.get(GuildSettings, view.guild_id)
            require_organizer(actor, settings.organizer_role_id if settings else None)
            return await release_slot(
                uow, registration_id, status, actor_id=actor.user_id, reason=reason
            )

    async def set_manual_rank(
        self, actor: Actor, game: str | int, subject_type: str, subject_id: int, rank: int | None
    ) -> RankingView:
        """Organizer-set rank (1 = best; None clears it) read by fee waivers and seeding."""
        async with self._ctx.unit_of_work() as uow:
            return await set_manual_rank_in(uow, actor, game, subject_type, subject_id, rank)

    async def get(self, registration_id: int) -> RegistrationView:
        async with self._ctx.read() as session:
            return await load_view(session, registration_id)

    async def registration_for(self, tournament_id: int, user_id: int) -> RegistrationView | None:
        """The user's active entry in a tournament, solo or as a team member."""
        async with self._ctx.read() as session:
            registration = await _active_entry(session, tournament_id, user_id)
            return None if registration is None else await load_view(session, registration.id)

    async def active_entries(
        self, guild_id: int, user_id: int, text: str = "", limit: int = 25
    ) -> builtins.list[RegistrationView]:
        """The user's active entries in tournaments that are not over, newest first, whose
        tournament name contains ``text`` (the /checkin and /unregister pickers)."""
        query = (
            select(Registration.id)
            .join(RegistrationMember, RegistrationMember.registration_id == Registration.id)
            .join(Tournament, Tournament.id == Registration.tournament_id)
            .where(
                Registration.guild_id == guild_id,
                RegistrationMember.user_id == user_id,
                Registration.status.in_(ACTIVE),
                Tournament.status.not_in(FINISHED),
            )
        )
        if text.strip():
            # Filtered before the limit, so an older entry is still found by its name.
            query = query.where(
                func.lower(Tournament.name).contains(text.strip().lower(), autoescape=True)
            )
        async with self._ctx.read() as session:
            ids = (await session.scalars(query.order_by(Registration.id.desc()).limit(limit))).all()
            return [await load_view(session, i) for i in ids]

    async def list(
        self, tournament_id: int, statuses: Iterable[str] | None = None
    ) -> builtins.list[RegistrationView]:
        """Entries of a tournament in registration order (waitlist order for WAITLISTED)."""
        query = select(Registration).where(Registration.tournament_id == tournament_id)
        if statuses is not None:
            query = query.where(Registration.status.in_([str(s) for s in statuses]))
        async with self._ctx.read() as session:
            tournament = await session.get(Tournament, tournament_id)
            if tournament is None:
                raise NotFound(msg("That tournament does not exist. Pick one from the list."))
            rows = (await session.scalars(query.order_by(Registration.id))).all()
            return await views_of(session, tournament, rows)


async def _active_entry(
    session: AsyncSession, tournament_id: int, user_id: int
) -> Registration | None:
    return await session.scalar(
        select(Registration)
        .join(RegistrationMember, RegistrationMember.registration_id == Registration.id)
        .where(
            RegistrationMember.tournament_id == tournament_id,
            RegistrationMember.user_id == user_id,
            Registration.status.in_(ACTIVE),
        )
    )


def _record_created(
    uow: UnitOfWork, actor: Actor, view: RegistrationView, values: Mapping[str, Any]
) -> None:
    uow.audit(
        guild_id=view.guild_id,
        actor_id=actor.user_id,
        action="registration.create",
        target_type="registration",
        target_id=view.id,
        after={
            "tournament_id": view.tournament_id,
            "team_id": view.team_id,
            "status": view.status,
            "members": list(view.member_ids),
            "field_values": dict(values),
            "fee_waived_reason": view.fee_waived_reason,
        },
    )
    uow.emit(
        RegistrationCreated(
            guild_id=view.guild_id,
            registration_id=view.id,
            tournament_id=view.tournament_id,
            tournament_name=view.tournament_name,
            user_id=view.user_id,
            team_id=view.team_id,
            display_name=view.display_name,
            status=view.status,
            waitlist_position=view.waitlist_position,
            fee_waived_reason=view.fee_waived_reason,
            member_ids=list(view.member_ids),
        )
    )
