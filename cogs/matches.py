"""/report and /match — players report scores, organizers override; the thread buttons.

The Report score button (``dc:match:<id>:report``) opens a modal; the Confirm / Reject
buttons under a report (``dc:report:<id>:confirm|reject``) go through the score service,
which decides — and explains — whether a click changes anything.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._autocomplete import TournamentId
from cogs._cooldowns import cooldown
from cogs._errors import DomainModal, answer_error
from cogs._interactions import ORGANIZER_EXTRA, actor_of, cog_host, read_upload, reply, services_of
from cogs._members import ServerMember
from cogs._safe import user_text
from cogs._text import ENGLISH, Words, match_title, moment, reader_words
from engine.kernel.errors import InvalidInput
from engine.kernel.text import N_, Channel, Message, Timestamp, User, msg
from engine.kernel.typed import ascii_digits
from engine.matchday import (
    MatchLobby,
    OverrideOutcome,
    ReportOutcome,
    RescheduleView,
    score_text,
)
from engine.services import Services

_STATUS_WORDS = {
    "scheduled": N_("waiting for the earlier matches"),
    "checkin": N_("check-in open"),
    "ready": N_("ready to play"),
    "live": N_("🔴 LIVE: being played"),
    "pending_result": N_("waiting for the score to be confirmed"),
    "completed": N_("finished"),
    "disputed": N_("under dispute"),
    "cancelled": N_("cancelled"),
}


def status_words(status: str) -> Message:
    known = _STATUS_WORDS.get(status)
    return Message(known) if known is not None else Message.literal(status)


def _where(thread_id: int | None, here: int | None = None) -> Message | str:
    """Where the opponent confirms: named, unless the reporter is already there."""
    if thread_id is None:
        return ""
    if thread_id == here:
        return msg(" here in this thread")
    return msg(" in {thread}", thread=Channel(thread_id))


def report_reply(outcome: ReportOutcome, here: int | None = None) -> Message:
    """``here`` is the channel the report was made in."""
    lobby = outcome.lobby
    report = outcome.report
    scores = (
        score_text(report.score_a, report.score_b)
        if report
        else score_text(lobby.match.score_a, lobby.match.score_b)
    )
    line = {"first": lobby.name(0), "scores": scores, "second": lobby.name(1)}
    if outcome.state == "awaiting_confirmation":
        return msg(
            "📝 Reported **{first} {scores} {second}** for match {code}. Your opponent now "
            "confirms it{where}.",
            code=lobby.match.code,
            where=_where(lobby.match.thread_id, here),
            **line,
        )
    if outcome.state == "disputed":
        return msg(
            "⚠️ You reported **{first} {scores} {second}**, but your opponent reported "
            "something else. Dispute #{dispute} is open; an organizer will decide.",
            dispute=outcome.dispute_id,
            **line,
        )
    ending: Message | str = (
        msg(" The tournament is over — thanks for playing!") if outcome.tournament_completed else ""
    )
    return msg(
        "✅ Match {code} is final: **{first} {scores} {second}**. The bracket has moved on."
        "{ending}",
        code=lobby.match.code,
        ending=ending,
        **line,
    )


def _score(value: str, label: Message | str) -> int:
    text = value.strip()
    if not ascii_digits(text) or len(text) > 4:
        raise InvalidInput(msg("{label} must be a whole number such as 0, 2 or 13.", label=label))
    return int(text)


class ReportModal(DomainModal):
    def __init__(self, lobby: MatchLobby, reporter_side: int | None, words: Words = ENGLISH):
        super().__init__(
            title=words(msg("Report {code}", code=lobby.match.code))[:45],
            custom_id=f"dc:report-form:{lobby.match.id}",
        )
        self.match_id = lobby.match.id
        if reporter_side is None:  # an organizer reports in slot order
            first = msg("{name} score", name=lobby.name(0))
            second = msg("{name} score", name=lobby.name(1))
        else:
            first = msg("Your score ({name})", name=lobby.name(reporter_side))
            second = msg("Their score ({name})", name=lobby.name(1 - reporter_side))
        self.mine: discord.ui.TextInput[ReportModal] = discord.ui.TextInput(
            label=words(first)[:45],
            custom_id="mine",
            max_length=4,
            placeholder=words(msg("e.g. {score}", score=2)),
        )
        self.theirs: discord.ui.TextInput[ReportModal] = discord.ui.TextInput(
            label=words(second)[:45],
            custom_id="theirs",
            max_length=4,
            placeholder=words(msg("e.g. {score}", score=1)),
        )
        self.add_item(self.mine)
        self.add_item(self.theirs)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        # Acknowledged before the write: a busy database never eats Discord's window.
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await services_of(interaction).scores.report_score(
            actor_of(interaction),
            mine=_score(self.mine.value, msg("The first score")),
            theirs=_score(self.theirs.value, msg("The second score")),
            match_id=self.match_id,
        )
        await reply(interaction, report_reply(outcome, interaction.channel_id))


class ReportButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dc:match:(?P<match_id>\d+):report",
):
    def __init__(self, match_id: int, words: Words = ENGLISH) -> None:
        super().__init__(
            discord.ui.Button(
                label=words(msg("Report score")),
                style=discord.ButtonStyle.primary,
                custom_id=f"dc:match:{match_id}:report",
            )
        )
        self.match_id = match_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ReportButton:
        return cls(int(match["match_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        # A dynamic item's view is built by discord.py, so errors are answered here.
        try:
            lobby = await services_of(interaction).scores.report_form(
                actor_of(interaction), self.match_id
            )
            side = lobby.side_of_user(interaction.user.id)
            words = await reader_words(interaction)
            await interaction.response.send_modal(ReportModal(lobby, side, words))
        except Exception as error:  # answered, and logged with an incident id when a bug
            await answer_error(interaction, error)


class RejectReportModal(DomainModal):
    def __init__(self, report_id: int, words: Words = ENGLISH) -> None:
        super().__init__(
            title=words(msg("Reject the reported score"))[:45],
            custom_id=f"dc:report-reject:{report_id}",
        )
        self.report_id = report_id
        self.description: discord.ui.TextInput[RejectReportModal] = discord.ui.TextInput(
            label=words(msg("The real score, and why?"))[:45],
            style=discord.TextStyle.paragraph,
            placeholder=words(msg("e.g. It was 1–2: I won the last map."))[:100],
            min_length=3,
            max_length=500,
        )
        self.add_item(self.description)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        dispute_id = await services_of(interaction).scores.reject_report(
            actor_of(interaction), self.report_id, self.description.value
        )
        await reply(
            interaction,
            msg(
                "⚖️ You rejected the report; dispute #{dispute} is open. Post your evidence "
                "in the dispute thread; an organizer will decide.",
                dispute=dispute_id,
            ),
        )


class ReportDecision(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dc:report:(?P<report_id>\d+):(?P<decision>confirm|reject)",
):
    def __init__(self, report_id: int, decision: str, words: Words = ENGLISH) -> None:
        confirm = decision == "confirm"
        super().__init__(
            discord.ui.Button(
                label=words(msg("Confirm") if confirm else msg("Reject")),
                style=discord.ButtonStyle.success if confirm else discord.ButtonStyle.danger,
                custom_id=f"dc:report:{report_id}:{decision}",
            )
        )
        self.report_id = report_id
        self.decision = decision

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ReportDecision:
        return cls(int(match["report_id"]), match["decision"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            scores, actor = services_of(interaction).scores, actor_of(interaction)
            if self.decision == "reject":
                await scores.check_report(actor, self.report_id)
                words = await reader_words(interaction)
                await interaction.response.send_modal(RejectReportModal(self.report_id, words))
                return
            # The answer is a private message of its own: "thinking" shows at once.
            await interaction.response.defer(ephemeral=True, thinking=True)
            outcome = await scores.confirm_report(actor, self.report_id)
            await reply(interaction, report_reply(outcome, interaction.channel_id))
        except Exception as error:  # answered, and logged with an incident id when a bug
            await answer_error(interaction, error)


def match_embed(lobby: MatchLobby, user_id: int, words: Words = ENGLISH) -> discord.Embed:
    match = lobby.match
    side = lobby.side_of_user(user_id)
    opponent = (
        user_text(lobby.name(1 - side))
        if side is not None
        else words(msg("{first} vs {second}", first=lobby.name(0), second=lobby.name(1)))
    )
    embed = discord.Embed(
        title=words(match_title(match.round_title, match.code))[:256],
        description=words(
            msg("**{first}** vs **{second}**", first=lobby.name(0), second=lobby.name(1))
        ),
        colour=discord.Colour.gold(),
    )
    embed.add_field(name=words(msg("Opponent")), value=opponent)
    embed.add_field(name=words(msg("Status")), value=words(status_words(match.status)))
    embed.add_field(name=words(msg("Format")), value=words(msg("Best of {n}", n=match.best_of)))
    if match.scheduled_at is not None:
        embed.add_field(
            name=words(msg("Starts")),
            value=words(moment(match.scheduled_at)),
        )
    if match.checkin_deadline is not None:
        embed.add_field(
            name=words(msg("Check in by")), value=words(Timestamp(match.checkin_deadline))
        )
    if match.score_a is not None:
        embed.add_field(name=words(msg("Score")), value=score_text(match.score_a, match.score_b))
    embed.add_field(
        name=words(msg("Thread")),
        value=f"<#{match.thread_id}>" if match.thread_id else words(msg("Not open yet")),
    )
    embed.set_footer(text=lobby.tournament_name)
    return embed


def override_reply(outcome: OverrideOutcome, what: Message | str) -> Message:
    lobby = outcome.lobby
    score = score_text(lobby.match.score_a, lobby.match.score_b)
    text = msg(
        "✅ {what} Match {code} now reads **{first} {score} {second}** ({outcome}).",
        what=what if isinstance(what, Message) else Message.literal(what),
        code=lobby.match.code,
        first=lobby.name(0),
        score=score,
        second=lobby.name(1),
        outcome=lobby.match.outcome or msg("open"),
    )
    if outcome.reset_codes:
        text += msg(" Reset because they depended on it: {codes}.", codes=list(outcome.reset_codes))
    if outcome.tournament_completed:
        text += msg(" That decided the tournament.")
    return text


def proposal_reply(view: RescheduleView) -> Message:
    return msg(
        "📅 Proposed: match {code} at {when}. Your opponent accepts or declines in the match "
        "thread before {expires}; until then the match keeps its time.",
        code=view.code,
        when=Timestamp(view.new_time, "F"),
        expires=Timestamp(view.expires_at, "t"),
    )


class MatchesCog(commands.Cog):
    match = app_commands.Group(
        name="match",
        description=locale_str("Your current match, and organizer overrides."),
        guild_only=True,
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(
        name="report", description=locale_str("Report the score of your current match.")
    )
    @cooldown("report")
    @app_commands.describe(
        my_score=locale_str("Games (or points) you won; organizers: the first-named side's score."),
        their_score=locale_str(
            "Games (or points) your opponent won; organizers: the second side's."
        ),
        tournament=locale_str("The tournament, if you play in more than one right now."),
        screenshot=locale_str("A screenshot of the final score (PNG or JPEG)."),
    )
    @app_commands.guild_only()
    async def report(
        self,
        interaction: discord.Interaction,
        my_score: app_commands.Range[int, 0, 9999],
        their_score: app_commands.Range[int, 0, 9999],
        tournament: TournamentId | None = None,
        screenshot: discord.Attachment | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.services.scores.report_score(
            actor_of(interaction),
            mine=my_score,
            theirs=their_score,
            guild_id=interaction.guild_id,
            tournament_id=tournament,
            thread_id=interaction.channel_id,
            screenshot=await read_upload(self.services.uploads, screenshot),
            screenshot_name=screenshot.filename if screenshot else None,
        )
        await reply(interaction, report_reply(outcome, interaction.channel_id))

    @match.command(
        name="info", description=locale_str("Show your current match: opponent, status, thread.")
    )
    @app_commands.describe(tournament="Only look in this tournament.")
    async def info(
        self, interaction: discord.Interaction, tournament: TournamentId | None = None
    ) -> None:
        assert interaction.guild_id is not None  # guild_only
        lobby = await self.services.scores.current_match(
            actor_of(interaction),
            interaction.guild_id,
            tournament_id=tournament,
            thread_id=interaction.channel_id,
        )
        words = await reader_words(interaction)
        await reply(interaction, embed=match_embed(lobby, interaction.user.id, words))

    @match.command(
        name="set-score",
        description=locale_str("Set or correct the score of a match (first-named side first)."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        tournament=locale_str("The tournament of the match."),
        match=locale_str("The match code, e.g. W1-2 (see the thread title or /bracket)."),
        first_score=locale_str("Score of the first-named side."),
        second_score=locale_str("Score of the second-named side."),
        note=locale_str("Why, for the audit log and the dispute (if any)."),
    )
    async def set_score(
        self,
        interaction: discord.Interaction,
        tournament: TournamentId,
        match: app_commands.Range[str, 1, 24],
        first_score: app_commands.Range[int, 0, 9999],
        second_score: app_commands.Range[int, 0, 9999],
        note: app_commands.Range[str, 0, 300] | None = None,
    ) -> None:
        outcome = await self.services.scores.set_score(
            actor_of(interaction), tournament, match, first_score, second_score, note=note
        )
        await reply(interaction, override_reply(outcome, msg("Score set.")))

    @match.command(
        name="dq",
        description=locale_str("Disqualify a player or team: they forfeit their open match."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        tournament=locale_str("The tournament."),
        player=locale_str("The player (or any member of the team) to disqualify."),
        reason=locale_str("Why; the player reads it."),
    )
    async def dq(
        self,
        interaction: discord.Interaction,
        tournament: TournamentId,
        player: ServerMember,
        reason: app_commands.Range[str, 3, 300],
    ) -> None:
        outcome = await self.services.scores.disqualify(
            actor_of(interaction), tournament, player.id, reason=reason
        )
        dropped = outcome.disqualified_registration_id is None
        what = (
            msg("{player} forfeits and drops to the losers bracket.", player=User(player.id))
            if dropped
            else msg("{player} is disqualified.", player=User(player.id))
        )
        await reply(
            interaction,
            override_reply(outcome, what),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @match.command(
        name="start",
        description=locale_str("Start a match now: it goes LIVE, check-in or not."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        tournament=locale_str("The tournament of the match."),
        match=locale_str("The match code, e.g. W1-2 (see the thread title or /bracket)."),
    )
    async def start(
        self,
        interaction: discord.Interaction,
        tournament: TournamentId,
        match: app_commands.Range[str, 1, 24],
    ) -> None:
        schedule = self.services.schedule
        lobby = await schedule.start_match(
            actor_of(interaction), await schedule.match_id(tournament, match)
        )
        await reply(interaction, msg("🔴 Match {code} is LIVE.", code=lobby.match.code))

    @match.command(
        name="reschedule",
        description=locale_str("Propose a new time for your match to your opponent."),
    )
    @app_commands.describe(
        when=locale_str("The new time in the server's time zone: 19:30, or 2026-12-05 19:30."),
        note=locale_str("Why, for your opponent."),
        tournament=locale_str("The tournament, if you play in more than one right now."),
    )
    async def reschedule(
        self,
        interaction: discord.Interaction,
        when: app_commands.Range[str, 3, 20],
        note: app_commands.Range[str, 0, 200] | None = None,
        tournament: TournamentId | None = None,
    ) -> None:
        assert interaction.guild_id is not None  # guild_only
        actor = actor_of(interaction)
        lobby = await self.services.scores.current_match(
            actor, interaction.guild_id, tournament_id=tournament, thread_id=interaction.channel_id
        )
        view = await self.services.reschedules.propose(actor, lobby.match.id, when, note)
        await reply(interaction, proposal_reply(view))

    @match.command(
        name="set-time",
        description=locale_str("Set when a match starts (any time before the next round)."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        tournament=locale_str("The tournament of the match."),
        match=locale_str("The match code, e.g. W1-2 (see the thread title or /bracket)."),
        when=locale_str("The new time in the server's time zone: 19:30, or 2026-12-05 19:30."),
    )
    async def set_time(
        self,
        interaction: discord.Interaction,
        tournament: TournamentId,
        match: app_commands.Range[str, 1, 24],
        when: app_commands.Range[str, 3, 20],
    ) -> None:
        view = await self.services.reschedules.set_time(
            actor_of(interaction), tournament, match, when
        )
        await reply(
            interaction,
            msg(
                "🗓️ Match {code} now starts {when}; its reminders moved with it.",
                code=view.code,
                when=Timestamp(view.new_time, "F"),
            ),
        )

    @match.command(
        name="reminders",
        description=locale_str("Get your match reminders by direct message too, or not."),
    )
    @app_commands.describe(by_dm="Yes: reminders also come by direct message. No: only the thread.")
    async def reminders(self, interaction: discord.Interaction, by_dm: bool) -> None:
        assert interaction.guild_id is not None  # guild_only
        wanted = await self.services.schedule.set_reminder_dms(
            actor_of(interaction), interaction.guild_id, by_dm
        )
        await reply(
            interaction,
            msg("🔔 Your match reminders on this server now also come by direct message.")
            if wanted
            else msg("🔕 Your match reminders on this server now come only in the match thread."),
        )


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(ReportButton, ReportDecision)
    await bot.add_cog(MatchesCog(cog_host(bot).services))
