"""/tournament — organizers create, edit and run tournaments; everyone can look them up.

A mixed group (players use info and list), so Discord cannot hide the organizer
subcommands per member: they carry ``extras={"organizer": True}`` and the services check
the organizer role on every call.
"""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from cogs._autocomplete import AnyTournamentId, EntryId, GameId, PrizeEntryId, TournamentId
from cogs._errors import DomainModal, DomainView
from cogs._interactions import ORGANIZER_EXTRA, actor_of, cog_host, read_upload, reply
from cogs._safe import user_text
from cogs._speech import Say, reader_say, server_say
from cogs._tournament_render import (
    catalogued,
    entry_counts,
    history_embed,
    list_embed,
    tournament_embed,
    when,
)
from cogs.brackets import attach_tournament_commands
from cogs.templates import attach_clone_command
from engine.entries import Released
from engine.kernel.text import Command, Message, User, msg, nmsg
from engine.money import PAYMENT_METHODS
from engine.services import Services
from engine.tournaments import (
    EDITABLE_FIELDS,
    FORMAT_NAMES,
    FieldSpec,
    StaffView,
    TournamentChange,
    TournamentDraft,
    TournamentView,
    parse_methods,
    parse_money,
)
from storage.models.enums import FieldKind, TournamentStatus

ORGANIZER = {ORGANIZER_EXTRA: True}


def format_choices() -> list[app_commands.Choice[str]]:
    """The /tournament create choices, one per registered format, in registry order."""
    return [app_commands.Choice(name=label, value=key) for key, label in FORMAT_NAMES.items()]


FORMAT_CHOICES = format_choices()
TYPE_CHOICES = [
    app_commands.Choice(name="Solo players", value="solo"),
    app_commands.Choice(name="Teams", value="team"),
]
BEST_OF_CHOICES = [app_commands.Choice(name=f"Best of {n}", value=n) for n in (1, 2, 3, 5, 7)]
GRAND_FINAL_CHOICES = [
    app_commands.Choice(name="Bracket reset if the lower-bracket finalist wins", value="reset"),
    app_commands.Choice(name="A single grand final match", value="single"),
    app_commands.Choice(name="No grand final (winners' final decides)", value="none"),
]
KIND_CHOICES = [app_commands.Choice(name=k.value.capitalize(), value=k.value) for k in FieldKind]
# What /tournament list shows to everyone: announced and not yet filed away.
LISTED = (
    TournamentStatus.PUBLISHED,
    TournamentStatus.REGISTRATION_OPEN,
    TournamentStatus.REGISTRATION_CLOSED,
    TournamentStatus.LIVE,
    TournamentStatus.COMPLETED,
)


def created_embed(t: TournamentView, say: Say) -> discord.Embed:
    embed = discord.Embed(
        # Titles render no links or mentions: the name goes in as it is.
        title=say(msg("Created {name}", name="\0")).replace("\0", t.name)[:256],
        colour=discord.Colour.green(),
        description=say(
            msg(
                "**{game}** · {format_name} · draft: not announced yet.",
                game=t.game_name,
                format_name=catalogued(t.format_name),
            )
        ),
    )
    embed.add_field(name=say(msg("Starts")), value=when(t.starts_at, say=say), inline=False)
    embed.add_field(name=say(msg("Times entered in")), value=t.timezone)
    embed.add_field(name=say(msg("Public page")), value=f"/t/{t.slug}")
    embed.add_field(
        name=say(msg("Next")),
        value=say(
            msg(
                "Add rules, stream links and the prize split with {edit}, questions with "
                "{field_add}, then {publish}.",
                edit=Command("tournament edit"),
                field_add=Command("tournament field-add"),
                publish=Command("tournament publish"),
            )
        ),
        inline=False,
    )
    return embed


