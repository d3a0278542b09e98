"""/sponsor — a server's sponsors: add, edit, remove, list, attach, detach, report."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._autocomplete import AnyTournamentId
from cogs._interactions import (
    ORGANIZER_EXTRA,
    actor_of,
    organizer_command,
    read_upload,
    reply,
    services_of,
)
from cogs._safe import user_text
from cogs._text import discord_text, reader_language
from engine.kernel.text import Command, Message, msg, nmsg
from engine.sponsors import (
    TIER_NAMES,
    TIERS,
    SponsorChanges,
    SponsorReport,
    SponsorSpec,
    SponsorView,
)

ORGANIZER = {ORGANIZER_EXTRA: True}
TIER_CHOICES = [app_commands.Choice(name=locale_str(TIER_NAMES[t]), value=t) for t in TIERS]
REPORT_LINES = 20  # an embed holds 25 fields; the CSV has every line


async def _sponsor_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    found = await services_of(interaction).sponsors.search(interaction.guild_id, current)
    return [app_commands.Choice(name=s.name[:100], value=str(s.id)) for s in found]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SponsorCog(
    commands.GroupCog,
    group_name="sponsor",
    group_description=locale_str("This server's sponsors (organizers)."),
):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        super().__init__()

    async def _text(self, interaction: discord.Interaction, text: Message | str) -> str:
        return discord_text(text, interaction.client, await reader_language(interaction))

    @app_commands.command(
        name="add",
        description=locale_str("Add a sponsor with its link, tier and logo (organizers)."),
        extras=ORGANIZER,
    )
    @app_commands.describe(
        name=locale_str("The sponsor's name, e.g. Nova Energy."),
        link=locale_str("Where a click on the logo goes: a https:// address."),
        tier=locale_str("Title, gold, silver or community: bigger tiers get bigger logos."),
        logo=locale_str("The logo, a PNG or JPEG image."),
        text=locale_str("A short line about the sponsor (optional)."),
        order=locale_str("Order inside the tier, smaller first (default 0)."),
        tournament=locale_str("A tournament this sponsor backs (optional)."),
    )
    @app_commands.choices(tier=TIER_CHOICES)
    @organizer_command
    async def add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 64],
        link: app_commands.Range[str, 1, 512],
        tier: str = "gold",
        logo: discord.Attachment | None = None,
        text: app_commands.Range[str, 1, 200] | None = None,
        order: app_commands.Range[int, 0, 999] = 0,
        tournament: AnyTournamentId | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        services = services_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await read_upload(services.uploads, logo, "logo")
        view = await services.sponsors.add(
            actor_of(interaction),
            interaction.guild_id,
            SponsorSpec(name, link, tier, text, order),
            logo=data,
            logo_name=logo.filename if logo else None,
            tournament_id=tournament,
        )
        await reply(
            interaction,
            msg(
                "Sponsor {name} added ({tier}). Its link: {link}. Attach it to a tournament "
                "with the tournament option or {sponsor_attach}.",
                name=view.name,
                tier=msg(TIER_NAMES[view.tier]),
                link=view.url,
                sponsor_attach=Command("sponsor attach"),
            ),
        )

    @app_commands.command(
        name="edit",
        description=locale_str("Change a sponsor's name, link, tier, text, order or logo."),
        extras=ORGANIZER,
    )
    @app_commands.describe(
        sponsor=locale_str("The sponsor."),
        name=locale_str("A new name."),
        link=locale_str("A new https:// link."),
        tier=locale_str("A new tier."),
        logo=locale_str("A new logo, a PNG or JPEG image."),
        text=locale_str("A new short line about the sponsor."),
        order=locale_str("A new order inside the tier, smaller first."),
    )
    @app_commands.choices(tier=TIER_CHOICES)
    @app_commands.autocomplete(sponsor=_sponsor_autocomplete)
    @organizer_command
    async def edit(
        self,
        interaction: discord.Interaction,
        sponsor: app_commands.Range[str, 1, 64],
        name: app_commands.Range[str, 1, 64] | None = None,
        link: app_commands.Range[str, 1, 512] | None = None,
        tier: str | None = None,
        logo: discord.Attachment | None = None,
        text: app_commands.Range[str, 1, 200] | None = None,
        order: app_commands.Range[int, 0, 999] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        services = services_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await read_upload(services.uploads, logo, "logo")
        view = await services.sponsors.edit(
            actor_of(interaction),
            interaction.guild_id,
            sponsor,
            SponsorChanges(name=name, url=link, tier=tier, blurb=text, position=order),
            logo=data,
            logo_name=logo.filename if logo else None,
        )
        await reply(interaction, msg("Sponsor {name} is updated.", name=view.name))

    @app_commands.command(
        name="remove",
        description=locale_str("Remove a sponsor and its numbers (organizers)."),
        extras=ORGANIZER,
    )
    @app_commands.describe(sponsor=locale_str("The sponsor."))
    @app_commands.autocomplete(sponsor=_sponsor_autocomplete)
    @organizer_command
    async def remove(
        self, interaction: discord.Interaction, sponsor: app_commands.Range[str, 1, 64]
    ) -> None:
        assert interaction.guild_id is not None
        view = await services_of(interaction).sponsors.remove(
            actor_of(interaction), interaction.guild_id, sponsor
        )
        await reply(
            interaction,
            msg(
                "Sponsor {name} is removed; pictures drawn from now on leave its logo out.",
                name=view.name,
            ),
        )

    @app_commands.command(
        name="list",
        description=locale_str("This server's sponsors by tier (organizers)."),
        extras=ORGANIZER,
    )
    @organizer_command
    async def list_(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        sponsors = await services_of(interaction).sponsors.listing(
            actor_of(interaction), interaction.guild_id
        )
        embed = discord.Embed(
            title=await self._text(interaction, msg("Sponsors")),
            colour=discord.Colour.gold(),
        )
        if not sponsors:
            embed.description = await self._text(
                interaction,
                msg(
                    "No sponsors yet. Add one with {sponsor_add}.",
                    sponsor_add=Command("sponsor add"),
                ),
            )
        for view in sponsors[:25]:
            embed.add_field(
                name=user_text(view.name)[:256],
                value=(await self._text(interaction, _sponsor_line(view)))[:1024],
                inline=False,
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(
        name="attach",
        description=locale_str("Show a sponsor on a tournament's pictures and pages."),
        extras=ORGANIZER,
    )
    @app_commands.describe(
        sponsor=locale_str("The sponsor."), tournament=locale_str("The tournament.")
    )
    @app_commands.autocomplete(sponsor=_sponsor_autocomplete)
    @organizer_command
    async def attach(
        self,
        interaction: discord.Interaction,
        sponsor: app_commands.Range[str, 1, 64],
        tournament: AnyTournamentId,
    ) -> None:
        assert interaction.guild_id is not None
        view = await services_of(interaction).sponsors.attach(
            actor_of(interaction), interaction.guild_id, sponsor, tournament
        )
        await reply(
            interaction,
            msg(
                "{name} now sponsors this tournament: its logo is on the pictures drawn "
                "from now on.",
                name=view.name,
            ),
        )

    @app_commands.command(
        name="detach",
        description=locale_str("Stop showing a sponsor on a tournament."),
        extras=ORGANIZER,
    )
    @app_commands.describe(
        sponsor=locale_str("The sponsor."), tournament=locale_str("The tournament.")
    )
    @app_commands.autocomplete(sponsor=_sponsor_autocomplete)
    @organizer_command
    async def detach(
        self,
        interaction: discord.Interaction,
        sponsor: app_commands.Range[str, 1, 64],
        tournament: AnyTournamentId,
    ) -> None:
        assert interaction.guild_id is not None
        view = await services_of(interaction).sponsors.detach(
            actor_of(interaction), interaction.guild_id, sponsor, tournament
        )
        await reply(interaction, msg("{name} no longer sponsors this tournament.", name=view.name))

    @app_commands.command(
        name="report",
        description=locale_str("Impressions, clicks and click-through per tournament, with a CSV."),
        extras=ORGANIZER,
    )
    @app_commands.describe(tournament=locale_str("Only this tournament (optional)."))
    @organizer_command
    async def report(
        self, interaction: discord.Interaction, tournament: AnyTournamentId | None = None
    ) -> None:
        assert interaction.guild_id is not None
        services = services_of(interaction)
        actor = actor_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await services.sponsors.report(actor, interaction.guild_id, tournament)
        filename, data = await services.sponsors.report_csv(actor, interaction.guild_id, tournament)
        embed = await self._report_embed(interaction, report)
        await interaction.followup.send(
            embed=embed, file=discord.File(io.BytesIO(data), filename=filename), ephemeral=True
        )

    async def _report_embed(
        self, interaction: discord.Interaction, report: SponsorReport
    ) -> discord.Embed:
        embed = discord.Embed(
            title=await self._text(interaction, msg("Sponsor report")),
            colour=discord.Colour.gold(),
            description=await self._text(
                interaction,
                msg(
                    "{impressions} impressions · {clicks} clicks ({unique} unique). Bots and "
                    "link previews are not counted.",
                    impressions=report.impressions,
                    clicks=report.clicks,
                    unique=report.unique_clicks,
                ),
            ),
        )
        if not report.lines:
            embed.description = await self._text(
                interaction,
                msg("No numbers yet: attach a sponsor to a tournament and post its bracket."),
            )
        for line in report.lines[:REPORT_LINES]:
            title = line.tournament_name if line.tournament_id else "—"
            embed.add_field(
                name=f"{user_text(line.sponsor_name)} · {user_text(title)}"[:256],
                value=await self._text(
                    interaction,
                    msg(
                        "{impressions} impressions · {clicks} clicks ({unique} unique) · "
                        "click-through {rate}",
                        impressions=line.impressions,
                        clicks=line.clicks,
                        unique=line.unique_clicks,
                        rate=line.click_through_text,
                    ),
                ),
                inline=False,
            )
        if len(report.lines) > REPORT_LINES:
            embed.set_footer(
                text=await self._text(
                    interaction,
                    nmsg(
                        "{n} more line is in the CSV.",
                        "{n} more lines are in the CSV.",
                        len(report.lines) - REPORT_LINES,
                    ),
                )
            )
        return embed


def _sponsor_line(view: SponsorView) -> Message:
    return msg(
        "{tier} · order {order} · {link}{logo} · {tournaments}{text}",
        tier=msg(TIER_NAMES[view.tier]),
        order=view.position,
        link=view.url,
        logo=msg(" · logo") if view.logo_sha256 else msg(" · no logo"),
        tournaments=nmsg("{n} tournament", "{n} tournaments", len(view.tournament_ids)),
        text=f"\n{view.blurb}" if view.blurb else "",
    )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(SponsorCog(bot))
