"""/register (with a modal for custom fields) and /unregister."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._autocomplete import (
    TournamentPicker,
    my_entries_autocomplete,
    resolve_tournament,
)
from cogs._cooldowns import cooldown
from cogs._errors import DomainModal
from cogs._interactions import actor_of, cog_host, reply
from cogs._safe import user_text
from cogs._text import ENGLISH, Words, reader_words
from cogs.teams import team_choices
from engine.entries import RegistrationForm, RegistrationView
from engine.kernel.text import N_, Command, Message, msg, nmsg
from engine.money import format_money
from engine.services import Services
from engine.tournaments import FieldView
from storage.models.enums import RegistrationStatus, TournamentStatus

OpenTournament = app_commands.Transform[
    int, TournamentPicker(statuses=(TournamentStatus.REGISTRATION_OPEN,))
]
_MAX_INPUTS = 5  # Discord: five inputs per modal
_LONG_TEXT = 200  # longer answers get a paragraph box


# An entry's status as its player reads it ("Awaiting payment").
REGISTRATION_STATUS = {
    RegistrationStatus.AWAITING_PAYMENT: N_("Awaiting payment"),
    RegistrationStatus.PAYMENT_REVIEW: N_("Payment review"),
    RegistrationStatus.CONFIRMED: N_("Confirmed"),
    RegistrationStatus.WAITLISTED: N_("Waitlisted"),
    RegistrationStatus.WITHDRAWN: N_("Withdrawn"),
    RegistrationStatus.DISQUALIFIED: N_("Disqualified"),
    RegistrationStatus.CANCELLED: N_("Cancelled"),
    RegistrationStatus.REJECTED: N_("Rejected"),
    RegistrationStatus.EXPIRED: N_("Expired"),
}


def status_words(status: str) -> Message:
    label = REGISTRATION_STATUS.get(status)  # type: ignore[call-overload]
    return Message(label) if label is not None else Message.literal(status)


def fee_text(view: RegistrationView) -> Message | None:
    """What the entry costs, or None when it is free."""
    coins = nmsg("{n} coin", "{n} coins", view.entry_fee_coins) if view.entry_fee_coins else None
    money = format_money(view.entry_fee_minor, view.currency) if view.entry_fee_minor else None
    if coins is not None and money is not None:
        return msg("{coins} or {money}", coins=coins, money=money)
    if coins is not None:
        return coins
    return Message.literal(money) if money is not None else None


def _next_step(view: RegistrationView) -> Message:
    if view.status == RegistrationStatus.WAITLISTED:
        return msg(
            "The tournament is full: you are #{position} on the waitlist. You will get a DM "
            "if a slot frees up.",
            position=view.waitlist_position,
        )
    if view.status == RegistrationStatus.AWAITING_PAYMENT:
        return msg(
            "Pay the entry fee ({fee}) with {pay} to confirm your place.",
            fee=fee_text(view) or msg("free"),
            pay=Command("pay"),
        )
    return msg("You are in. Watch the announcements for the bracket and check-in.")


def registration_embed(view: RegistrationView, words: Words = ENGLISH) -> discord.Embed:
    waitlisted = view.status == RegistrationStatus.WAITLISTED
    title = (
        msg("On the waitlist: {tournament}", tournament=view.tournament_name)
        if waitlisted
        else msg("Registered: {tournament}", tournament=view.tournament_name)
    )
    embed = discord.Embed(
        title=words(title)[:256],
        description=words(_next_step(view)),
        colour=discord.Colour.orange() if waitlisted else discord.Colour.green(),
    )
    embed.add_field(name=words(msg("Entry")), value=user_text(view.display_name)[:1024])
    embed.add_field(name=words(msg("Status")), value=words(status_words(view.status)))
    fee = fee_text(view)
    if view.fee_waived_reason:
        embed.add_field(
            name=words(msg("Fee")), value=user_text(view.fee_waived_reason), inline=False
        )
    elif fee is not None:
        embed.add_field(name=words(msg("Fee")), value=words(fee))
    if view.team_id is not None:
        lines = [f"<@{m.user_id}> · `{m.ingame_id}`" for m in view.members]
        embed.add_field(name=words(msg("Players")), value="\n".join(lines)[:1024], inline=False)
    for key, value in list(view.field_values.items())[:10]:
        embed.add_field(
            name=key.replace("_", " ").capitalize(), value=user_text(value)[:1024] or "—"
        )
    embed.set_footer(
        text=words(
            msg("Changed your mind? {unregister} withdraws the entry.", unregister="/unregister")
        )
    )
    return embed


def _text_input(spec: FieldView, default: str | None) -> discord.ui.TextInput[RegistrationModal]:
    limit = int(spec.options.get("max_length", 100)) if spec.kind == "text" else 100
    return discord.ui.TextInput(
        label=spec.label[:45],
        custom_id=spec.key,
        placeholder=spec.hint[:100],
        default=default,
        required=spec.required,
        max_length=min(limit, 4000),
        style=discord.TextStyle.paragraph if limit > _LONG_TEXT else discord.TextStyle.short,
    )


class RegistrationModal(DomainModal):
    """The tournament's custom questions; the entry is made when it is submitted."""

    def __init__(self, services: Services, form: RegistrationForm, words: Words = ENGLISH) -> None:
        super().__init__(
            title=words(msg("Register: {tournament}", tournament=form.tournament_name))[:45],
            timeout=600,
        )
        self.words = words
        self.services = services
        self.form = form
        self.inputs = [
            _text_input(spec, form.prefill.get(spec.key)) for spec in form.fields[:_MAX_INPUTS]
        ]
        for text_input in self.inputs:
            self.add_item(text_input)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)  # before the write
        answers = {i.custom_id: i.value for i in self.inputs}
        view = await self.services.registration.register(
            actor_of(interaction),
            self.form.tournament_id,
            team_id=self.form.team_id,
            answers=answers,
        )
        await reply(interaction, embed=registration_embed(view, await reader_words(interaction)))


