"""An entry's status moves and the waitlist (called inside the caller's unit of work).

Each move locks the registration row and raises ``Conflict`` when the entry is not in a
state that allows it, so the caller's whole transaction rolls back. Lock order:
tournament, then registration, then payments."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.entries.events import (
    RegistrationConfirmed,
    RegistrationExpired,
    RegistrationRemoved,
    RegistrationWithdrawn,
    WaitlistPromoted,
)
from engine.entries.views import (
    ACTIVE,
    RegistrationView,
    Released,
    load_view,
    status_words,
)
from engine.kernel.actors import SYSTEM_USER_ID
from engine.kernel.errors import Conflict, NotFound
from engine.kernel.text import Command, msg
from engine.kernel.uow import UnitOfWork
from engine.tournaments import EntryFeeWaived, SlotsAdded, lock_tournament
from storage.models import (
    Registration,
    RegistrationMember,
    Tournament,
)
from storage.models.enums import (
    SLOT_HOLDING,
    RegistrationStatus,
    TournamentStatus,
)

PROMOTES = frozenset({TournamentStatus.REGISTRATION_OPEN, TournamentStatus.REGISTRATION_CLOSED})


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
    RegistrationStatus.REJECTED,
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
    released = await release(uow, registration_id, status, actor_id=actor_id, reason=reason)
    return released.registration


async def release(
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
    member_ids = await _member_ids(uow, registration.id)
    if status is not RegistrationStatus.DISQUALIFIED:
        # Free the players for a later entry; a disqualified player stays barred.
        await _free_members(uow, registration.id)
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
            RegistrationRemoved(
                status=status.value,
                actor_id=actor_id,
                reason=reason,
                member_ids=member_ids,
                **common,
            )
        )
    if before in SLOT_HOLDING:
        await promote_waitlist(uow, tournament_id)
    return Released(view, refunded)


async def slots_taken(session: AsyncSession, tournament_id: int) -> int:
    count = await session.scalar(
        select(func.count(Registration.id)).where(
            Registration.tournament_id == tournament_id,
            Registration.status.in_(SLOT_HOLDING),
        )
    )
    return int(count or 0)


def is_free(tournament: Tournament) -> bool:
    return tournament.entry_fee_coins == 0 and tournament.entry_fee_minor == 0


def status_with_slot(tournament: Tournament, fee_waived_reason: str | None) -> RegistrationStatus:
    if is_free(tournament) or fee_waived_reason is not None:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.AWAITING_PAYMENT


async def promote_waitlist(uow: UnitOfWork, tournament_id: int) -> builtins.list[RegistrationView]:
    """Give free slots to the waitlist, oldest entry first, while registration is not over."""
    tournament = await lock_tournament(uow.session, tournament_id)
    if tournament.status not in PROMOTES:
        return []
    free = tournament.max_participants - await slots_taken(uow.session, tournament.id)
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
        target = status_with_slot(tournament, registration.fee_waived_reason)
        await _move(uow, registration.id, (RegistrationStatus.WAITLISTED,), target, None)
        view = await load_view(uow.session, registration.id)
        uow.emit(_promoted(view, target))
        promoted.append(view)
    return promoted


async def _member_ids(uow: UnitOfWork, registration_id: int) -> builtins.list[int]:
    rows = await uow.session.scalars(
        select(RegistrationMember.user_id)
        .where(RegistrationMember.registration_id == registration_id)
        .order_by(RegistrationMember.id)
    )
    return list(rows.all())


async def _free_members(uow: UnitOfWork, registration_id: int) -> None:
    members = await uow.session.scalars(
        select(RegistrationMember).where(RegistrationMember.registration_id == registration_id)
    )
    for member in members.all():
        await uow.session.delete(member)
    await uow.session.flush()


# --- the start: entries that cannot play are settled first ------------------------------

# The entries the start expires: never paid, no slot, or (with check-in) not checked in.
EXPIRES_AT_START = (RegistrationStatus.AWAITING_PAYMENT, RegistrationStatus.WAITLISTED)


async def refuse_unreviewed_entries(uow: UnitOfWork, tournament: Tournament) -> None:
    """The start refuses while a payment proof waits for review: an organizer decides
    each one first (approved entries play, rejected ones expire unpaid at the start)."""
    waiting = (
        await uow.session.execute(
            select(Registration.id, Registration.display_name, Registration.user_id)
            .where(
                Registration.tournament_id == tournament.id,
                Registration.status == RegistrationStatus.PAYMENT_REVIEW,
            )
            .order_by(Registration.id)
        )
    ).all()
    if not waiting:
        return
    shown = [f"{name} (entry #{rid})" for rid, name, _ in waiting[:15]]
    more = len(waiting) - len(shown)
    raise Conflict(
        msg(
            "{name} cannot start while {count} payment proof(s) wait for review: "
            "{entries}{more}. Approve or reject each with {payments_pending} or on the "
            "dashboard, then start again. Nothing was changed.",
            name=tournament.name,
            count=len(waiting),
            entries=", ".join(shown),
            more=msg(" and {more} more", more=more) if more else "",
            payments_pending=Command("payments pending"),
        )
    )


async def expire_unconfirmed(
    uow: UnitOfWork, tournament: Tournament, actor_id: int | None
) -> builtins.list[RegistrationView]:
    """At the start: entries that still owe their fee, that never got a slot, or (with
    check-in) that did not check in are closed as EXPIRED. Nothing is charged: an
    unpaid entry paid nothing, and anything it had sent is refunded by the withdrawal
    rules. Each entry's members are freed and told."""
    query = select(Registration.id).where(Registration.tournament_id == tournament.id)
    if tournament.checkin_enabled:
        query = query.where(
            (Registration.status.in_(EXPIRES_AT_START))
            | (
                (Registration.status == RegistrationStatus.CONFIRMED)
                & Registration.checked_in_at.is_(None)
            )
        )
    else:
        query = query.where(Registration.status.in_(EXPIRES_AT_START))
    ids = (await uow.session.scalars(query.order_by(Registration.id))).all()
    expired = []
    for registration_id in ids:
        allowed = (*EXPIRES_AT_START, RegistrationStatus.CONFIRMED)
        registration, before = await _move(
            uow, registration_id, allowed, RegistrationStatus.EXPIRED, actor_id
        )
        member_ids = await _member_ids(uow, registration.id)
        await _free_members(uow, registration.id)
        await _refund(
            uow,
            registration.id,
            actor_id or SYSTEM_USER_ID,
            f"Expired at the start of {tournament.name}",
        )
        view = await load_view(uow.session, registration.id)
        uow.emit(
            RegistrationExpired(
                guild_id=view.guild_id,
                registration_id=view.id,
                tournament_id=view.tournament_id,
                tournament_name=view.tournament_name,
                user_id=view.user_id,
                team_id=view.team_id,
                display_name=view.display_name,
                previous_status=before,
                member_ids=member_ids,
            )
        )
        expired.append(view)
    return expired


