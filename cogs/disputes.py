"""/dispute — players open disputes, organizers escalate and resolve them; evidence posted
in a dispute thread is recorded; the Open dispute button of a match thread."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._autocomplete import TournamentId
from cogs._cooldowns import cooldown
from cogs._errors import DomainModal, answer_error
from cogs._interactions import (
    ORGANIZER_EXTRA,
    actor_of,
    cog_host,
    download_capped,
    member_actor,
    read_upload,
    reply,
    services_of,
)
from cogs._text import ENGLISH, Words, discord_text, reader_words
from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput
from engine.kernel.text import Message, msg
from engine.kernel.uploads import Uploads
from engine.matchday import DISPUTE_REASONS, DisputeView, EvidenceFile, MatchLobby
from engine.services import Services

log = logging.getLogger(__name__)

REASON_CHOICES = [
    app_commands.Choice(name=locale_str(label), value=key) for key, label in DISPUTE_REASONS.items()
]
FORFEIT_CHOICES = [
    app_commands.Choice(name=locale_str("The first-named side forfeits"), value=0),
    app_commands.Choice(name=locale_str("The second-named side forfeits"), value=1),
]
_IMAGE_TYPES = ("image/png", "image/jpeg")


def reason_words(key: str) -> Message:
    label = DISPUTE_REASONS.get(key)
    return Message(label) if label is not None else Message.literal(key)


def opened_reply(view: DisputeView) -> Message:
    return msg(
        "⚖️ Dispute #{dispute} is open ({reason}). A private thread with the organizers and "
        "both sides opens in a moment: post screenshots or links there as evidence.",
        dispute=view.id,
        reason=reason_words(view.reason),
    )


class DisputeModal(DomainModal):
    def __init__(self, lobby: MatchLobby, words: Words = ENGLISH) -> None:
        super().__init__(
            title=words(msg("Dispute {code}", code=lobby.match.code))[:45],
            custom_id=f"dc:dispute-form:{lobby.match.id}",
        )
        self.match_id = lobby.match.id
        self.reason: discord.ui.Select[DisputeModal] = discord.ui.Select(
            custom_id="reason",
            options=[
                discord.SelectOption(label=words(Message(label))[:100], value=key)
                for key, label in DISPUTE_REASONS.items()
            ],
            min_values=1,
            max_values=1,
        )
        self.description: discord.ui.TextInput[DisputeModal] = discord.ui.TextInput(
            custom_id="description",
            style=discord.TextStyle.paragraph,
            placeholder=words(
                msg("What happened? e.g. They reported 2–0 but I won the second map.")
            )[:100],
            min_length=5,
            max_length=1500,
        )
        self.add_item(discord.ui.Label(text=words(msg("Reason"))[:45], component=self.reason))
        self.add_item(
            discord.ui.Label(text=words(msg("What happened?"))[:45], component=self.description)
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if not self.reason.values:
            raise InvalidInput(msg("Pick a reason for the dispute."))
        view = await services_of(interaction).disputes.open_dispute(
            actor_of(interaction),
            reason=self.reason.values[0],
            description=self.description.value,
            match_id=self.match_id,
        )
        await reply(interaction, opened_reply(view))


class DisputeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dc:match:(?P<match_id>\d+):dispute",
):
    def __init__(self, match_id: int, words: Words = ENGLISH) -> None:
        super().__init__(
            discord.ui.Button(
                label=words(msg("Open dispute")),
                style=discord.ButtonStyle.secondary,
                custom_id=f"dc:match:{match_id}:dispute",
            )
        )
        self.match_id = match_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DisputeButton:
        return cls(int(match["match_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        # A dynamic item's view is built by discord.py, so errors are answered here.
        try:
            lobby = await services_of(interaction).disputes.dispute_form(
                actor_of(interaction), self.match_id
            )
            words = await reader_words(interaction)
            await interaction.response.send_modal(DisputeModal(lobby, words))
        except Exception as error:  # answered, and logged with an incident id when a bug
            await answer_error(interaction, error)


async def evidence_files(message: discord.Message, uploads: Uploads) -> list[EvidenceFile]:
    """Images within the upload limit are downloaded (streamed, cut off at the limit) and
    checked by the service; anything else is kept as a link, since Discord hosts it."""
    files = []
    for attachment in message.attachments:
        is_image = (attachment.content_type or "").split(";")[0] in _IMAGE_TYPES
        data = None
        if is_image and attachment.size <= uploads.max_bytes:
            data = await download_capped(uploads, attachment.url, "evidence")
        files.append(EvidenceFile(attachment.filename, attachment.url, data))
    return files


class DisputesCog(commands.Cog):
    dispute = app_commands.Group(
        name="dispute",
        description=locale_str("Open, escalate and resolve match disputes."),
        guild_only=True,
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    @dispute.command(
        name="open", description=locale_str("Open a dispute about your current match.")
    )
    @cooldown("dispute")
    @app_commands.describe(
        reason=locale_str("What went wrong."),
        description=locale_str("What happened, in a sentence or two."),
        tournament=locale_str("The tournament, if you play in more than one right now."),
        evidence=locale_str("A screenshot (PNG or JPEG); more can be posted in the thread."),
    )
    @app_commands.choices(reason=REASON_CHOICES)
    async def open(
        self,
        interaction: discord.Interaction,
        reason: app_commands.Choice[str],
        description: app_commands.Range[str, 5, 1500],
        tournament: TournamentId | None = None,
        evidence: discord.Attachment | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await self.services.disputes.open_dispute(
            actor_of(interaction),
            reason=reason.value,
            description=description,
            guild_id=interaction.guild_id,
            tournament_id=tournament,
            thread_id=interaction.channel_id,
            evidence=await read_upload(self.services.uploads, evidence, "evidence"),
            evidence_name=evidence.filename if evidence else None,
        )
        await reply(interaction, opened_reply(view))

    @dispute.command(
        name="resolve",
        description=locale_str(
            "Decide a dispute: final scores (or a forfeit); the bracket moves on."
        ),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        notes=locale_str("The decision, as the players will read it."),
        first_score=locale_str("Final score of the first-named side."),
        second_score=locale_str("Final score of the second-named side."),
        forfeit=locale_str("Instead of scores: which side forfeits."),
        dispute_id=locale_str("The dispute number; leave empty inside the dispute thread."),
    )
    @app_commands.choices(forfeit=FORFEIT_CHOICES)
    async def resolve(
        self,
        interaction: discord.Interaction,
        notes: app_commands.Range[str, 3, 1000],
        first_score: app_commands.Range[int, 0, 9999] | None = None,
        second_score: app_commands.Range[int, 0, 9999] | None = None,
        forfeit: app_commands.Choice[int] | None = None,
        dispute_id: int | None = None,
    ) -> None:
        # Acknowledged first: the resolution closes this thread, and an answer that comes
        # after the thread is archived is refused by Discord.
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await self.services.disputes.resolve(
            actor_of(interaction),
            first=first_score,
            second=second_score,
            forfeit=forfeit.value if forfeit else None,
            notes=notes,
            dispute_id=dispute_id,
            thread_id=interaction.channel_id,
        )
        await reply(
            interaction,
            msg(
                "✅ Dispute #{dispute} resolved: {resolution}",
                dispute=view.id,
                resolution=view.resolution,
            ),
        )

    @dispute.command(
        name="escalate",
        description=locale_str("Flag a dispute for the senior organizers and the server owner."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        note=locale_str("Why it needs more eyes."),
        dispute_id=locale_str("The dispute number; leave empty inside the dispute thread."),
    )
    async def escalate(
        self,
        interaction: discord.Interaction,
        note: app_commands.Range[str, 3, 500],
        dispute_id: int | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)  # before the write
        view = await self.services.disputes.escalate(
            actor_of(interaction),
            note=note,
            dispute_id=dispute_id,
            thread_id=interaction.channel_id,
        )
        await reply(
            interaction,
            msg("🚨 Dispute #{dispute} is escalated; the owner was pinged.", dispute=view.id),
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Messages players post in a dispute thread are its evidence."""
        if message.author.bot or not isinstance(message.channel, discord.Thread):
            return
        if not (message.content.strip() or message.attachments):
            return
        if not await self.services.disputes.is_dispute_thread(message.channel.id):
            return
        try:
            await self.services.disputes.add_evidence(
                actor_of_message(message),
                thread_id=message.channel.id,
                message_id=message.id,
                note=message.content,
                files=await evidence_files(message, self.services.uploads),
            )
        except InvalidInput as refusal:
            # A broken image: tell the author in the thread (in their language); nothing
            # was recorded.
            language = await self.services.languages.reader_language(
                message.author.id, message.guild.id if message.guild else None
            )
            await message.reply(discord_text(refusal.text, language=language), mention_author=True)


def actor_of_message(message: discord.Message) -> Actor:
    """The poster as an Actor (roles and Manage Server as the guild sees them)."""
    return member_actor(message.author, message.guild.id if message.guild else None)


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(DisputeButton)
    await bot.add_cog(DisputesCog(cog_host(bot).services))