def removed_text(rejected: bool, released: Released) -> Message:
    entry = released.registration
    refund = (
        nmsg(
            " {n} payment refunded (money refunds wait in {refund_sent} once you have sent them).",
            " {n} payments refunded (money refunds wait in {refund_sent} once you have sent them).",
            released.refunded_payments,
            refund_sent=Command("payments refund-sent"),
        )
        if released.refunded_payments
        else msg(" Nothing had been paid.")
    )
    template = (
        msg(
            "Rejected **{name}** from **{tournament}**; the player gets a DM with your "
            "reason.{refund}",
            name=entry.display_name,
            tournament=entry.tournament_name,
            refund=refund,
        )
        if rejected
        else msg(
            "Removed **{name}** from **{tournament}**; the player gets a DM with your "
            "reason.{refund}",
            name=entry.display_name,
            tournament=entry.tournament_name,
            refund=refund,
        )
    )
    return template


def staff_text(staff: StaffView) -> Message:
    co: object = [User(u) for u in staff.co_organizer_ids] or msg("none yet")
    return msg(
        "Owner: {owner} · Co-organizers: {co} · Server admins can always help.",
        owner=User(staff.owner_id),
        co=co,
    )


def change_text(change: TournamentChange) -> Message:
    return msg(
        "Saved **{name}** as version {version}: {summary}",
        name=change.tournament.name,
        version=change.version,
        summary=Message.literal(change.summary),
    )


def _format_options(
    grand_final: str | None,
    third_place: bool | None,
    swiss_rounds: int | None,
    groups: int | None,
    advance_per_group: int | None,
) -> dict[str, object]:
    given = {
        "grand_final": grand_final,
        "third_place": third_place,
        "rounds": swiss_rounds,
        "groups": groups,
        "advance_per_group": advance_per_group,
    }
    return {k: v for k, v in given.items() if v is not None}


class EditValueModal(DomainModal):
    """A form for one field, prefilled with its current value (long text lives here)."""

    def __init__(
        self, services: Services, tournament_id: int, field: str, current: str, say: Say
    ) -> None:
        super().__init__(
            title=say(msg("Edit {field}", field=field.replace("_", " ")))[:45],
            custom_id=f"dc:tournament-edit:{tournament_id}:{field}",
        )
        self.services = services
        self.tournament_id = tournament_id
        self.field = field
        long_text = EDITABLE_FIELDS[field].long_text
        self.value: discord.ui.TextInput[EditValueModal] = discord.ui.TextInput(
            label=say(Message.literal(EDITABLE_FIELDS[field].description))[:45],
            custom_id="value",
            style=discord.TextStyle.paragraph if long_text else discord.TextStyle.short,
            default=current[:4000] or None,
            required=False,
            max_length=4000,
        )
        self.add_item(self.value)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        change = await self.services.tournaments.edit(
            actor_of(interaction), self.tournament_id, self.field, self.value.value
        )
        await reply(interaction, change_text(change))


