"""Registration: ``/register`` (solo or a captain's team), ``/unregister``, an organizer's
removal, and the reads of entries.

The checks that build a new entry live in ``_entry``, the status moves and the waitlist in
``slots``, the read models in ``views``. Races are settled by the tournament row lock
(``FOR UPDATE``; SQLite's BEGIN IMMEDIATE) that every registration change takes first, and
by ``registration_members``' unique (tournament_id, user_id) key. Lock order: tournament,
then registration, then payments.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.entries._entry import (
    INGAME_FIELD_KEY,
    build_entry,
    custom_fields,
    insert_members,
    refuse_after_start,
    refuse_registered,
    require_open,
    tournament_for,
)
from engine.entries.events import (
    RegistrationCreated,
    TournamentFull,
)
from engine.entries.profiles import (
    RankingView,
    fee_waiver_reason,
    ingame_ids,
    set_manual_rank_in,
)
from engine.entries.slots import (
    is_free,
    promote_by_hand,
    release,
    slots_taken,
    status_with_slot,
)
from engine.entries.views import (
    ACTIVE,
    RegistrationForm,
    RegistrationView,
    Released,
    load_view,
    status_words,
    views_of,
)
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.kernel.text import Command, User, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.tournaments import (
    lock_tournament,
    may_organize,
    require_tournament_organizer,
    validate_field_values,
)
from storage.models import (
    Game,
    Registration,
    RegistrationMember,
    Team,
    Tournament,
)
from storage.models.enums import (
    RegistrationStatus,
    TournamentStatus,
)

# Tournaments whose entries no longer need a picker (nothing to check in or withdraw).
FINISHED = frozenset(
    {TournamentStatus.COMPLETED, TournamentStatus.ARCHIVED, TournamentStatus.CANCELLED}
)


# --- moves other areas make inside their transaction ----------------------------------


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
            taken = await slots_taken(session, tournament.id)
            game = await session.get(Game, tournament.game_id)
            assert game is not None
            waived = None
            if not is_free(tournament):
                waived = await fee_waiver_reason(
                    session, game, tournament.fee_waiver_top_n, entry.subject_type, entry.subject_id
                )
            full = taken >= tournament.max_participants
            status = RegistrationStatus.WAITLISTED if full else status_with_slot(tournament, waived)
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
            refuse_after_start(tournament, msg("withdraw your entry"))
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
                            captain=User(captain) if captain is not None else "",
                            name=tournament.name,
                        )
                    )
            return await release(
                uow,
                registration.id,
                RegistrationStatus.WITHDRAWN,
                actor_id=actor.user_id,
                reason=f"Withdrawn from {tournament.name}",
            )

    async def remove(
        self, actor: Actor, registration_id: int, status: RegistrationStatus, reason: str
    ) -> RegistrationView:
        """Organizer: disqualify, cancel (remove) or reject one entry; its slot goes to the
        waitlist and what it paid is refunded by the withdrawal rules."""
        if status not in ORGANIZER_ENDINGS:
            raise InvalidInput(
                msg("An organizer can remove, reject or disqualify an entry, nothing else.")
            )
        async with self._ctx.unit_of_work() as uow:
            view = await load_view(uow.session, registration_id)
            if view.guild_id != actor.guild_id:
                raise NotFound(msg("That registration does not exist on this server."))
            await require_tournament_organizer(uow.session, actor, view.tournament_id)
            released = await release(
                uow, registration_id, status, actor_id=actor.user_id, reason=reason
            )
            return released.registration

    async def remove_entry(
        self, actor: Actor, registration_id: int, reason: str, *, reject: bool = False
    ) -> Released:
        """Organizer, before the start: remove an entry (``reject``: refuse the
        registration outright). The player is told the reason; fees come back by the
        withdrawal rules (coins at once, money as a refund to send); the slot goes to
        the waitlist. After the start an entry leaves by disqualification instead."""
        reason = " ".join((reason or "").split())
        if not 3 <= len(reason) <= 300:
            raise InvalidInput(
                msg("Give the player a reason of 3 to 300 characters; they read it in a DM.")
            )
        status = RegistrationStatus.REJECTED if reject else RegistrationStatus.CANCELLED
        async with self._ctx.unit_of_work() as uow:
            tournament, registration = await _entry_for_organizer(uow, actor, registration_id)
            if tournament.status == TournamentStatus.LIVE:
                raise Conflict(
                    msg(
                        "{name} has started, so entries leave it by disqualification: use "
                        "{match_dq}. Nothing was changed.",
                        name=tournament.name,
                        match_dq=Command("match dq"),
                    )
                )
            refuse_after_start(tournament, msg("remove entries"))
            if registration.status not in ACTIVE:
                raise Conflict(
                    msg(
                        "The entry of {display_name} is {status_words} already; nothing "
                        "was changed.",
                        display_name=registration.display_name,
                        status_words=status_words(registration.status),
                    )
                )
            before = registration.status
            released = await release(
                uow, registration.id, status, actor_id=actor.user_id, reason=reason
            )
            uow.audit(
                guild_id=tournament.guild_id,
                actor_id=actor.user_id,
                action="registration.reject" if reject else "registration.remove",
                target_type="registration",
                target_id=registration.id,
                before={"status": before},
                after={
                    "status": status.value,
                    "reason": reason,
                    "refunded_payments": released.refunded_payments,
                },
            )
            return released

    async def promote(self, actor: Actor, registration_id: int) -> RegistrationView:
        """Organizer: move this waitlisted entry into a free slot, ahead of the queue."""
        async with self._ctx.unit_of_work() as uow:
            _, registration = await _entry_for_organizer(uow, actor, registration_id)
            return await promote_by_hand(
                uow, registration.id, actor_id=actor.user_id, reason="moved up by an organizer"
            )

    async def entries_for_organizer(
        self, actor: Actor, tournament_id: int, text: str = "", limit: int = 25
    ) -> builtins.list[RegistrationView]:
        """The active entries of a tournament whose name contains ``text`` (the organizer's
        entry picker); empty for someone who does not run the tournament."""
        async with self._ctx.read() as session:
            tournament = await session.get(Tournament, tournament_id)
            if tournament is None or tournament.guild_id != actor.guild_id:
                return []
            if not await may_organize(session, actor, tournament):
                return []
            query = select(Registration).where(
                Registration.tournament_id == tournament_id, Registration.status.in_(ACTIVE)
            )
            if text.strip():
                query = query.where(
                    func.lower(Registration.display_name).contains(
                        text.strip().lower(), autoescape=True
                    )
                )
            rows = (await session.scalars(query.order_by(Registration.id).limit(limit))).all()
            return await views_of(session, tournament, rows)

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


ORGANIZER_ENDINGS = (
    RegistrationStatus.DISQUALIFIED,
    RegistrationStatus.CANCELLED,
    RegistrationStatus.REJECTED,
)


async def _entry_for_organizer(
    uow: UnitOfWork, actor: Actor, registration_id: int
) -> tuple[Tournament, Registration]:
    """The entry and its tournament (locked, in the usual order) for one of its organizers."""
    tournament_id = await uow.session.scalar(
        select(Registration.tournament_id).where(
            Registration.id == registration_id, Registration.guild_id == actor.guild_id
        )
    )
    if tournament_id is None:
        raise NotFound(msg("That entry does not exist on this server. Pick one from the list."))
    tournament = await lock_tournament(uow.session, tournament_id)
    await require_tournament_organizer(uow.session, actor, tournament)
    registration = await uow.session.get(Registration, registration_id, with_for_update=True)
    assert registration is not None
    return tournament, registration


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
