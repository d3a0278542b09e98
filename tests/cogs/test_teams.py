"""/team create → invite → Accept button → team /register, through the real client."""

from __future__ import annotations

from storage.models.enums import RegistrationStatus
from testkit.registration_helpers import make_game, make_tournament, set_ids
from tests.cogs.conftest import Arena
from tests.cogs.test_registration import configured, roster_showing


async def _team(arena: Arena) -> int:
    created = await arena.slash(
        arena.players[0], "team create", {"name": "Night Owls", "tag": "owl"}
    )
    assert created.ephemeral and created.embeds[0]["title"] == "Team [OWL] Night Owls created"
    [team] = await arena.env.services.teams.teams_of(arena.guild.id, arena.players[0].id)
    return team.id


async def test_invite_accept_by_button_then_register_the_team(arena: Arena) -> None:
    services, fake = arena.env.services, arena.env.fake
    await configured(arena)
    captain, mate = arena.players
    team_id = await _team(arena)

    sent = await arena.slash(captain, "team invite", {"team": str(team_id), "member": mate.id})
    assert sent.ephemeral and "Invite sent" in sent.content
    dm = await fake.wait_for_message(
        lambda m: m.channel_id == fake.dm_channel(mate).id and "Night Owls" in m.content
    )
    invite = await _pending_invite(arena, team_id, mate.id)
    accept, decline = f"dc:invite:{invite}:accept", f"dc:invite:{invite}:decline"
    assert set(dm.custom_ids()) == {accept, decline}

    clicked = await (await fake.click(mate, dm, accept)).answer()
    assert "You joined **[OWL] Night Owls**" in clicked.content
    assert clicked.components == []  # the buttons are gone once answered
    roster = await services.teams.roster(team_id)
    assert roster.member_ids == (captain.id, mate.id)
    await fake.wait_for_message(
        lambda m: m.channel_id == fake.dm_channel(captain).id and "joined" in m.content
    )

    shown = await arena.slash(mate, "team roster", {"team": str(team_id)})
    assert f"<@{mate.id}>" in str(shown.embeds)

    game = await make_game(services.db, services.clock, arena.guild.id, sizes=(2, 2))
    tid = await make_tournament(services.db, services.clock, arena.guild.id, game, team_size=2)
    missing = await arena.ask(captain, "register", {"tournament": str(tid), "team": str(team_id)})
    assert missing.ephemeral and f"<@{mate.id}>" in missing.content
    await set_ids(services, arena.guild.id, game, captain.id, mate.id)
    by_member = await arena.ask(mate, "register", {"tournament": str(tid), "team": str(team_id)})
    assert by_member.ephemeral and "Only the captain" in by_member.content

    registered = await arena.ask(
        captain, "register", {"tournament": str(tid), "team": str(team_id)}
    )
    assert registered.embeds[0]["title"] == "Registered: Winter Cup"
    view = await services.registration.registration_for(tid, mate.id)
    assert view.status == RegistrationStatus.CONFIRMED and view.team_id == team_id
    # The tag's bracket is escaped (Discord shows it without the backslash).
    await roster_showing(arena, "Winter Cup", "\\[OWL] Night Owls")

    leave = await arena.slash(mate, "team leave", {"team": str(team_id)})
    assert leave.ephemeral and "roster is locked" in leave.content
    await arena.env.settle()


async def test_closed_dms_put_the_invite_in_the_channel_and_strangers_are_refused(
    arena: Arena,
) -> None:
    services, fake = arena.env.services, arena.env.fake
    await configured(arena)
    captain, mate = arena.players
    team_id = await _team(arena)
    mate.user.accepts_dms = False

    await arena.slash(captain, "team invite", {"team": str(team_id), "member": mate.id})
    posted = await fake.wait_for_message(
        lambda m: (
            m.channel_id == arena.announcements.id
            and f"<@{mate.id}>" in m.content
            and "could not DM you" in m.content
        )
    )
    invite = await _pending_invite(arena, team_id, mate.id)

    stranger = await (await fake.click(arena.owner, posted, f"dc:invite:{invite}:accept")).answer()
    assert stranger.ephemeral and stranger.content == "This invite is not for you."
    assert (await services.teams.roster(team_id)).member_ids == (captain.id,)

    declined = await (await fake.click(mate, posted, f"dc:invite:{invite}:decline")).answer()
    assert "declined" in declined.content
    assert (await services.teams.get_invite(invite)).status == "declined"
    assert (await services.teams.roster(team_id)).member_ids == (captain.id,)

    kicked_self = await arena.slash(captain, "team leave", {"team": str(team_id)})
    assert "/team transfer" in kicked_self.content
    await arena.env.settle()


async def _pending_invite(arena: Arena, team_id: int, user_id: int) -> int:
    from sqlalchemy import select

    from storage.models import TeamInvite

    async with arena.env.services.db.read() as session:
        return await session.scalar(
            select(TeamInvite.id)
            .where(TeamInvite.team_id == team_id, TeamInvite.user_id == user_id)
            .order_by(TeamInvite.id.desc())
        )
