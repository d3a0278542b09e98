"""/team — create a team, invite players (Accept/Decline buttons), leave, kick, roster."""

from __future__ import annotations

import re
from typing import Any, Literal

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._autocomplete import GameId
from cogs._errors import answer_error
from cogs._interactions import ORGANIZER_EXTRA, actor_of, cog_host, reply, services_of
from cogs._members import ServerMember
from cogs._safe import user_text
from cogs._text import ENGLISH, Words, reader_words
from engine.entries import InviteView, RankingView, TeamView
from engine.kernel.errors import InvalidInput
from engine.kernel.text import Command, Message, Timestamp, User, msg, nmsg
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


def _players(count: int) -> Message:
    return nmsg("{n} player", "{n} players", count)


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
    words = await reader_words(interaction)
    return [
        app_commands.Choice(
            name=f"{t.display_name} · {words(_players(len(t.members)))}"[:100], value=str(t.id)
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

    def __init__(self, invite_id: int, decision: str, words: Words = ENGLISH) -> None:
        accept = decision == "accept"
        super().__init__(
            discord.ui.Button(
                label=words(msg("Accept") if accept else msg("Decline")),
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
        words = await reader_words(interaction)
        await interaction.response.edit_message(content=words(answered_text(invite)), view=None)


def invite_view(invite_id: int, words: Words = ENGLISH) -> discord.ui.View:
    """Accept/Decline, labelled in the language of the invited member (``words``)."""
    view = discord.ui.View(timeout=None)
    view.add_item(InviteButton(invite_id, "accept", words))
    view.add_item(InviteButton(invite_id, "decline", words))
    return view


def _team(tag: str, name: str) -> str:
    return f"[{user_text(tag)}] {user_text(name)}"


def _team_words(tag: str, name: str) -> Message:
    """``[TAG] Name`` as a message value (escaped where it is written; no words, so not a
    catalogue entry)."""
    return Message("[{tag}] {name}", {"tag": tag, "name": name})


def invite_text(team_name: str, team_tag: str, inviter_id: int, guild_name: str | None) -> Message:
    where: Message | str = msg(" on **{server}**", server=guild_name) if guild_name else ""
    return msg(
        "{inviter} invited you to join **{team}**{where}. Accept to join the roster, or decline.",
        inviter=User(inviter_id),
        team=_team_words(team_tag, team_name),
        where=where,
    )


def answered_text(invite: InviteView) -> Message:
    team = _team_words(invite.team_tag, invite.team_name)
    if invite.status == "accepted":
        return msg(
            "✅ You joined **{team}**. See your teammates with {roster}.",
            team=team,
            roster=Command("team roster"),
        )
    return msg("You declined the invite to **{team}**.", team=team)


def rank_text(view: RankingView) -> Message:
    if view.manual_rank is None:
        return msg(
            "{subject} has no organizer rank in {game} any more.",
            subject=view.subject_label,
            game=view.game_name,
        )
    return msg(
        "{subject} is now ranked #{rank} in {game}; fee waivers and ranked seeding use it.",
        subject=view.subject_label,
        rank=view.manual_rank,
        game=view.game_name,
    )


def roster_embed(team: TeamView, title: str | None = None, words: Words = ENGLISH) -> discord.Embed:
    embed = discord.Embed(title=title or team.display_name, colour=discord.Colour.blurple())
    lines = [
        words(
            msg(
                "{badge} {member} · joined {date}",
                badge=Message.literal("👑" if m.role == "captain" else "•"),
                member=User(m.user_id),
                date=Timestamp(m.joined_at, "d"),
            )
        )
        for m in team.members
    ]
    embed.add_field(
        name=words(msg("Roster ({n})", n=len(team.members))),
        value="\n".join(lines)[:1024],
        inline=False,
    )
    embed.set_footer(text=words(msg("The captain registers the team with /register.")))
    return embed


@app_commands.guild_only()
class TeamCog(
    commands.GroupCog, group_name="team", group_description=locale_str("Create and run teams.")
):
    def __init__(self, services: Services) -> None:
        self.services = services
        super().__init__()

    @app_commands.command(
        name="create", description=locale_str("Create a team; you become its captain.")
    )
    @app_commands.describe(
        name=locale_str("The team's name, 2 to 32 characters."),
        tag=locale_str("A short tag, e.g. DCR."),
    )
    async def create(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 2, 32],
        tag: app_commands.Range[str, 2, 5],
    ) -> None:
        team = await self.services.teams.create(actor_of(interaction), name, tag)
        words = await reader_words(interaction)
        embed = roster_embed(
            team,
            title=words(msg("Team {team} created", team=Message.literal(team.display_name)))[:256],
            words=words,
        )
        embed.description = words(
            msg("Invite your players with {invite}.", invite=Command("team invite"))
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(
        name="invite", description=locale_str("Invite a member to your team (captain).")
    )
    @app_commands.describe(team=locale_str("Your team."), member="Who to invite.")
    async def invite(
        self, interaction: discord.Interaction, team: CaptainTeam, member: ServerMember
    ) -> None:
        if member.bot:
            raise InvalidInput(msg("Bots cannot play in teams; invite a person instead."))
        invite = await self.services.teams.invite(
            actor_of(interaction), team, member.id, channel_id=interaction.channel_id
        )
        await reply(
            interaction,
            msg(
                "Invite sent to {member} for **{team}**. They get Accept/Decline buttons in "
                "their DMs (or here if their DMs are closed).",
                member=User(member.id),
                team=_team_words(invite.team_tag, invite.team_name),
            ),
        )

    @app_commands.command(name="leave", description=locale_str("Leave one of your teams."))
    @app_commands.describe(team="The team to leave.")
    async def leave(self, interaction: discord.Interaction, team: MemberTeam) -> None:
        view = await self.services.teams.leave(actor_of(interaction), team)
        await reply(interaction, msg("You left **{team}**.", team=view.display_name))

    @app_commands.command(
        name="kick", description=locale_str("Remove a member from your team (captain).")
    )
    @app_commands.describe(team=locale_str("Your team."), member="Who to remove.")
    async def kick(
        self, interaction: discord.Interaction, team: CaptainTeam, member: ServerMember
    ) -> None:
        view = await self.services.teams.kick(actor_of(interaction), team, member.id)
        await reply(
            interaction,
            msg(
                "{member} is no longer in **{team}**.",
                member=User(member.id),
                team=view.display_name,
            ),
        )

    @app_commands.command(
        name="transfer", description=locale_str("Hand the captaincy to a teammate.")
    )
    @app_commands.describe(
        team=locale_str("Your team."), member="The new captain (already on the roster)."
    )
    async def transfer(
        self, interaction: discord.Interaction, team: CaptainTeam, member: ServerMember
    ) -> None:
        view = await self.services.teams.transfer(actor_of(interaction), team, member.id)
        await reply(
            interaction,
            msg(
                "{member} is now the captain of **{team}**.",
                member=User(member.id),
                team=view.display_name,
            ),
        )

    @app_commands.command(
        name="disband", description=locale_str("End your team for good (captain).")
    )
    @app_commands.describe(team="The team to disband.")
    async def disband(self, interaction: discord.Interaction, team: CaptainTeam) -> None:
        view = await self.services.teams.disband(actor_of(interaction), team)
        await reply(
            interaction,
            msg(
                "**{team}** was disbanded; its pending invites were cancelled.",
                team=view.display_name,
            ),
        )

    @app_commands.command(
        name="roster", description=locale_str("Show a team's captain and players.")
    )
    @app_commands.describe(team="The team to show.")
    async def roster(self, interaction: discord.Interaction, team: AnyTeam) -> None:
        view = await self.services.teams.roster(team, interaction.guild_id)
        words = await reader_words(interaction)
        await interaction.response.send_message(
            embed=roster_embed(view, words=words), ephemeral=True
        )

    @app_commands.command(
        name="rank",
        description=locale_str("Set a team's organizer rank in a game (organizers)."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        team=locale_str("The team to rank."),
        game=locale_str("The game the rank is for."),
        rank=locale_str("1 is the best; leave empty to clear the rank."),
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
        await reply(interaction, rank_text(view))


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(InviteButton)
    await bot.add_cog(TeamCog(cog_host(bot).services))
