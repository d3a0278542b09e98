"""/team — create a team, invite players (Accept/Decline buttons), leave, kick, roster."""

from __future__ import annotations

import re
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from cogs._autocomplete import GameId
from cogs._errors import answer_error
from cogs._interactions import ORGANIZER_EXTRA, actor_of, cog_host, services_of
from cogs._members import ServerMember
from cogs._safe import user_text
from engine.entries import InviteView, RankingView, TeamView
from engine.kernel.errors import InvalidInput
from engine.services import Services

TeamScope = Literal["captain", "member", "any"]


class TeamPicker(app_commands.Transformer):
    """Autocompletes teams (the user's, the user's captained ones, or all) and hands the
    command the team id; a typed name or tag works too."""

    def __init__(self, scope: TeamScope = "any") -> None:
        self._scope = scope

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def transform(self, interaction: discord.Interaction, value: str) -> int:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return await services_of(interaction).teams.resolve(interaction.guild_id, value)

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        return await team_choices(interaction, value, self._scope)


def _players(count: int) -> str:
    return f"{count} player" if count == 1 else f"{count} players"


async def team_choices(
    interaction: discord.Interaction, current: str, scope: TeamScope
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    teams = services_of(interaction).teams
    if scope == "any":
        found = await teams.search(interaction.guild_id, current)
    else:
        found = await teams.teams_of(
            interaction.guild_id,
            interaction.user.id,
            captain_only=scope == "captain",
            prefix=current,
        )
    return [
        app_commands.Choice(
            name=f"{t.display_name} · {_players(len(t.members))}"[:100], value=str(t.id)
        )
        for t in found
    ]


CaptainTeam = app_commands.Transform[int, TeamPicker("captain")]
MemberTeam = app_commands.Transform[int, TeamPicker("member")]
AnyTeam = app_commands.Transform[int, TeamPicker("any")]


class InviteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dc:invite:(?P<invite_id>\d+):(?P<decision>accept|decline)",
):
    """Accept/Decline on a team invite. The custom_id carries the invite id, so the button
    works after a restart; the click goes through TeamService, which refuses strangers,
    second clicks and stale invites without changing anything."""

    def __init__(self, invite_id: int, decision: str) -> None:
        accept = decision == "accept"
        super().__init__(
            discord.ui.Button(
                label="Accept" if accept else "Decline",
                style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
                custom_id=f"dc:invite:{invite_id}:{decision}",
            )
        )
        self.invite_id = invite_id
        self.accept = accept

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> InviteButton:
        return cls(int(match["invite_id"]), match["decision"])

    async def callback(self, interaction: discord.Interaction) -> None:
        services = services_of(interaction)
        try:
            invite = await services.teams.answer_invite(
                actor_of(interaction), self.invite_id, self.accept
            )
        except Exception as error:  # discord.py only logs errors of dynamic items
            await answer_error(interaction, error)
            return
        await interaction.response.edit_message(content=answered_text(invite), view=None)


