"""Teams: create, invite, accept/decline, leave, kick, hand over, disband, roster.

A member may play in several teams of a server; registration makes sure nobody plays
for two entries of the same tournament. While a team has an active entry in a
tournament that is not over, its roster is frozen (the registered members are the ones
who play), so leaving and kicking are refused until the captain withdraws it.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engine.entries._team_rules import (
    ACTIVE_ENTRY,
    audit_member,
    cancel_pending_invites,
    clean_name,
    clean_tag,
    find_member,
    lock_team,
    refuse_answered,
    refuse_if_playing,
    refuse_if_registered,
    registrable_roster,
    require_captain,
)
from engine.entries.events import (
    TeamCaptainChanged,
    TeamCreated,
    TeamDisbanded,
    TeamInviteAnswered,
    TeamInviteSent,
    TeamMemberKicked,
    TeamMemberLeft,
)
from engine.entries.team_views import (
    InviteView,
    TeamMemberView,
    TeamView,
    invite_view_of,
    team_view,
)
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.kernel.text import Command, User, msg
from engine.kernel.typed import row_id
from engine.kernel.uow import ServiceContext
from storage.models import Team, TeamInvite, TeamMember
from storage.models.enums import InviteStatus, TeamRole

# The views moved to team_views; re-exported because callers import them from here.
__all__ = [
    "ACTIVE_ENTRY",
    "InviteView",
    "TeamMemberView",
    "TeamService",
    "TeamView",
    "lock_team",
    "registrable_roster",
    "team_view",
]


class TeamService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def create(self, actor: Actor, name: str, tag: str) -> TeamView:
        """``/team create``: a new team with the actor as its captain."""
        if actor.guild_id is None:
            raise InvalidInput(
                msg(
                    "Teams belong to a server; use {team_create} inside one.",
                    team_create=Command("team create"),
                )
            )
        cleaned, cleaned_tag = clean_name(name), clean_tag(tag)
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            taken = await session.scalar(
                select(Team.id).where(
                    Team.guild_id == actor.guild_id, func.lower(Team.name) == cleaned.lower()
                )
            )
            if taken is not None:
                raise Conflict(
                    msg(
                        "A team called “{cleaned}” already exists here; pick another name.",
                        cleaned=cleaned,
                    )
                )
            now = uow.clock.now()
            team = Team(
                guild_id=actor.guild_id,
                name=cleaned,
                tag=cleaned_tag,
                captain_id=actor.user_id,
                created_at=now,
            )
            try:
                async with session.begin_nested():
                    session.add(team)
                    await session.flush()
            except IntegrityError:
                raise Conflict(
                    msg(
                        "A team called “{cleaned}” was just created by someone else; "
                        "pick another name.",
                        cleaned=cleaned,
                    )
                ) from None
            session.add(
                TeamMember(
                    team_id=team.id, user_id=actor.user_id, role=TeamRole.CAPTAIN, joined_at=now
                )
            )
            await session.flush()
            uow.audit(
                guild_id=actor.guild_id,
                actor_id=actor.user_id,
                action="team.create",
                target_type="team",
                target_id=team.id,
                after={"name": cleaned, "tag": cleaned_tag, "captain_id": actor.user_id},
            )
            uow.emit(
                TeamCreated(
                    guild_id=actor.guild_id,
                    team_id=team.id,
                    name=cleaned,
                    tag=cleaned_tag,
                    captain_id=actor.user_id,
                )
            )
            return await team_view(session, team)

    async def invite(
        self, actor: Actor, team_id: int, user_id: int, *, channel_id: int | None = None
    ) -> InviteView:
        """``/team invite``: one pending invite per (team, member); the invitee answers later."""
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            team = await lock_team(session, team_id, actor.guild_id)
            require_captain(actor, team, msg("invite players"))
            await refuse_if_playing(session, team, msg("invite players"))
            if user_id == actor.user_id:
                raise InvalidInput(msg("You are already in your own team; invite someone else."))
            if await find_member(session, team.id, user_id) is not None:
                raise Conflict(
                    msg("{user} is already in {name}.", user=User(user_id), name=team.name)
                )
            pending = await session.scalar(
                select(TeamInvite.id).where(
                    TeamInvite.team_id == team.id,
                    TeamInvite.user_id == user_id,
                    TeamInvite.status == InviteStatus.PENDING,
                )
            )
            if pending is not None:
                raise Conflict(
                    msg(
                        "{user} already has an invite to {name} waiting; they can accept "
                        "it from their DMs.",
                        user=User(user_id),
                        name=team.name,
                    )
                )
            invite = TeamInvite(
                team_id=team.id,
                user_id=user_id,
                inviter_id=actor.user_id,
                status=InviteStatus.PENDING,
                created_at=uow.clock.now(),
            )
            session.add(invite)
            await session.flush()
            uow.audit(
                guild_id=team.guild_id,
                actor_id=actor.user_id,
                action="team.invite",
                target_type="team_invite",
                target_id=invite.id,
                after={"team_id": team.id, "user_id": user_id, "status": invite.status},
            )
            uow.emit(
                TeamInviteSent(
                    guild_id=team.guild_id,
                    invite_id=invite.id,
                    team_id=team.id,
                    team_name=team.name,
                    team_tag=team.tag,
                    user_id=user_id,
                    inviter_id=actor.user_id,
                    channel_id=channel_id,
                )
            )
            return invite_view_of(invite, team)

    async def answer_invite(self, actor: Actor, invite_id: int, accept: bool) -> InviteView:
        """The Accept/Decline buttons. Only the invitee, only once, only while pending."""
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            invite = await session.scalar(
                select(TeamInvite).where(TeamInvite.id == invite_id).with_for_update()
            )
            if invite is None:
                raise NotFound(msg("This invite no longer exists; ask the captain for a new one."))
            if invite.user_id != actor.user_id:
                raise PermissionDenied(msg("This invite is not for you."))
            team = await session.scalar(
                select(Team).where(Team.id == invite.team_id).with_for_update()
            )
            assert team is not None  # invites cascade with their team
            refuse_answered(invite, team)
            if accept:
                await refuse_if_playing(session, team, msg("join it"))
            if accept and await find_member(session, team.id, actor.user_id) is None:
                session.add(
                    TeamMember(
                        team_id=team.id,
                        user_id=actor.user_id,
                        role=TeamRole.MEMBER,
                        joined_at=uow.clock.now(),
                    )
                )
            invite.status = InviteStatus.ACCEPTED if accept else InviteStatus.DECLINED
            invite.decided_at = uow.clock.now()
            await session.flush()
            uow.audit(
                guild_id=team.guild_id,
                actor_id=actor.user_id,
                action="team.invite_accept" if accept else "team.invite_decline",
                target_type="team_invite",
                target_id=invite.id,
                before={"status": InviteStatus.PENDING.value},
                after={"status": invite.status},
            )
            uow.emit(
                TeamInviteAnswered(
                    guild_id=team.guild_id,
                    invite_id=invite.id,
                    team_id=team.id,
                    team_name=team.name,
                    user_id=actor.user_id,
                    inviter_id=invite.inviter_id,
                    accepted=accept,
                )
            )
            return invite_view_of(invite, team)

    async def leave(self, actor: Actor, team_id: int) -> TeamView:
        """``/team leave``. The captain must hand over (or disband) first."""
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            team = await lock_team(session, team_id, actor.guild_id)
            member = await find_member(session, team.id, actor.user_id)
            if member is None:
                raise NotFound(msg("You are not in {name}.", name=team.name))
            if team.captain_id == actor.user_id:
                raise Conflict(
                    msg(
                        "You are the captain of {name}, so you cannot just leave: hand "
                        "the team over with {team_transfer}, or end it with "
                        "{team_disband}.",
                        name=team.name,
                        team_transfer=Command("team transfer"),
                        team_disband=Command("team disband"),
                    )
                )
            await refuse_if_registered(session, team, msg("leave"))
            await session.delete(member)
            await session.flush()
            audit_member(uow, actor, team, "team.leave", actor.user_id)
            uow.emit(
                TeamMemberLeft(
                    guild_id=team.guild_id,
                    team_id=team.id,
                    team_name=team.name,
                    user_id=actor.user_id,
                    captain_id=team.captain_id,
                )
            )
            return await team_view(session, team)

    async def kick(self, actor: Actor, team_id: int, user_id: int) -> TeamView:
        """``/team kick``: captain only; a pending invite to the same player is cancelled too."""
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            team = await lock_team(session, team_id, actor.guild_id)
            require_captain(actor, team, msg("remove players"))
            if user_id == actor.user_id:
                raise InvalidInput(
                    msg(
                        "You cannot kick yourself. Hand the team over with "
                        "{team_transfer} or end it with {team_disband}.",
                        team_transfer=Command("team transfer"),
                        team_disband=Command("team disband"),
                    )
                )
            member = await find_member(session, team.id, user_id)
            if member is None:
                raise NotFound(msg("{user} is not in {name}.", user=User(user_id), name=team.name))
            await refuse_if_registered(session, team, msg("remove players"))
            await session.delete(member)
            await session.flush()
            audit_member(uow, actor, team, "team.kick", user_id)
            uow.emit(
                TeamMemberKicked(
                    guild_id=team.guild_id,
                    team_id=team.id,
                    team_name=team.name,
                    user_id=user_id,
                    actor_id=actor.user_id,
                )
            )
            return await team_view(session, team)

    async def transfer(self, actor: Actor, team_id: int, user_id: int) -> TeamView:
        """``/team transfer``: hand the captaincy to another member."""
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            team = await lock_team(session, team_id, actor.guild_id)
            require_captain(actor, team, msg("hand the team over"))
            new = await find_member(session, team.id, user_id)
            if new is None or user_id == actor.user_id:
                raise InvalidInput(
                    msg(
                        "Pick another member of {name} as the new captain (see {team_roster}).",
                        name=team.name,
                        team_roster=Command("team roster"),
                    )
                )
            # The entry was made by this captain (it pays and withdraws in their name).
            await refuse_if_registered(session, team, msg("hand the captaincy over"))
            old = await find_member(session, team.id, actor.user_id)
            assert old is not None  # the captain is always a member
            old.role, new.role = TeamRole.MEMBER, TeamRole.CAPTAIN
            team.captain_id = user_id
            await session.flush()
            uow.audit(
                guild_id=team.guild_id,
                actor_id=actor.user_id,
                action="team.transfer",
                target_type="team",
                target_id=team.id,
                before={"captain_id": actor.user_id},
                after={"captain_id": user_id},
            )
            uow.emit(
                TeamCaptainChanged(
                    guild_id=team.guild_id,
                    team_id=team.id,
                    team_name=team.name,
                    old_captain_id=actor.user_id,
                    new_captain_id=user_id,
                )
            )
            return await team_view(session, team)

    async def disband(self, actor: Actor, team_id: int) -> TeamView:
        """``/team disband``: the team ends; its pending invites are cancelled."""
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            team = await lock_team(session, team_id, actor.guild_id)
            require_captain(actor, team, msg("disband the team"))
            await refuse_if_registered(session, team, msg("disband it"))
            view = await team_view(session, team)
            await cancel_pending_invites(uow, team)
            team.disbanded_at = uow.clock.now()
            # Free the name (unique per server) while history keeps the team row.
            team.name = f"{team.name} (disbanded #{team.id})"[:64]
            await session.flush()
            uow.audit(
                guild_id=team.guild_id,
                actor_id=actor.user_id,
                action="team.disband",
                target_type="team",
                target_id=team.id,
                before={"name": view.name, "members": list(view.member_ids)},
            )
            uow.emit(
                TeamDisbanded(
                    guild_id=team.guild_id,
                    team_id=team.id,
                    team_name=view.name,
                    captain_id=team.captain_id,
                    member_ids=list(view.member_ids),
                )
            )
            return view

    async def roster(self, team_id: int, guild_id: int | None = None) -> TeamView:
        async with self._ctx.read() as session:
            team = await session.get(Team, team_id)
            if (
                team is None
                or team.disbanded_at is not None
                or (guild_id is not None and team.guild_id != guild_id)
            ):
                raise NotFound(msg("That team does not exist (any more). Pick one from the list."))
            return await team_view(session, team)

    async def teams_of(
        self, guild_id: int, user_id: int, *, captain_only: bool = False, prefix: str = ""
    ) -> list[TeamView]:
        """The member's live teams in a server (for autocomplete and pickers)."""
        query = (
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(
                Team.guild_id == guild_id,
                Team.disbanded_at.is_(None),
                TeamMember.user_id == user_id,
            )
            .order_by(Team.name)
        )
        if captain_only:
            query = query.where(Team.captain_id == user_id)
        if prefix.strip():
            query = query.where(
                func.lower(Team.name).contains(prefix.strip().lower(), autoescape=True)
            )
        async with self._ctx.read() as session:
            teams = (await session.scalars(query.limit(25))).all()
            return [await team_view(session, t) for t in teams]

    async def search(self, guild_id: int, prefix: str = "", limit: int = 25) -> list[TeamView]:
        """Any live team of the server whose name contains ``prefix``."""
        query = select(Team).where(Team.guild_id == guild_id, Team.disbanded_at.is_(None))
        if prefix.strip():
            query = query.where(
                func.lower(Team.name).contains(prefix.strip().lower(), autoescape=True)
            )
        async with self._ctx.read() as session:
            teams = (await session.scalars(query.order_by(Team.name).limit(limit))).all()
            return [await team_view(session, t) for t in teams]

    async def resolve(self, guild_id: int, text: str) -> int:
        """The id of a team picked from autocomplete (its id) or typed by name or tag."""
        text = text.strip()
        async with self._ctx.read() as session:
            if (wanted := row_id(text)) is not None:
                team = await session.get(Team, wanted)
                if team is not None and team.guild_id == guild_id and team.disbanded_at is None:
                    return team.id
            found = (
                await session.scalars(
                    select(Team.id).where(
                        Team.guild_id == guild_id,
                        Team.disbanded_at.is_(None),
                        (func.lower(Team.name) == text.lower()) | (Team.tag == text.upper()),
                    )
                )
            ).all()
        if len(found) != 1:
            raise NotFound(
                msg(
                    "I could not find one team called “{text}”. Pick a team from the list.",
                    text=text[:40],
                )
            )
        return found[0]

    async def get_invite(self, invite_id: int) -> InviteView:
        async with self._ctx.read() as session:
            invite = await session.get(TeamInvite, invite_id)
            if invite is None:
                raise NotFound(msg("This invite no longer exists; ask the captain for a new one."))
            team = await session.get(Team, invite.team_id)
            assert team is not None
            return invite_view_of(invite, team)