class CancelConfirmation(DomainView):
    """Cancelling refunds everyone; the organizer who asked confirms with a click."""

    def __init__(
        self,
        services: Services,
        owner_id: int,
        tournament_id: int,
        reason: str | None,
        say: Say,
    ) -> None:
        super().__init__(timeout=120)
        self.confirm.label = say(msg("Cancel the tournament"))
        self.keep.label = say(msg("Keep it"))
        self.services = services
        self.owner_id = owner_id
        self.tournament_id = tournament_id
        self.reason = reason

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await reply(
                interaction, msg("This confirmation belongs to the organizer who asked for it.")
            )
            return False
        return True

    @discord.ui.button(
        label="Cancel the tournament",
        style=discord.ButtonStyle.danger,
        custom_id="dc:tournament-cancel:confirm",
    )
    async def confirm(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.stop()
        result = await self.services.tournaments.cancel(
            actor_of(interaction), self.tournament_id, self.reason
        )
        say = await reader_say(interaction)
        await interaction.response.edit_message(
            content=say(
                msg(
                    "**{name}** is cancelled. {registrations} registrations were cancelled "
                    "and {payments} payments refunded (money refunds wait in {refund_sent} "
                    "once you have sent them).",
                    name=result.tournament.name,
                    registrations=result.cancelled_registrations,
                    payments=result.refunded_payments,
                    refund_sent=Command("payments refund-sent"),
                )
            ),
            view=None,
        )

    @discord.ui.button(
        label="Keep it", style=discord.ButtonStyle.secondary, custom_id="dc:tournament-cancel:keep"
    )
    async def keep(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.stop()
        say = await reader_say(interaction)
        await interaction.response.edit_message(
            content=say(msg("Nothing was cancelled.")), view=None
        )


class TournamentCog(commands.Cog):
    tournament = app_commands.Group(
        name="tournament", description="Create, run and look up tournaments.", guild_only=True
    )

    def __init__(self, services: Services) -> None:
        self.services = services
        # Match-day organizer commands (seed, swap, start) live with the bracket cog.
        attach_tournament_commands(self.tournament)
        attach_clone_command(self.tournament)  # /tournament clone (cogs/templates.py)

    # ------------------------------------------------------------------ create
    @tournament.command(
        name="create", description="Create a tournament (starts as a draft).", extras=ORGANIZER
    )
    @app_commands.rename(participant_type="type", format_="format")
    @app_commands.describe(
        name="The tournament's name.",
        game="The game it is played in (add games with /game add).",
        format_="How the bracket works.",
        participant_type="Solo players or teams.",
        max_participants="The most players or teams that can get a slot.",
        starts_at="Start time in this server's time zone, e.g. 2026-12-05 18:00.",
        best_of="Games per match.",
        min_participants="Fewest players or teams needed to run it.",
        team_size="Players per team (default: the game's largest team).",
        registration_opens="When registration opens, e.g. 2026-11-20 10:00.",
        registration_closes="When registration closes, e.g. 2026-12-04 22:00.",
        entry_fee="Entry fee in money, e.g. 150 or 150.50.",
        currency="Currency of the money fee, e.g. BDT.",
        entry_fee_coins="Entry fee in server coins.",
        payment_methods=f"Accepted ways to pay, e.g. {', '.join(PAYMENT_METHODS)}.",
        checkin="Whether participants must check in before the start.",
        checkin_minutes="How many minutes before the start check-in opens.",
        grand_final="Double elimination: how the grand final works.",
        third_place="Single elimination: play a match for third place.",
        swiss_rounds="Swiss: number of rounds (default: enough to find a winner).",
        groups="Groups and playoff: number of groups.",
        advance_per_group="Groups and playoff: how many advance from each group.",
        round_interval="Minutes between rounds: round 1 at the start, then one every N minutes.",
        match_checkin="Minutes both sides have to check in to each match (0 = no check-in).",
    )
    @app_commands.choices(
        format_=FORMAT_CHOICES, participant_type=TYPE_CHOICES, grand_final=GRAND_FINAL_CHOICES
    )
    @app_commands.choices(best_of=BEST_OF_CHOICES)
    async def create(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 3, 100],
        game: GameId,
        format_: app_commands.Choice[str],
        participant_type: app_commands.Choice[str],
        max_participants: app_commands.Range[int, 2, 1024],
        starts_at: str,
        best_of: app_commands.Choice[int] | None = None,
        min_participants: app_commands.Range[int, 2, 1024] = 2,
        team_size: app_commands.Range[int, 1, 5] | None = None,
        registration_opens: str | None = None,
        registration_closes: str | None = None,
        entry_fee: str | None = None,
        currency: app_commands.Range[str, 3, 3] = "BDT",
        entry_fee_coins: int = 0,
        payment_methods: str | None = None,
        checkin: bool = False,
        checkin_minutes: app_commands.Range[int, 5, 1440] = 30,
        grand_final: app_commands.Choice[str] | None = None,
        third_place: bool | None = None,
        swiss_rounds: app_commands.Range[int, 1, 50] | None = None,
        groups: app_commands.Range[int, 1, 64] | None = None,
        advance_per_group: app_commands.Range[int, 1, 64] | None = None,
        round_interval: app_commands.Range[int, 0, 10080] = 0,
        match_checkin: app_commands.Range[int, 0, 120] | None = None,
    ) -> None:
        assert interaction.guild_id is not None  # guild_only
        defaults = cog_host(interaction.client).settings.tournaments
        draft = TournamentDraft(
            name=name,
            game_id=game,
            format=format_.value,
            participant_type=participant_type.value,
            max_participants=max_participants,
            min_participants=min_participants,
            team_size=team_size,
            starts_at=starts_at,
            registration_opens_at=registration_opens,
            registration_closes_at=registration_closes,
            best_of=best_of.value if best_of else 1,
            entry_fee_minor=parse_money(entry_fee, msg("entry fee")) if entry_fee else 0,
            currency=currency,
            entry_fee_coins=entry_fee_coins,
            payment_methods=parse_methods(payment_methods) if payment_methods else (),
            checkin_enabled=checkin,
            checkin_window_minutes=checkin_minutes,
            # With an interval the rounds run on a schedule from the start; without one,
            # every match is played as soon as both sides are known.
            round_times=(starts_at,) if round_interval else (),
            round_interval_minutes=round_interval,
            match_checkin_minutes=(
                defaults.match_checkin_minutes if match_checkin is None else match_checkin
            ),
            reminder_minutes=tuple(defaults.reminder_minutes),
            result_deadline_minutes=defaults.result_deadline_minutes,
            player_reschedule_minutes=defaults.player_reschedule_minutes,
            format_options=_format_options(
                grand_final.value if grand_final else None,
                third_place,
                swiss_rounds,
                groups,
                advance_per_group,
            ),
        )
        view = await self.services.tournaments.create(
            actor_of(interaction), interaction.guild_id, draft
        )
        say = await reader_say(interaction)
        await interaction.response.send_message(embed=created_embed(view, say), ephemeral=True)

    # -------------------------------------------------------------------- edit
    @tournament.command(
        name="edit",
        description="Change one setting; leave value empty for a form.",
        extras=ORGANIZER,
    )
    @app_commands.describe(
        tournament="The tournament to change.",
        field="The setting to change.",
        value="The new value; leave it empty to get a form (best for rules and stream links).",
    )
    async def edit(
        self,
        interaction: discord.Interaction,
        tournament: TournamentId,
        field: str,
        value: str | None = None,
    ) -> None:
        if value is not None:
            change = await self.services.tournaments.edit(
                actor_of(interaction), tournament, field, value
            )
            await reply(interaction, change_text(change))
            return
        text = await self.services.tournaments.editable_text(
            actor_of(interaction), tournament, field
        )
        say = await reader_say(interaction)
        await interaction.response.send_modal(
            EditValueModal(self.services, tournament, field, text, say)
        )

    @edit.autocomplete("field")
    async def _field_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.lower()
        say = await reader_say(interaction)
        described = {f.name: say(Message.literal(f.description)) for f in EDITABLE_FIELDS.values()}
        matches = [
            f
            for f in EDITABLE_FIELDS.values()
            if needle in f.name
            or needle in f.description.lower()
            or needle in described[f.name].lower()
        ]
        return [
            app_commands.Choice(name=f"{f.name} — {described[f.name]}"[:100], value=f.name)
            for f in matches[:25]
        ]

    @tournament.command(
        name="history", description="List the saved versions of a tournament.", extras=ORGANIZER
    )
    @app_commands.describe(tournament="The tournament.")
    async def history(self, interaction: discord.Interaction, tournament: AnyTournamentId) -> None:
        actor = actor_of(interaction)
        versions = await self.services.tournaments.history(actor, tournament)
        view = await self.services.tournaments.get(tournament, interaction.guild_id)
        say = await reader_say(interaction)
        await interaction.response.send_message(
            embed=history_embed(view.name, versions, say), ephemeral=True
        )

    @tournament.command(
        name="rollback", description="Restore an earlier version of the settings.", extras=ORGANIZER
    )
    @app_commands.describe(tournament="The tournament.", version="The version to restore.")
    async def rollback(
        self,
        interaction: discord.Interaction,
        tournament: TournamentId,
        version: app_commands.Range[int, 1, 100000],
    ) -> None:
        change = await self.services.tournaments.rollback(
            actor_of(interaction), tournament, version
        )
        await reply(interaction, change_text(change))

    # --------------------------------------------------------------- lifecycle
    @tournament.command(
        name="publish", description="Announce a draft tournament.", extras=ORGANIZER
    )
    @app_commands.describe(tournament="The tournament to announce.")
    async def publish(self, interaction: discord.Interaction, tournament: TournamentId) -> None:
        view = await self.services.tournaments.publish(actor_of(interaction), tournament)
        await reply(interaction, msg("**{name}** is published and announced.", name=view.name))

    @tournament.command(name="open", description="Open registration.", extras=ORGANIZER)
    @app_commands.describe(tournament="The tournament to open.")
    async def open_registration(
        self, interaction: discord.Interaction, tournament: TournamentId
    ) -> None:
        view = await self.services.tournaments.open_registration(actor_of(interaction), tournament)
        await reply(interaction, msg("Registration for **{name}** is open.", name=view.name))

    @tournament.command(name="close", description="Close registration.", extras=ORGANIZER)
    @app_commands.describe(tournament="The tournament to close.")
    async def close_registration(
        self, interaction: discord.Interaction, tournament: TournamentId
    ) -> None:
        view = await self.services.tournaments.close_registration(actor_of(interaction), tournament)
        await reply(interaction, msg("Registration for **{name}** is closed.", name=view.name))

    @tournament.command(
        name="cancel", description="Cancel a tournament and refund every entry.", extras=ORGANIZER
    )
    @app_commands.describe(
        tournament="The tournament to cancel.", reason="Why; shown in the announcement."
    )
    async def cancel(
        self,
        interaction: discord.Interaction,
        tournament: TournamentId,
        reason: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        view = await self.services.tournaments.get(tournament, interaction.guild_id)
        say = await reader_say(interaction)
        confirm = CancelConfirmation(self.services, interaction.user.id, tournament, reason, say)
        await interaction.response.send_message(
            say(
                msg(
                    "Cancel **{name}**? Every registration is cancelled and every payment "
                    "refunded. This cannot be undone.",
                    name=view.name,
                )
            ),
            view=confirm,
            ephemeral=True,
        )

    @tournament.command(
        name="archive",
        description="File a finished or cancelled tournament away.",
        extras=ORGANIZER,
    )
    @app_commands.describe(tournament="The tournament to archive.")
    async def archive(self, interaction: discord.Interaction, tournament: AnyTournamentId) -> None:
        view = await self.services.tournaments.archive(actor_of(interaction), tournament)
        await reply(interaction, msg("**{name}** is archived.", name=view.name))

    # ------------------------------------------------------------------- staff
    @tournament.command(
        name="staff-add",
        description="Name a co-organizer of one tournament (its owner or an admin).",
        extras=ORGANIZER,
    )
    @app_commands.describe(
        tournament="The tournament.", member="Who helps run it: reviews, disputes, entries."
    )
    async def staff_add(
        self, interaction: discord.Interaction, tournament: AnyTournamentId, member: discord.Member
    ) -> None:
        staff = await self.services.tournaments.add_co_organizer(
            actor_of(interaction), tournament, member.id
        )
        await reply(
            interaction,
            msg(
                "{member} now co-organizes **{tournament}**: payments, entries, disputes and "
                "the start of this tournament only.\n{staff}",
                member=User(member.id),
                tournament=staff.tournament_name,
                staff=staff_text(staff),
            ),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @tournament.command(
        name="staff-remove",
        description="Remove a co-organizer from one tournament.",
        extras=ORGANIZER,
    )
    @app_commands.describe(tournament="The tournament.", member="The co-organizer to remove.")
    async def staff_remove(
        self, interaction: discord.Interaction, tournament: AnyTournamentId, member: discord.Member
    ) -> None:
        staff = await self.services.tournaments.remove_co_organizer(
            actor_of(interaction), tournament, member.id
        )
        await reply(
            interaction,
            msg(
                "{member} no longer co-organizes **{tournament}**.\n{staff}",
                member=User(member.id),
                tournament=staff.tournament_name,
                staff=staff_text(staff),
            ),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @tournament.command(name="staff", description="Who runs a tournament.")
    @app_commands.describe(tournament="The tournament.")
    async def staff(self, interaction: discord.Interaction, tournament: AnyTournamentId) -> None:
        staff = await self.services.tournaments.staff(tournament, interaction.guild_id)
        await reply(
            interaction,
            msg(
                "**{tournament}**\n{staff}",
                tournament=staff.tournament_name,
                staff=staff_text(staff),
            ),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    # ----------------------------------------------------------------- entries
    @tournament.command(
        name="entry-remove",
        description="Remove an entry before the start; the player is told why and refunded.",
        extras=ORGANIZER,
    )
    @app_commands.describe(
        tournament="The tournament.",
        entry="The entry to remove.",
        reason="Why; the player reads it in a DM.",
    )
    async def entry_remove(
        self,
        interaction: discord.Interaction,
        tournament: TournamentId,
        entry: EntryId,
        reason: app_commands.Range[str, 3, 300],
    ) -> None:
        released = await self.services.registration.remove_entry(
            actor_of(interaction), entry, reason
        )
        await reply(interaction, removed_text(False, released))

    @tournament.command(
        name="entry-reject",
        description="Refuse a registration outright; the player is told why and refunded.",
        extras=ORGANIZER,
    )
    @app_commands.describe(
        tournament="The tournament.",
        entry="The registration to refuse.",
        reason="Why; the player reads it in a DM.",
    )
    async def entry_reject(
        self,
        interaction: discord.Interaction,
        tournament: TournamentId,
        entry: EntryId,
        reason: app_commands.Range[str, 3, 300],
    ) -> None:
        released = await self.services.registration.remove_entry(
            actor_of(interaction), entry, reason, reject=True
        )
        await reply(interaction, removed_text(True, released))

    @tournament.command(
        name="entry-promote",
        description="Move a waitlisted entry into a free slot by hand.",
        extras=ORGANIZER,
    )
    @app_commands.describe(tournament="The tournament.", entry="The waitlisted entry.")
    async def entry_promote(
        self, interaction: discord.Interaction, tournament: TournamentId, entry: EntryId
    ) -> None:
        view = await self.services.registration.promote(actor_of(interaction), entry)
        step = (
            msg("They pay next.")
            if view.status == "awaiting_payment"
            else msg("Their place is confirmed.")
        )
        await reply(
            interaction,
            msg(
                "**{name}** moved up from the waitlist of **{tournament}** and gets a DM. {step}",
                name=view.display_name,
                tournament=view.tournament_name,
                step=step,
            ),
        )

    @tournament.command(
        name="export",
        description="Download the participants with their answers, payments and check-in (CSV).",
        extras=ORGANIZER,
    )
    @app_commands.describe(tournament="The tournament.")
    async def export(self, interaction: discord.Interaction, tournament: AnyTournamentId) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.services.roster.participants(actor_of(interaction), tournament)
        await reply(
            interaction,
            msg(
                "Participants of **{tournament}**: {n} entries ({counts}).",
                tournament=report.tournament_name,
                n=len(report.participants),
                counts=entry_counts(report.counts()),
            ),
            file=discord.File(io.BytesIO(report.to_csv()), filename=report.filename),
        )

    # ------------------------------------------------------------------ prizes
    @tournament.command(
        name="prize-paid",
        description="Record that you sent a money prize; the winner is told.",
        extras=ORGANIZER,
    )
    @app_commands.describe(
        tournament="The finished tournament.",
        entry="The winner whose prize you sent.",
        method="How you paid, e.g. bKash or bank transfer.",
        reference="The transaction id, so the winner can find it.",
        receipt="Optional: a screenshot of the transfer (PNG or JPEG).",
    )
    async def prize_paid(
        self,
        interaction: discord.Interaction,
        tournament: AnyTournamentId,
        entry: PrizeEntryId,
        method: app_commands.Range[str, 2, 32],
        reference: app_commands.Range[str, 1, 100],
        receipt: discord.Attachment | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        prize = await self.services.prizes.mark_paid(
            actor_of(interaction),
            tournament,
            entry,
            method=method,
            reference=reference,
            receipt=await read_upload(self.services.uploads, receipt, "receipt"),
            receipt_name=receipt.filename if receipt else None,
        )
        await reply(
            interaction,
            msg(
                "💸 Marked the prize of **{name}** (#{place}, {amount}) as paid by {method}, "
                "reference `{reference}`. The winner gets a DM.",
                name=prize.display_name,
                place=prize.place,
                amount=prize.amount_text,
                method=prize.paid_method,
                reference=prize.paid_reference,
            ),
        )

    @tournament.command(
        name="prizes",
        description="The money prizes of a tournament, paid and unpaid.",
    )
    @app_commands.describe(tournament="The tournament.")
    async def prizes(self, interaction: discord.Interaction, tournament: AnyTournamentId) -> None:
        prizes = await self.services.prizes.prizes(tournament, interaction.guild_id)
        view = await self.services.tournaments.get(tournament, interaction.guild_id)
        if not prizes:
            await reply(interaction, msg("**{name}** has no money prizes (yet).", name=view.name))
            return
        say = await reader_say(interaction)
        paid, unpaid = say(msg("✅ paid")), say(msg("⏳ unpaid"))
        lines = [
            f"{paid if p.is_paid else unpaid} · #{p.place} "
            f"**{user_text(p.display_name)}** · {p.amount_text}"
            + (f" · {user_text(p.paid_method)}" if p.is_paid else "")
            for p in prizes
        ]
        owed = [p for p in prizes if not p.is_paid]
        head = say(
            msg(
                "Money prizes of **{name}**: {owed} of {total} unpaid.",
                name=view.name,
                owed=len(owed),
                total=len(prizes),
            )
        )
        await reply(interaction, "\n".join([head, *lines])[:1900])

    # ---------------------------------------------------------- custom fields
    @tournament.command(
        name="field-add", description="Add a question to the registration form.", extras=ORGANIZER
    )
    @app_commands.describe(
        tournament="The tournament.",
        label="The question, at most 45 characters, e.g. Riot ID.",
        kind="What kind of answer it takes.",
        required="Whether players must answer it.",
        max_length="Text: the longest answer allowed.",
        min_value="Number: the smallest answer allowed.",
        max_value="Number: the largest answer allowed.",
        choices="Dropdown: the choices, separated by commas, e.g. EU, NA, Asia.",
    )
    @app_commands.choices(kind=KIND_CHOICES)
    async def field_add(
        self,
        interaction: discord.Interaction,
        tournament: TournamentId,
        label: app_commands.Range[str, 1, 45],
        kind: app_commands.Choice[str],
        required: bool = True,
        max_length: app_commands.Range[int, 1, 4000] | None = None,
        min_value: int | None = None,
        max_value: int | None = None,
        choices: str | None = None,
    ) -> None:
        spec = FieldSpec(
            label=label,
            kind=kind.value,
            required=required,
            max_length=max_length,
            min_value=min_value,
            max_value=max_value,
            choices=tuple(c for c in (choices or "").split(",") if c.strip()),
        )
        field = await self.services.tournaments.add_field(actor_of(interaction), tournament, spec)
        await reply(
            interaction,
            msg(
                "Added the question **{label}** ({kind}, {required}) to the registration form.",
                label=field.label,
                kind=field.kind,
                required=msg("required") if field.required else msg("optional"),
            ),
        )

    # ------------------------------------------------------------- everyone
    @tournament.command(name="info", description="Everything about one tournament.")
    @app_commands.describe(tournament="The tournament.")
    async def info(self, interaction: discord.Interaction, tournament: AnyTournamentId) -> None:
        summary = await self.services.tournaments.summary(tournament, interaction.guild_id)
        say = await server_say(interaction)
        await interaction.response.send_message(
            embed=tournament_embed(summary, say=say), ephemeral=False
        )

    @tournament.command(name="list", description="The tournaments of this server.")
    async def list_tournaments(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        views = await self.services.tournaments.search(interaction.guild_id, statuses=LISTED)
        say = await server_say(interaction)
        await interaction.response.send_message(embed=list_embed(views, say), ephemeral=False)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(TournamentCog(cog_host(bot).services))
