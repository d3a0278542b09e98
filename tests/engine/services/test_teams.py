"""Teams: create, invites (one pending per player, only the invitee answers, once), leave,
kick, hand-over, disband, and the roster lock while registered."""

from __future__ import annotations

import pytest

from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.services import Services
from storage.models import TeamInvite, TeamMember
from storage.models.enums import InviteStatus
from testkit.registration_helpers import (
    count_rows,
    make_game,
    make_tournament,
    outbox_types,
    player,
    set_ids,
)


@pytest.fixture
def guild(new_id) -> int:
    return new_id()


async def _team_of(services: Services, guild_id: int, captain: int, *members: int):
    team = await services.teams.create(player(guild_id, captain), "Night Owls", "owl")
    for member in members:
        invite = await services.teams.invite(player(guild_id, captain), team.id, member)
        await services.teams.answer_invite(player(guild_id, member), invite.id, True)
    return await services.teams.roster(team.id)


async def test_create_invite_accept_roster(services: Services, db, guild, new_id) -> None:
    cap, mate = new_id(), new_id()
    team = await services.teams.create(player(guild, cap), "  Night   Owls ", "owl")
    assert (team.name, team.tag, team.captain_id) == ("Night Owls", "OWL", cap)
    assert team.member_ids == (cap,) and team.display_name == "[OWL] Night Owls"

    invite = await services.teams.invite(player(guild, cap), team.id, mate, channel_id=5)
    assert invite.status == InviteStatus.PENDING
    answered = await services.teams.answer_invite(player(guild, mate), invite.id, True)
    assert answered.status == InviteStatus.ACCEPTED
    roster = await services.teams.roster(team.id)
    assert roster.member_ids == (cap, mate) and roster.members[0].role == "captain"
    assert [t.id for t in await services.teams.teams_of(guild, mate)] == [team.id]
    assert await services.teams.teams_of(guild, mate, captain_only=True) == []
    types = await outbox_types(db, guild)
    assert {"team.created", "team.invite_sent", "team.invite_answered"} <= set(types)
    actions = [e.action for e in await services.audit.recent(guild, action_prefix="team.")]
    assert actions == ["team.invite_accept", "team.invite", "team.create"]


async def test_bad_names_and_duplicates_are_refused(services: Services, db, guild, new_id):
    cap = new_id()
    await services.teams.create(player(guild, cap), "Night Owls", "OWL")
    with pytest.raises(Conflict):
        await services.teams.create(player(guild, new_id()), "night owls", "NO")
    with pytest.raises(InvalidInput):
        await services.teams.create(player(guild, cap), "X", "OK")
    with pytest.raises(InvalidInput):
        await services.teams.create(player(guild, cap), "Fine Name", "!!")
    assert len(await services.audit.recent(guild, action_prefix="team.")) == 1


async def test_invite_rules(services: Services, db, guild, new_id) -> None:
    cap, mate, stranger = new_id(), new_id(), new_id()
    team = await services.teams.create(player(guild, cap), "Night Owls", "OWL")
    invite = await services.teams.invite(player(guild, cap), team.id, mate)
    with pytest.raises(Conflict) as caught:
        await services.teams.invite(player(guild, cap), team.id, mate)
    assert "already has an invite" in caught.value.message
    with pytest.raises(PermissionDenied):
        await services.teams.invite(player(guild, stranger), team.id, new_id())
    with pytest.raises(InvalidInput):
        await services.teams.invite(player(guild, cap), team.id, cap)

    # A stranger clicking someone else's invite changes nothing.
    with pytest.raises(PermissionDenied) as caught:
        await services.teams.answer_invite(player(guild, stranger), invite.id, True)
    assert caught.value.message == "This invite is not for you."
    assert (await services.teams.roster(team.id)).member_ids == (cap,)
    assert (await services.teams.get_invite(invite.id)).status == InviteStatus.PENDING

    await services.teams.answer_invite(player(guild, mate), invite.id, False)
    with pytest.raises(Conflict) as caught:
        await services.teams.answer_invite(player(guild, mate), invite.id, True)
    assert "already declined" in caught.value.message
    assert (await services.teams.roster(team.id)).member_ids == (cap,)
    assert await count_rows(db, TeamInvite, TeamInvite.team_id == team.id) == 1

    # After a decline a new invite may be sent; a second accept click changes nothing.
    again = await services.teams.invite(player(guild, cap), team.id, mate)
    await services.teams.answer_invite(player(guild, mate), again.id, True)
    with pytest.raises(Conflict):
        await services.teams.answer_invite(player(guild, mate), again.id, True)
    assert await count_rows(db, TeamMember, TeamMember.team_id == team.id) == 2
    with pytest.raises(Conflict):
        await services.teams.invite(player(guild, cap), team.id, mate)