def invite_view(invite_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(InviteButton(invite_id, "accept"))
    view.add_item(InviteButton(invite_id, "decline"))
    return view


def _team(tag: str, name: str) -> str:
    return f"[{user_text(tag)}] {user_text(name)}"


def invite_text(team_name: str, team_tag: str, inviter_id: int, guild_name: str | None) -> str:
    where = f" on **{user_text(guild_name)}**" if guild_name else ""
    return (
        f"<@{inviter_id}> invited you to join **{_team(team_tag, team_name)}**"
        f"{where}. "
        "Accept to join the roster, or decline."
    )


def answered_text(invite: InviteView) -> str:
    if invite.status == "accepted":
        return (
            f"✅ You joined **{_team(invite.team_tag, invite.team_name)}**. "
            "See your teammates with /team roster."
        )
    return f"You declined the invite to **{_team(invite.team_tag, invite.team_name)}**."


def rank_text(view: RankingView) -> str:
    if view.manual_rank is None:
        return (
            f"{user_text(view.subject_label)} has no organizer rank in "
            f"{user_text(view.game_name)} any more."
        )
    return (
        f"{user_text(view.subject_label)} is now ranked #{view.manual_rank} in "
        f"{user_text(view.game_name)}; "
        "fee waivers and ranked seeding use it."
    )


def roster_embed(team: TeamView, title: str | None = None) -> discord.Embed:
    embed = discord.Embed(title=title or team.display_name, colour=discord.Colour.blurple())
    lines = [
        f"{'👑' if m.role == 'captain' else '•'} <@{m.user_id}> · "
        f"joined <t:{int(m.joined_at.timestamp())}:d>"
        for m in team.members
    ]
    embed.add_field(
        name=f"Roster ({len(team.members)})", value="\n".join(lines)[:1024], inline=False
    )
    embed.set_footer(text="The captain registers the team with /register.")
    return embed


@app_commands.guild_only()
class TeamCog(commands.GroupCog, group_name="team", group_description="Create and run teams."):
    def __init__(self, services: Services) -> None:
        self.services = services
        super().__init__()

    @app_commands.command(name="create", description="Create a team; you become its captain.")
    @app_commands.describe(
        name="The team's name, 2 to 32 characters.", tag="A short tag, e.g. DCR."
    )
    async def create(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 2, 32],
        tag: app_commands.Range[str, 2, 5],
    ) -> None:
        team = await self.services.teams.create(actor_of(interaction), name, tag)
        embed = roster_embed(team, title=f"Team {team.display_name} created")
        embed.description = "Invite your players with /team invite."
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="invite", description="Invite a member to your team (captain).")
    @app_commands.describe(team="Your team.", member="Who to invite.")
    async def invite(
        self, interaction: discord.Interaction, team: CaptainTeam, member: ServerMember
    ) -> None:
        if member.bot:
            raise InvalidInput("Bots cannot play in teams; invite a person instead.")
        invite = await self.services.teams.invite(
            actor_of(interaction), team, member.id, channel_id=interaction.channel_id
        )
        await interaction.response.send_message(
            f"Invite sent to {member.mention} for **{_team(invite.team_tag, invite.team_name)}**. "
            "They get Accept/Decline buttons in their DMs (or here if their DMs are closed).",
            ephemeral=True,
        )

    @app_commands.command(name="leave", description="Leave one of your teams.")
    @app_commands.describe(team="The team to leave.")
    async def leave(self, interaction: discord.Interaction, team: MemberTeam) -> None:
        view = await self.services.teams.leave(actor_of(interaction), team)
        await interaction.response.send_message(
            f"You left **{user_text(view.display_name)}**.", ephemeral=True
        )

    @app_commands.command(name="kick", description="Remove a member from your team (captain).")
    @app_commands.describe(team="Your team.", member="Who to remove.")
    async def kick(
        self, interaction: discord.Interaction, team: CaptainTeam, member: ServerMember
    ) -> None:
        view = await self.services.teams.kick(actor_of(interaction), team, member.id)
        await interaction.response.send_message(
            f"{member.mention} is no longer in **{user_text(view.display_name)}**.", ephemeral=True
        )

    @app_commands.command(name="transfer", description="Hand the captaincy to a teammate.")
    @app_commands.describe(team="Your team.", member="The new captain (already on the roster).")
    async def transfer(
        self, interaction: discord.Interaction, team: CaptainTeam, member: ServerMember
    ) -> None:
        view = await self.services.teams.transfer(actor_of(interaction), team, member.id)
        await interaction.response.send_message(
            f"{member.mention} is now the captain of **{user_text(view.display_name)}**.",
            ephemeral=True,
        )

    @app_commands.command(name="disband", description="End your team for good (captain).")
    @app_commands.describe(team="The team to disband.")
    async def disband(self, interaction: discord.Interaction, team: CaptainTeam) -> None:
        view = await self.services.teams.disband(actor_of(interaction), team)
        await interaction.response.send_message(
            f"**{user_text(view.display_name)}** was disbanded; its pending invites were "
            "cancelled.",
            ephemeral=True,
        )

    @app_commands.command(name="roster", description="Show a team's captain and players.")
    @app_commands.describe(team="The team to show.")
    async def roster(self, interaction: discord.Interaction, team: AnyTeam) -> None:
        view = await self.services.teams.roster(team, interaction.guild_id)
        await interaction.response.send_message(embed=roster_embed(view), ephemeral=True)

    @app_commands.command(
        name="rank",
        description="Set a team's organizer rank in a game (organizers).",
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        team="The team to rank.",
        game="The game the rank is for.",
        rank="1 is the best; leave empty to clear the rank.",
    )
    async def rank(
        self,
        interaction: discord.Interaction,
        team: AnyTeam,
        game: GameId,
        rank: app_commands.Range[int, 1, 10_000] | None = None,
    ) -> None:
        view = await self.services.registration.set_manual_rank(
            actor_of(interaction), game, "team", team, rank
        )
        await interaction.response.send_message(rank_text(view), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(InviteButton)
    await bot.add_cog(TeamCog(cog_host(bot).services))
