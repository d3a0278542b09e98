"""Team rules and row helpers shared by the team flows: names and tags, the captain's
rights, membership, and the roster a captain may register."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.entries.team_views import (
    TeamView,
    team_view,
)
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.kernel.text import Command, Text, User, msg, nmsg
from engine.kernel.uow import UnitOfWork
from storage.models import Registration, Team, TeamInvite, TeamMember, Tournament
from storage.models.enums import InviteStatus, RegistrationStatus, TournamentStatus

NAME_MIN, NAME_MAX = 2, 32
TAG = re.compile(r"^[A-Za-z0-9]{2,5}$")


ACTIVE_ENTRY = (
    RegistrationStatus.AWAITING_PAYMENT,
    RegistrationStatus.PAYMENT_REVIEW,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
)


TOURNAMENT_OVER = (
    TournamentStatus.COMPLETED,
    TournamentStatus.ARCHIVED,
    TournamentStatus.CANCELLED,
)


async def lock_team(session: AsyncSession, team_id: int, guild_id: int | None) -> Team:
    """The team row, locked, so roster changes of one team happen one at a time."""
    team = await session.scalar(select(Team).where(Team.id == team_id).with_for_update())
    if (
        team is None
        or team.disbanded_at is not None
        or (guild_id is not None and team.guild_id != guild_id)
    ):
        raise NotFound(
            msg(
                "That team does not exist (any more). Check the name with {team_roster}.",
                team_roster=Command("team roster"),
            )
        )
    return team


def require_captain(actor: Actor, team: Team, doing: Text) -> None:
    if actor.user_id != team.captain_id:
        raise PermissionDenied(
            msg(
                "Only the captain of {name}, {captain}, can {doing}.",
                name=team.name,
                captain=User(team.captain_id),
                doing=doing,
            )
        )


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not NAME_MIN <= len(cleaned) <= NAME_MAX:
        raise InvalidInput(
            msg(
                "A team name must be {name_min} to {name_max} characters long; pick another one.",
                name_min=NAME_MIN,
                name_max=NAME_MAX,
            )
        )
    return cleaned


def clean_tag(tag: str) -> str:
    cleaned = tag.strip()
    if not TAG.match(cleaned):
        raise InvalidInput(msg("A team tag is 2 to 5 letters or digits, for example “DCR”."))
    return cleaned.upper()


async def find_member(session: AsyncSession, team_id: int, user_id: int) -> TeamMember | None:
    return await session.scalar(
        select(TeamMember).where(TeamMember.team_id == team_id, TeamMember.user_id == user_id)
    )


async def refuse_if_playing(session: AsyncSession, team: Team, doing: Text) -> None:
    """A team in a started tournament keeps its roster until the tournament ends."""
    playing = await session.scalar(
        select(Tournament.name)
        .join(Registration, Registration.tournament_id == Tournament.id)
        .where(
            Registration.team_id == team.id,
            Registration.status.in_(ACTIVE_ENTRY),
            Tournament.status == TournamentStatus.LIVE,
        )
        .limit(1)
    )
    if playing is not None:
        raise Conflict(
            msg(
                "{name} is playing in {entry}, which has started, so its roster is locked "
                "and you cannot {doing} until it ends. Nothing was changed.",
                name=team.name,
                entry=playing,
                doing=doing,
            )
        )


async def refuse_if_registered(session: AsyncSession, team: Team, doing: Text) -> None:
    await refuse_if_playing(session, team, doing)
    entry = await session.scalar(
        select(Tournament.name)
        .join(Registration, Registration.tournament_id == Tournament.id)
        .where(
            Registration.team_id == team.id,
            Registration.status.in_(ACTIVE_ENTRY),
            Tournament.status.not_in(TOURNAMENT_OVER),
        )
        .limit(1)
    )
    if entry is not None:
        raise Conflict(
            msg(
                "{name} is registered for {entry}, so its roster is locked and you "
                "cannot {doing} now. The captain can withdraw the team with {unregister} "
                "first.",
                name=team.name,
                entry=entry,
                doing=doing,
                unregister=Command("unregister"),
            )
        )


def refuse_answered(invite: TeamInvite, team: Team) -> None:
    """A second click, a late click, or a click on a cancelled invite changes nothing."""
    if invite.status == InviteStatus.ACCEPTED:
        raise Conflict(msg("You already accepted this invite: you are in {name}.", name=team.name))
    if invite.status == InviteStatus.DECLINED:
        raise Conflict(
            msg(
                "You already declined this invite to {name}. Ask the captain for a new "
                "one if you changed your mind.",
                name=team.name,
            )
        )
    if invite.status == InviteStatus.CANCELLED or team.disbanded_at is not None:
        raise Conflict(msg("This invite was cancelled (the team was disbanded or changed)."))


async def cancel_pending_invites(uow: UnitOfWork, team: Team) -> None:
    pending = (
        await uow.session.scalars(
            select(TeamInvite)
            .where(TeamInvite.team_id == team.id, TeamInvite.status == InviteStatus.PENDING)
            .with_for_update()
        )
    ).all()
    for invite in pending:
        invite.status = InviteStatus.CANCELLED
        invite.decided_at = uow.clock.now()


def audit_member(uow: UnitOfWork, actor: Actor, team: Team, action: str, user_id: int) -> None:
    uow.audit(
        guild_id=team.guild_id,
        actor_id=actor.user_id,
        action=action,
        target_type="team",
        target_id=team.id,
        before={"member": user_id},
        after=None,
    )


async def registrable_roster(
    session: AsyncSession, actor: Actor, team_id: int, team_size: int, size_max: int, event: str
) -> TeamView:
    """The team a captain enters into ``event``, with a roster that fits its team size.

    ``team_size`` players are needed; up to ``size_max`` (the game's maximum) may be on the
    roster, the extra ones as substitutes.
    """
    team = await session.get(Team, team_id)
    if team is None or team.disbanded_at is not None or team.guild_id != actor.guild_id:
        raise NotFound(
            msg("That team does not exist (any more). Pick one of your teams from the list.")
        )
    require_captain(actor, team, msg("register it for {event}", event=event))
    view = await team_view(session, team)
    count, size_max = len(view.members), max(team_size, size_max)
    if count < team_size:
        raise InvalidInput(
            nmsg(
                "{name} has {n} player but {event} needs teams of {team_size}. Invite "
                "more players with {team_invite}, then register again.",
                "{name} has {n} players but {event} needs teams of {team_size}. Invite "
                "more players with {team_invite}, then register again.",
                count,
                name=team.name,
                event=event,
                team_size=team_size,
                team_invite=Command("team invite"),
            )
        )
    if count > size_max:
        raise InvalidInput(
            msg(
                "{name} has {count} players but {event} allows at most {size_max} "
                "({team_size} plus substitutes). Remove someone with {team_kick} first.",
                name=team.name,
                count=count,
                event=event,
                size_max=size_max,
                team_size=team_size,
                team_kick=Command("team kick"),
            )
        )
    return view