async def test_leave_kick_transfer_disband(services: Services, db, guild, new_id) -> None:
    cap, a, b, outsider = new_id(), new_id(), new_id(), new_id()
    team = await _team_of(services, guild, cap, a, b)
    with pytest.raises(Conflict) as caught:
        await services.teams.leave(player(guild, cap), team.id)
    assert "/team transfer" in caught.value.message and "/team disband" in caught.value.message
    with pytest.raises(PermissionDenied):
        await services.teams.kick(player(guild, a), team.id, b)
    with pytest.raises(NotFound):
        await services.teams.leave(player(guild, outsider), team.id)
    assert (await services.teams.roster(team.id)).member_ids == (cap, a, b)

    assert (await services.teams.leave(player(guild, a), team.id)).member_ids == (cap, b)
    assert (await services.teams.kick(player(guild, cap), team.id, b)).member_ids == (cap,)
    assert {"team.member_left", "team.member_kicked"} <= set(await outbox_types(db, guild))

    invitee = new_id()
    pending = await services.teams.invite(player(guild, cap), team.id, invitee)
    mate = new_id()
    invite = await services.teams.invite(player(guild, cap), team.id, mate)
    await services.teams.answer_invite(player(guild, mate), invite.id, True)
    moved = await services.teams.transfer(player(guild, cap), team.id, mate)
    assert moved.captain_id == mate and moved.members[0].user_id == mate
    await services.teams.leave(player(guild, cap), team.id)

    await services.teams.disband(player(guild, mate), team.id)
    with pytest.raises(NotFound):
        await services.teams.roster(team.id)
    with pytest.raises(Conflict) as caught:
        await services.teams.answer_invite(player(guild, invitee), pending.id, True)
    assert "cancelled" in caught.value.message
    # The name is free again.
    await services.teams.create(player(guild, cap), "Night Owls", "OWL")


async def test_roster_is_locked_while_registered(services: Services, db, clock, guild, new_id):
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game, team_size=2)
    cap, mate = new_id(), new_id()
    team = await _team_of(services, guild, cap, mate)
    await set_ids(services, guild, game, cap, mate)
    await services.registration.register(player(guild, cap), tid, team_id=team.id)
    with pytest.raises(Conflict) as caught:
        await services.teams.leave(player(guild, mate), team.id)
    assert "registered for Winter Cup" in caught.value.message
    with pytest.raises(Conflict):
        await services.teams.kick(player(guild, cap), team.id, mate)
    with pytest.raises(Conflict):
        await services.teams.disband(player(guild, cap), team.id)
    # The entry pays and withdraws in the captain's name: no hand-over while registered.
    with pytest.raises(Conflict, match="hand the captaincy over"):
        await services.teams.transfer(player(guild, cap), team.id, mate)
    roster = await services.teams.roster(team.id)
    assert roster.member_ids == (cap, mate) and roster.captain_id == cap
    await services.registration.unregister(player(guild, cap), tid)
    await services.teams.leave(player(guild, mate), team.id)
