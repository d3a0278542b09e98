"""/checkin, and the Check in buttons of the check-in announcement and the match thread.

Both buttons are ``DynamicItem``s whose custom id carries the tournament or match id, so
they keep working after a restart; every click goes through the check-in service, which
decides (and explains, ephemerally) whether anything changes.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._autocomplete import my_entries_autocomplete, resolve_tournament
from cogs._errors import answer_error
from cogs._interactions import actor_of, cog_host, reply, services_of
from cogs._text import ENGLISH, Words
from engine.entries import TournamentCheckInView
from engine.kernel.text import Command, Message, Timestamp, msg
from engine.matchday import CheckInResult, MatchCheckInView
from engine.services import Services

TOURNAMENT_BUTTON = "dc:tcheckin:{tournament_id}"
MATCH_BUTTON = "dc:match:{match_id}:checkin"


def tournament_text(view: TournamentCheckInView) -> Message:
    return msg(
        "✅ {name} is checked in for **{tournament}**. The bracket is made when it starts "
        "{starts}; watch the announcements.",
        name=view.display_name,
        tournament=view.tournament_name,
        starts=Timestamp(view.starts_at),
    )


def match_text(view: MatchCheckInView) -> Message:
    if view.both_in:
        return msg(
            "✅ Both sides are here for match {code} — play and report with {report}.",
            code=view.code,
            report=Command("report"),
        )
    closes: Message | str = (
        msg(" Check-in closes {deadline}.", deadline=Timestamp(view.deadline))
        if view.deadline
        else ""
    )
    return msg(
        "✅ {name} is checked in for match {code}. Waiting for the other side.{closes}",
        name=view.display_name,
        code=view.code,
        closes=closes,
    )


def result_text(result: CheckInResult) -> Message:
    lines: list[Message] = [match_text(m) for m in result.matches]
    if result.tournament is not None:
        lines.append(tournament_text(result.tournament))
    text = lines[0]
    for line in lines[1:]:
        text = text + "\n" + line
    return text


def _check_in_button(custom_id: str, words: Words) -> discord.ui.Button[Any]:
    return discord.ui.Button(
        label=words(msg("Check in")),
        emoji="✅",
        style=discord.ButtonStyle.success,
        custom_id=custom_id,
    )


class TournamentCheckInButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dc:tcheckin:(?P<tournament_id>\d+)",
):
    """Under the "check-in is open" announcement."""

    def __init__(self, tournament_id: int, words: Words = ENGLISH) -> None:
        super().__init__(
            _check_in_button(TOURNAMENT_BUTTON.format(tournament_id=tournament_id), words)
        )
        self.tournament_id = tournament_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> TournamentCheckInButton:
        return cls(int(match["tournament_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        # A dynamic item's view is built by discord.py, so errors are answered here.
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)  # before the write
            service = services_of(interaction).checkin
            view = await service.check_in_tournament(actor_of(interaction), self.tournament_id)
            await reply(interaction, tournament_text(view))
        except Exception as error:  # answered, and logged with an incident id when a bug
            await answer_error(interaction, error)


class MatchCheckInButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dc:match:(?P<match_id>\d+):checkin",
):
    """In the match thread, while the match waits for both sides."""

    def __init__(self, match_id: int, words: Words = ENGLISH) -> None:
        super().__init__(_check_in_button(MATCH_BUTTON.format(match_id=match_id), words))
        self.match_id = match_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> MatchCheckInButton:
        return cls(int(match["match_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)  # before the write
            service = services_of(interaction).checkin
            view = await service.check_in_match(actor_of(interaction), self.match_id)
            await reply(interaction, match_text(view))
        except Exception as error:
            await answer_error(interaction, error)


def tournament_checkin_view(tournament_id: int, words: Words = ENGLISH) -> discord.ui.View:
    """The button under a public post: its label in the server's language (``words``)."""
    view = discord.ui.View(timeout=None)
    view.add_item(TournamentCheckInButton(tournament_id, words))
    return view


def match_checkin_view(match_id: int, words: Words = ENGLISH) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(MatchCheckInButton(match_id, words))
    return view


class CheckInCog(commands.Cog):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(
        name="checkin",
        description=locale_str("Check in for your match, or for a tournament's start."),
    )
    @app_commands.describe(
        tournament=locale_str(
            "The tournament to check in for; leave empty for your match or the one open check-in."
        )
    )
    @app_commands.guild_only()
    @app_commands.autocomplete(tournament=my_entries_autocomplete)
    async def checkin(
        self, interaction: discord.Interaction, tournament: str | None = None
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)  # before any database work
        tournament_id = None
        if tournament is not None:
            tournament_id = await resolve_tournament(interaction, tournament)
        result = await self.services.checkin.check_in(
            actor_of(interaction), tournament_id, thread_id=interaction.channel_id
        )
        await reply(interaction, result_text(result))


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(TournamentCheckInButton, MatchCheckInButton)
    await bot.add_cog(CheckInCog(cog_host(bot).services))