class RegistrationCog(commands.Cog):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(
        name="register", description=locale_str("Enter a tournament, alone or with a team.")
    )
    @cooldown("register")
    @app_commands.describe(
        tournament=locale_str("The tournament to enter (open ones are listed)."),
        team=locale_str("For team tournaments: the team you captain."),
    )
    @app_commands.guild_only()
    async def register(
        self,
        interaction: discord.Interaction,
        tournament: OpenTournament,
        team: str | None = None,
    ) -> None:
        actor = actor_of(interaction)
        team_id = None
        if team is not None:
            assert interaction.guild_id is not None  # guild_only
            team_id = await self.services.teams.resolve(interaction.guild_id, team)
        form = await self.services.registration.prepare(actor, tournament, team_id=team_id)
        if form.fields:
            words = await reader_words(interaction)
            await interaction.response.send_modal(RegistrationModal(self.services, form, words))
            return
        # No form to show: acknowledged before the write (a modal must be the first answer,
        # so this cannot come earlier).
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await self.services.registration.register(actor, tournament, team_id=team_id)
        await reply(interaction, embed=registration_embed(view, await reader_words(interaction)))

    @register.autocomplete("team")
    async def _team_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await team_choices(interaction, current, "captain")

    @app_commands.command(
        name="unregister", description=locale_str("Withdraw your entry from a tournament.")
    )
    @app_commands.describe(
        tournament=locale_str("The tournament to withdraw from (your entries are listed).")
    )
    @app_commands.guild_only()
    @app_commands.autocomplete(tournament=my_entries_autocomplete)
    async def unregister(self, interaction: discord.Interaction, tournament: str) -> None:
        tournament_id = await resolve_tournament(interaction, tournament)
        released = await self.services.registration.unregister(actor_of(interaction), tournament_id)
        view = released.registration
        note: Message | str = (
            msg(
                " What you paid is being refunded: coins go back to your {wallet}, money is "
                "sent back by an organizer.",
                wallet=Command("wallet"),
            )
            if released.refunded_payments
            else ""
        )
        await reply(
            interaction,
            msg(
                "{name} was withdrawn from **{tournament}**.{note} You can register again "
                "while registration is open.",
                name=view.display_name,
                tournament=view.tournament_name,
                note=note,
            ),
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(RegistrationCog(cog_host(bot).services))
