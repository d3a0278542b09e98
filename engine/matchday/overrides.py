"""Organizer overrides of a match: ``/match set-score`` and ``/match dq``.

An organizer's word is final: it decides the match directly (or corrects a result that
was already final) and closes the match's open disputes. :class:`ScoreService` exposes
these as ``set_score`` and ``disqualify``.
"""

from __future__ import annotations

from sqlalchemy import select

from engine.brackets import OPEN_STATES, Applied, apply_action
from engine.entries import release_slot
from engine.formats import Result, Withdrawal
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.text import Command, User, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.matchday._access import (
    OverrideOutcome,
    decide,
    load_lobby,
    lock_match,
)
from engine.tournaments import lock_tournament, require_tournament_organizer
from storage.models import MatchRow, Registration, RegistrationMember, Tournament
from storage.models.enums import RegistrationStatus


async def set_score(
    ctx: ServiceContext,
    actor: Actor,
    tournament_id: int,
    code: str,
    first: int,
    second: int,
    *,
    note: str | None = None,
) -> OverrideOutcome:
    """Organizer: decide a match (or correct a final result) in slot order."""
    async with ctx.unit_of_work() as uow:
        row = await _organizer_match(uow, actor, tournament_id, code)
        before = {"status": row.status, "scores": [row.score_a, row.score_b]}
        resolution = f"An organizer set the score to {first}–{second}." + (
            f" {note.strip()}" if note and note.strip() else ""
        )
        applied = await decide(
            uow,
            row,
            Result(row.code, (first, second)),
            actor_id=actor.user_id,
            resolution=resolution,
        )
        audit_override(uow, row, actor, "match.set_score", before)
        return OverrideOutcome(
            await load_lobby(uow.session, row),
            tuple(r.code for r in applied.reset),
            applied.tournament_completed,
        )


async def disqualify(
    ctx: ServiceContext, actor: Actor, tournament_id: int, user_id: int, *, reason: str
) -> OverrideOutcome:
    """Organizer: the player's side forfeits its open match and leaves the event (in
    double elimination with ``dq_to_losers`` a winners-bracket DQ drops them to the
    losers bracket instead)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(msg("Give a reason for the disqualification; the player reads it."))
    async with ctx.unit_of_work() as uow:
        tournament = await lock_tournament(uow.session, tournament_id)
        await require_tournament_organizer(uow.session, actor, tournament)
        registration = await _active_registration(uow, tournament, user_id)
        row = await uow.session.scalar(
            select(MatchRow)
            .where(
                MatchRow.tournament_id == tournament.id,
                MatchRow.status.in_([s.value for s in OPEN_STATES]),
                (MatchRow.registration_a_id == registration.id)
                | (MatchRow.registration_b_id == registration.id),
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if row is None:
            applied = await apply_action(
                uow, tournament.id, Withdrawal(registration.id), actor_id=actor.user_id
            )
            return await _release(uow, tournament, registration, actor, reason, applied)
        slot = 0 if row.registration_a_id == registration.id else 1
        to_losers = (
            tournament.format == "double_elim"
            and row.side == "winners"
            and bool((tournament.format_options or {}).get("dq_to_losers"))
        )
        before = {"status": row.status}
        applied = await decide(
            uow,
            row,
            Result(row.code, None, forfeit=slot, disqualify=not to_losers),
            actor_id=actor.user_id,
            resolution=f"{registration.display_name} was disqualified: {reason}",
        )
        audit_override(uow, row, actor, "match.dq", before)
        if to_losers:
            return OverrideOutcome(
                await load_lobby(uow.session, row),
                tuple(r.code for r in applied.reset),
                applied.tournament_completed,
            )
        return await _release(uow, tournament, registration, actor, reason, applied, row=row)


async def _release(
    uow: UnitOfWork,
    tournament: Tournament,
    registration: Registration,
    actor: Actor,
    reason: str,
    applied: Applied,
    *,
    row: MatchRow | None = None,
) -> OverrideOutcome:
    await release_slot(
        uow,
        registration.id,
        RegistrationStatus.DISQUALIFIED,
        actor_id=actor.user_id,
        reason=reason,
    )
    shown = row if row is not None else (applied.completed[0] if applied.completed else None)
    if shown is None:
        # Nothing left to play for them: the withdrawal changed no match.
        shown = await uow.session.scalar(
            select(MatchRow)
            .where(
                MatchRow.tournament_id == tournament.id,
                (MatchRow.registration_a_id == registration.id)
                | (MatchRow.registration_b_id == registration.id),
            )
            .order_by(MatchRow.id.desc())
        )
    if shown is None:
        raise Conflict(
            msg(
                "{display_name} has no match in this bracket.",
                display_name=registration.display_name,
            )
        )
    return OverrideOutcome(
        await load_lobby(uow.session, shown),
        tuple(r.code for r in applied.reset),
        applied.tournament_completed,
        disqualified_registration_id=registration.id,
    )


async def _active_registration(
    uow: UnitOfWork, tournament: Tournament, user_id: int
) -> Registration:
    registration = await uow.session.scalar(
        select(Registration)
        .join(RegistrationMember, RegistrationMember.registration_id == Registration.id)
        .where(
            Registration.tournament_id == tournament.id,
            RegistrationMember.user_id == user_id,
        )
    )
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        state = (
            msg("is not in")
            if registration is None
            else msg("is {status} in", status=registration.status)
        )
        raise NotFound(
            msg(
                "{user} {state} {name}, so there is nobody to disqualify. Check the "
                "player and the tournament.",
                user=User(user_id),
                state=state,
                name=tournament.name,
            )
        )
    return registration


async def _organizer_match(
    uow: UnitOfWork, actor: Actor, tournament_id: int, code: str
) -> MatchRow:
    match_id = await uow.session.scalar(
        select(MatchRow.id).where(
            MatchRow.tournament_id == tournament_id, MatchRow.code == code.strip().upper()
        )
    )
    if match_id is None:
        raise NotFound(
            msg(
                "There is no match {code} in this tournament; codes look like W1-2 (see "
                "{bracket}).",
                code=code.strip(),
                bracket=Command("bracket"),
            )
        )
    tournament, row = await lock_match(uow, match_id)
    await require_tournament_organizer(uow.session, actor, tournament)
    return row


def audit_override(uow: UnitOfWork, row: MatchRow, actor: Actor, action: str, before: dict) -> None:
    uow.audit(
        guild_id=row.guild_id,
        actor_id=actor.user_id,
        action=action,
        target_type="match",
        target_id=row.id,
        before=before,
        after={
            "status": row.status,
            "scores": [row.score_a, row.score_b],
            "winner_registration_id": row.winner_registration_id,
            "outcome": row.outcome,
        },
    )