async def promote_by_hand(
    uow: UnitOfWork, registration_id: int, *, actor_id: int, reason: str
) -> RegistrationView:
    """Organizer: give a free slot to this waitlisted entry, ahead of the waitlist order."""
    tournament_id = await uow.session.scalar(
        select(Registration.tournament_id).where(Registration.id == registration_id)
    )
    if tournament_id is None:
        raise NotFound(msg("That registration does not exist. Pick an entry from the list."))
    tournament = await lock_tournament(uow.session, tournament_id)
    registration = await _lock_registration(uow, registration_id)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise Conflict(
            msg(
                "{display_name} is {status_words}, not on the waitlist, so there is "
                "nothing to move up. Nothing was changed.",
                display_name=registration.display_name,
                status_words=status_words(registration.status),
            )
        )
    if tournament.status not in PROMOTES:
        raise Conflict(
            msg(
                "{name} is not taking entries any more, so nobody can move up from "
                "the waitlist. Nothing was changed.",
                name=tournament.name,
            )
        )
    if await slots_taken(uow.session, tournament.id) >= tournament.max_participants:
        raise Conflict(
            msg(
                "{name} has no free slot ({max} of {max} taken). Remove an entry or raise "
                "max_participants with {tournament_edit} first; nothing was changed.",
                name=tournament.name,
                max=tournament.max_participants,
                tournament_edit=Command("tournament edit"),
            )
        )
    target = status_with_slot(tournament, registration.fee_waived_reason)
    await _move(uow, registration.id, (RegistrationStatus.WAITLISTED,), target, actor_id)
    view = await load_view(uow.session, registration.id)
    uow.audit(
        guild_id=view.guild_id,
        actor_id=actor_id,
        action="registration.promote",
        target_type="registration",
        target_id=view.id,
        before={"status": RegistrationStatus.WAITLISTED.value},
        after={"status": target.value, "reason": reason, "by_hand": True},
    )
    uow.emit(_promoted(view, target))
    return view


def _promoted(view: RegistrationView, target: RegistrationStatus) -> WaitlistPromoted:
    """The event of a waitlisted entry moved up, by the waitlist or by an organizer."""
    return WaitlistPromoted(
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
