"""Building a new entry: the checks /register makes before a registration row exists.

The tournament must be open on this server, the entry (a solo player or a captain's team
with a fitting roster) must have everyone's in-game id, and nobody in it may already play
for another entry of the tournament. ``RegistrationService.prepare`` runs the checks early
(before the modal); ``register`` runs them again under the tournament lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from engine.entries._team_rules import registrable_roster
from engine.entries.profiles import ingame_ids
from engine.entries.views import status_words
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.text import Command, Text, Timestamp, User, msg
from engine.kernel.uow import UnitOfWork
from engine.tournaments import FieldView, lock_tournament
from storage.models import Game, Registration, RegistrationField, RegistrationMember, Tournament
from storage.models.enums import ParticipantType, RegistrationStatus, TournamentStatus

INGAME_FIELD_KEY = "ingame_id"  # a custom field with this key is prefilled from the profile


@dataclass(frozen=True)
class Entry:
    display_name: str
    team_id: int | None
    subject_type: str  # rankings subject: "player" | "team"
    subject_id: int
    members: Mapping[int, str | None]  # user id -> in-game id


def _when(moment: datetime) -> Timestamp:
    return Timestamp(moment, "f")


# From the start on, the field is fixed: no paying, registering, withdrawing or roster
# change touches a tournament in these states.
PLAYING_OR_OVER = frozenset(
    {
        TournamentStatus.LIVE,
        TournamentStatus.COMPLETED,
        TournamentStatus.ARCHIVED,
        TournamentStatus.CANCELLED,
    }
)


def refuse_after_start(tournament: Tournament, doing: Text) -> None:
    """Refuse ``doing`` (e.g. "pay the entry fee") once the tournament has started,
    finished or been cancelled, with a sentence saying which and that nothing changed."""
    name, status = tournament.name, tournament.status
    if status == TournamentStatus.LIVE:
        raise Conflict(
            msg(
                "{name} has already started, so you cannot {doing} any more. Nothing "
                "was changed or charged; if something is wrong, tell an organizer.",
                name=name,
                doing=doing,
            )
        )
    if status == TournamentStatus.CANCELLED:
        raise Conflict(
            msg(
                "{name} was cancelled, so you cannot {doing}. Nothing was changed or "
                "charged; fees already paid were refunded when it was cancelled.",
                name=name,
                doing=doing,
            )
        )
    if status in PLAYING_OR_OVER:
        raise Conflict(
            msg(
                "{name} is over, so you cannot {doing}. Nothing was changed or charged.",
                name=name,
                doing=doing,
            )
        )


def require_open(tournament: Tournament, now: datetime) -> None:
    name, status = tournament.name, tournament.status
    refuse_after_start(tournament, msg("register"))
    if status in (TournamentStatus.DRAFT, TournamentStatus.PUBLISHED):
        opens = tournament.registration_opens_at
        when = msg(" It opens {when}.", when=Timestamp(opens, "f")) if opens else ""
        raise Conflict(
            msg(
                "Registration for {name} is not open yet.{when} Try again then.",
                name=name,
                when=when,
            )
        )
    if status == TournamentStatus.CANCELLED:
        raise Conflict(msg("{name} was cancelled, so it takes no registrations.", name=name))
    closes = tournament.registration_closes_at
    if status != TournamentStatus.REGISTRATION_OPEN or (closes is not None and now >= closes):
        raise Conflict(
            msg(
                "Registration for {name} is closed. Look for another tournament with "
                "{tournament_list}.",
                name=name,
                tournament_list=Command("tournament list"),
            )
        )


async def tournament_for(
    session: AsyncSession, actor: Actor, tournament_id: int, *, lock: bool
) -> Tournament:
    tournament = (
        await lock_tournament(session, tournament_id)
        if lock
        else await session.get(Tournament, tournament_id)
    )
    if tournament is None or tournament.guild_id != actor.guild_id:
        raise NotFound(
            msg("That tournament does not exist on this server. Pick one from the list.")
        )
    return tournament


async def build_entry(
    session: AsyncSession,
    actor: Actor,
    tournament: Tournament,
    team_id: int | None,
    answers: Mapping[str, Any],
    *,
    defer_missing_id: bool = False,
) -> Entry:
    game = await session.get(Game, tournament.game_id)
    assert game is not None  # tournaments reference their game
    if tournament.participant_type == ParticipantType.TEAM:
        if team_id is None:
            raise InvalidInput(
                msg(
                    "{name} is a team tournament: choose your team in the team option.",
                    name=tournament.name,
                )
            )
        team = await registrable_roster(
            session, actor, team_id, tournament.team_size, game.team_size_max, tournament.name
        )
        known = await ingame_ids(session, game.guild_id, game.id, team.member_ids)
        missing = [uid for uid in team.member_ids if uid not in known]
        if missing:
            raise InvalidInput(
                msg(
                    "Everyone in {name} needs their {ingame_id_label} for {game_name} "
                    "set, and it is missing for: {users}. They can set it with "
                    "{profile_set}; then register again.",
                    name=team.name,
                    ingame_id_label=game.ingame_id_label,
                    game_name=game.name,
                    users=[User(u) for u in missing],
                    profile_set=Command("profile set"),
                )
            )
        members = {uid: known[uid] for uid in team.member_ids}
        return Entry(team.display_name, team.id, "team", team.id, members)
    if team_id is not None:
        raise InvalidInput(
            msg("{name} is a solo tournament: register without a team.", name=tournament.name)
        )
    known = await ingame_ids(session, game.guild_id, game.id, [actor.user_id])
    ingame = answers.get(INGAME_FIELD_KEY) or known.get(actor.user_id)
    if ingame is None and not defer_missing_id:
        raise InvalidInput(
            msg(
                "You have not set your {ingame_id_label} for {name} yet. Set it "
                "with {profile_set}, then register again.",
                ingame_id_label=game.ingame_id_label,
                name=game.name,
                profile_set=Command("profile set"),
            )
        )
    name = (actor.display_name or f"Player {actor.user_id}")[:64]
    solo: dict[int, str | None] = {actor.user_id: None if ingame is None else str(ingame)}
    return Entry(name, None, "player", actor.user_id, solo)


async def refuse_registered(
    session: AsyncSession, actor: Actor, tournament: Tournament, entry: Entry
) -> None:
    """Nobody plays for two entries of one tournament (alone or through another team)."""
    row = (
        await session.execute(
            select(
                RegistrationMember.user_id,
                Registration.display_name,
                Registration.status,
                Registration.team_id,
            )
            .join(Registration, Registration.id == RegistrationMember.registration_id)
            .where(
                RegistrationMember.tournament_id == tournament.id,
                RegistrationMember.user_id.in_(list(entry.members)),
            )
            .order_by(RegistrationMember.user_id != actor.user_id, RegistrationMember.user_id)
            .limit(1)
        )
    ).first()
    if row is None:
        return
    user_id, display_name, status, team_id = row
    if status == RegistrationStatus.DISQUALIFIED:
        raise Conflict(
            msg(
                "{user} was disqualified from {name} and cannot re-enter.",
                user=User(user_id),
                name=tournament.name,
            )
        )
    same_team = entry.team_id is not None and team_id == entry.team_id
    if same_team or (entry.team_id is None and user_id == actor.user_id):
        who = (
            msg("{display_name} is", display_name=entry.display_name)
            if same_team
            else msg("You are")
        )
        raise Conflict(
            msg(
                "{who} already registered for {name} ({status_words}). Use {unregister} "
                "first if you want to change the entry.",
                who=who,
                name=tournament.name,
                status_words=status_words(status),
                unregister=Command("unregister"),
            )
        )
    raise Conflict(
        msg(
            "{user} is already registered for {name} with {display_name}. A player can "
            "be in only one entry per tournament: they must leave that entry first.",
            user=User(user_id),
            name=tournament.name,
            display_name=display_name,
        )
    )


async def custom_fields(session: AsyncSession, tournament_id: int) -> tuple[FieldView, ...]:
    rows = await session.scalars(
        select(RegistrationField)
        .where(RegistrationField.tournament_id == tournament_id)
        .order_by(RegistrationField.position, RegistrationField.id)
    )
    return tuple(FieldView.of(r) for r in rows.all())


async def insert_members(
    uow: UnitOfWork, actor: Actor, tournament: Tournament, entry: Entry, registration_id: int
) -> None:
    session = uow.session
    try:
        # The unique (tournament, user) key is the final word if a check above was raced.
        async with session.begin_nested():
            session.add_all(
                RegistrationMember(
                    registration_id=registration_id,
                    tournament_id=tournament.id,
                    user_id=user_id,
                    ingame_id=ingame_id,
                )
                for user_id, ingame_id in entry.members.items()
            )
            await session.flush()
    except IntegrityError:
        await refuse_registered(session, actor, tournament, entry)
        raise Conflict(
            msg(
                "Someone in this entry was registered for {name} at the same moment. "
                "Check with {unregister} or try again.",
                name=tournament.name,
                unregister=Command("unregister"),
            )
        ) from None
