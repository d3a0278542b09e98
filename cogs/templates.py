"""/tournament clone and /template save|list|use|delete: new drafts from another
tournament's configuration, or from one a server saved under a name.

``/tournament clone`` lives in the /tournament group (attached by the tournament cog with
:func:`attach_clone_command`); the rest is the /template group of :class:`TemplateCog`.
The services are ``engine.tournaments.TournamentTemplateService``.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._autocomplete import AnyTournamentId
from cogs._interactions import ORGANIZER_EXTRA, actor_of, cog_host, reply, services_of
from engine.kernel.text import Command, Message, Timestamp, msg, nmsg
from engine.services import Services
from engine.tournaments import ClonedTournament, TemplateView

ORGANIZER = {ORGANIZER_EXTRA: True}


def cloned_text(made: ClonedTournament, *, template: bool = False) -> Message:
    """What an organizer reads after a clone or a template made a new draft."""
    t = made.tournament
    head = (
        msg(
            "Created the draft **{name}** from the template “{source}”.",
            name=t.name,
            source=made.source_name,
        )
        if template
        else msg(
            "Created the draft **{name}**, a copy of “{source}”.",
            name=t.name,
            source=made.source_name,
        )
    )
    parts = [head]
    if t.starts_at is not None:
        parts.append(msg("It starts {when}.", when=Timestamp(t.starts_at, "F")))
    if t.registration_opens_at is not None:
        parts.append(
            msg("Registration opens {when}.", when=Timestamp(t.registration_opens_at, "F"))
        )
    if made.opening_dropped:
        parts.append(
            msg(
                "Its registration would have opened in the past, so it opens when you run "
                "{tournament_open}.",
                tournament_open=Command("tournament open"),
            )
        )
    if made.questions:
        parts.append(
            nmsg(
                "{n} registration question came with it.",
                "{n} registration questions came with it.",
                made.questions,
                n=made.questions,
            )
        )
    if made.co_organizers:
        parts.append(
            nmsg(
                "{n} co-organizer runs it with you.",
                "{n} co-organizers run it with you.",
                made.co_organizers,
                n=made.co_organizers,
            )
        )
    parts.append(
        msg(
            "Check it with {tournament_info}, change anything with {tournament_edit}, then "
            "{tournament_publish}.",
            tournament_info=Command("tournament info"),
            tournament_edit=Command("tournament edit"),
            tournament_publish=Command("tournament publish"),
        )
    )
    text = parts[0]
    for part in parts[1:]:
        text = text + " " + part
    return text


def template_line(view: TemplateView) -> Message:
    return nmsg(
        "**{name}**: {tournament} · {format} · {size} {kind} · {n} question",
        "**{name}**: {tournament} · {format} · {size} {kind} · {n} questions",
        view.questions,
        name=view.name,
        tournament=view.tournament_name,
        format=view.format_name,
        size=view.max_participants,
        kind=view.participant_type,
        n=view.questions,
    )


# ---------------------------------------------------------------- /tournament clone
@app_commands.describe(
    tournament=locale_str("The tournament to copy."),
    starts_at=locale_str("The copy's start in this server's time zone, e.g. 2026-12-12 18:00."),
    name=locale_str("The copy's name (default: the same name)."),
    registration_opens=locale_str(
        "When the copy's registration opens (default: as far before the start as before)."
    ),
)
async def clone_command(
    interaction: discord.Interaction,
    tournament: AnyTournamentId,
    starts_at: app_commands.Range[str, 1, 40],
    name: app_commands.Range[str, 3, 100] | None = None,
    registration_opens: app_commands.Range[str, 1, 40] | None = None,
) -> None:
    made = await services_of(interaction).templates.clone(
        actor_of(interaction),
        tournament,
        starts_at=starts_at,
        registration_opens_at=registration_opens,
        name=name,
    )
    await reply(interaction, cloned_text(made))


def attach_clone_command(group: app_commands.Group) -> None:
    """Add clone to the /tournament group of the cog instance (see
    ``cogs.brackets.attach_tournament_commands`` for why the instance's)."""
    group.add_command(
        app_commands.Command(
            name="clone",
            description=locale_str(
                "Copy a tournament's whole configuration into a new draft with new dates."
            ),
            callback=clone_command,
            extras=ORGANIZER,
        )
    )


# ------------------------------------------------------------------------ /template
class TemplateCog(commands.Cog):
    template = app_commands.Group(
        name="template",
        description=locale_str("Save tournament configurations and create drafts from them."),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    @template.command(
        name="save",
        description=locale_str("Save a tournament's configuration as a named template."),
        extras=ORGANIZER,
    )
    @app_commands.describe(
        tournament=locale_str("The tournament whose configuration to save."),
        name=locale_str("The template's name, e.g. Weekly 5v5."),
        replace=locale_str("Overwrite a template of the same name."),
    )
    async def save(
        self,
        interaction: discord.Interaction,
        tournament: AnyTournamentId,
        name: app_commands.Range[str, 2, 64],
        replace: bool = False,
    ) -> None:
        view = await self.services.templates.save_template(
            actor_of(interaction), tournament, name, replace=replace
        )
        await reply(
            interaction,
            msg(
                "Saved the template **{name}**. Create a draft from it with {template_use}.",
                name=view.name,
                template_use=Command("template use"),
            ),
        )

    @template.command(
        name="list", description=locale_str("This server's tournament templates."), extras=ORGANIZER
    )
    async def list_templates(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None  # guild_only
        views = await self.services.templates.templates(interaction.guild_id)
        if not views:
            await reply(
                interaction,
                msg(
                    "This server has no templates yet. Save one from a tournament with "
                    "{template_save}.",
                    template_save=Command("template save"),
                ),
            )
            return
        text = msg("Templates of this server:")
        for view in views:
            text = text + "\n" + template_line(view)
        await reply(interaction, text)

    @template.command(
        name="use",
        description=locale_str("Create a draft tournament from a template on new dates."),
        extras=ORGANIZER,
    )
    @app_commands.describe(
        template=locale_str("The template."),
        starts_at=locale_str("The start in this server's time zone, e.g. 2026-12-12 18:00."),
        name=locale_str("The new tournament's name (default: the template's)."),
        registration_opens=locale_str(
            "When registration opens (default: as far before the start as in the template)."
        ),
    )
    async def use(
        self,
        interaction: discord.Interaction,
        template: str,
        starts_at: app_commands.Range[str, 1, 40],
        name: app_commands.Range[str, 3, 100] | None = None,
        registration_opens: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        assert interaction.guild_id is not None  # guild_only
        made = await self.services.templates.use_template(
            actor_of(interaction),
            interaction.guild_id,
            template,
            name=name or "",
            starts_at=starts_at,
            registration_opens_at=registration_opens,
        )
        await reply(interaction, cloned_text(made, template=True))

    @template.command(name="delete", description=locale_str("Delete a template."), extras=ORGANIZER)
    @app_commands.describe(template=locale_str("The template to delete."))
    async def delete(self, interaction: discord.Interaction, template: str) -> None:
        assert interaction.guild_id is not None  # guild_only
        view = await self.services.templates.delete_template(
            actor_of(interaction), interaction.guild_id, template
        )
        await reply(
            interaction,
            msg(
                "Deleted the template **{name}**. Tournaments made from it stay as they are.",
                name=view.name,
            ),
        )

    @use.autocomplete("template")
    @delete.autocomplete("template")
    async def _template_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        views = await self.services.templates.templates(interaction.guild_id, current)
        return [app_commands.Choice(name=v.name[:100], value=str(v.id)) for v in views]


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(TemplateCog(cog_host(bot).services))
