"""What the team service shows: frozen views of teams, their members and invites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Team, TeamInvite, TeamMember
from storage.models.enums import TeamRole


@dataclass(frozen=True)
class TeamMemberView:
    user_id: int
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class TeamView:
    id: int
    guild_id: int
    name: str
    tag: str
    captain_id: int
    created_at: datetime
    members: tuple[TeamMemberView, ...]

    @property
    def display_name(self) -> str:
        return f"[{self.tag}] {self.name}"

    @property
    def member_ids(self) -> tuple[int, ...]:
        return tuple(m.user_id for m in self.members)


@dataclass(frozen=True)
class InviteView:
    id: int
    team_id: int
    team_name: str
    team_tag: str
    user_id: int
    inviter_id: int
    status: str


async def team_view(session: AsyncSession, team: Team) -> TeamView:
    members = (
        await session.scalars(
            select(TeamMember)
            .where(TeamMember.team_id == team.id)
            .order_by(TeamMember.joined_at, TeamMember.id)
        )
    ).all()
    # The captain first, then members in the order they joined.
    ordered = sorted(members, key=lambda m: m.role != TeamRole.CAPTAIN)
    return TeamView(
        id=team.id,
        guild_id=team.guild_id,
        name=team.name,
        tag=team.tag,
        captain_id=team.captain_id,
        created_at=team.created_at,
        members=tuple(TeamMemberView(m.user_id, m.role, m.joined_at) for m in ordered),
    )


def invite_view_of(invite: TeamInvite, team: Team) -> InviteView:
    return InviteView(
        id=invite.id,
        team_id=team.id,
        team_name=team.name,
        team_tag=team.tag,
        user_id=invite.user_id,
        inviter_id=invite.inviter_id,
        status=invite.status,
    )
