"""/audit and /export — the audit log searched and downloaded, its retention, and CSV
exports of a tournament, for organizers only. Every download is itself audited."""

from __future__ import annotations

import io
from datetime import UTC

import discord
from discord import app_commands
from discord.ext import commands

from cogs._autocomplete import AnyTournamentId
from cogs._interactions import ORGANIZER_EXTRA, actor_of, organizer_command, reply, services_of
from cogs._members import ServerMember
from cogs._safe import user_text
from cogs._speech import ENGLISH, Say, reader_say
from engine.audit import AuditFilter, AuditPage, AuditRecord
from engine.kernel.text import Command, msg

ORGANIZER = {ORGANIZER_EXTRA: True}
EXPORT_CHOICES = [
    app_commands.Choice(name="Results (every match)", value="results"),
    app_commands.Choice(name="Standings", value="standings"),
    app_commands.Choice(name="Placings and prizes", value="placings"),
    app_commands.Choice(name="Payments and refunds", value="payments"),
]
LINE_LIMIT = 1900  # one Discord message, with room for the paging hint


def _target(entry: AuditRecord) -> str:
    target = entry.target_type + (f" #{entry.target_id}" if entry.target_id else "")
    return user_text(target)


def audit_line(entry: AuditRecord, say: Say = ENGLISH) -> str:
    actor = f"<@{entry.actor_id}>" if entry.actor_id else say(msg("the bot"))
    when = int(entry.created_at.astimezone(UTC).timestamp())
    return (
        f"`#{entry.id}` <t:{when}:f> · {actor} · **{user_text(entry.action)}** · {_target(entry)}"
    )


def audit_page_text(page: AuditPage, say: Say = ENGLISH) -> str:
    if not page.entries:
        return say(msg("No audit entries match these filters."))
    lines: list[str] = []
    size = 0
    for entry in page.entries:
        line = audit_line(entry, say)
        if size + len(line) + 1 > LINE_LIMIT:
            break
        lines.append(line)
        size += len(line) + 1
    shown_all = len(lines) == len(page.entries)
    older = page.next_before if shown_all else page.entries[len(lines) - 1].id
    if older is not None:
        lines.append(
            say(
                msg(
                    "Older entries: run {audit_log} again with before:{older} (same filters).",
                    audit_log=Command("audit log"),
                    older=older,
                )
            )
        )
    return "\n".join(lines)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class AuditCog(
    commands.GroupCog, group_name="audit", group_description="The audit log (organizers)."
):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        super().__init__()

    async def _filters(
        self,
        interaction: discord.Interaction,
        member: discord.Member | None,
        action: str | None,
        tournament: int | None,
        since: str | None,
        until: str | None,
    ) -> AuditFilter:
        assert interaction.guild_id is not None
        return await services_of(interaction).audit.filters(
            interaction.guild_id,
            actor_id=member.id if member else None,
            action=action,
            tournament_id=tournament,
            since=since,
            until=until,
        )

    @app_commands.command(
        name="log", description="Search the audit log, newest first (organizers).", extras=ORGANIZER
    )
    @app_commands.describe(
        member="Only what this member did.",
        action="Only actions starting with this, e.g. payment. or tournament.status.",
        tournament="Only this tournament.",
        since="From this day, e.g. 2026-12-01.",
        until="Up to and including this day.",
        before="Entries older than this entry number (the next page).",
    )
    @organizer_command
    async def log(
        self,
        interaction: discord.Interaction,
        member: ServerMember | None = None,
        action: app_commands.Range[str, 1, 64] | None = None,
        tournament: AnyTournamentId | None = None,
        since: app_commands.Range[str, 8, 10] | None = None,
        until: app_commands.Range[str, 8, 10] | None = None,
        before: app_commands.Range[int, 1] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        filters = await self._filters(interaction, member, action, tournament, since, until)
        page = await services_of(interaction).audit.search(
            actor_of(interaction), interaction.guild_id, filters, before_id=before
        )
        say = await reader_say(interaction)
        await interaction.response.send_message(audit_page_text(page, say), ephemeral=True)

    @app_commands.command(
        name="export", description="Download the audit log as CSV (organizers).", extras=ORGANIZER
    )
    @app_commands.describe(
        member="Only what this member did.",
        action="Only actions starting with this, e.g. payment.",
        tournament="Only this tournament.",
        since="From this day, e.g. 2026-12-01.",
        until="Up to and including this day.",
    )
    @organizer_command
    async def export(
        self,
        interaction: discord.Interaction,
        member: ServerMember | None = None,
        action: app_commands.Range[str, 1, 64] | None = None,
        tournament: AnyTournamentId | None = None,
        since: app_commands.Range[str, 8, 10] | None = None,
        until: app_commands.Range[str, 8, 10] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        filters = await self._filters(interaction, member, action, tournament, since, until)
        services = services_of(interaction)
        await services.audit.check_reader(actor_of(interaction), interaction.guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data, rows = await services.audit.export_csv(
            actor_of(interaction), interaction.guild_id, filters
        )
        await reply(
            interaction,
            msg(
                "The audit log, {rows} entries (newest first). This download is in the log too.",
                rows=rows,
            ),
            file=discord.File(io.BytesIO(data), filename=f"audit-{interaction.guild_id}.csv"),
        )

    @app_commands.command(
        name="retention",
        description="How many days to keep the audit log; money entries stay (organizers).",
        extras=ORGANIZER,
    )
    @app_commands.describe(days="30 to 3650 days; leave empty to keep everything forever.")
    @organizer_command
    async def retention(self, interaction: discord.Interaction, days: int | None = None) -> None:
        assert interaction.guild_id is not None
        kept = await services_of(interaction).audit.set_retention(
            actor_of(interaction), interaction.guild_id, days
        )
        text = (
            msg("The audit log is now kept forever.")
            if kept is None
            else msg(
                "Audit entries older than {kept} days will be removed each day, except "
                "payment and coin entries, which are always kept.",
                kept=kept,
            )
        )
        await reply(interaction, text)


class ExportCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(
        name="export",
        description="Download a tournament's data as CSV (organizers).",
        extras=ORGANIZER,
    )
    @app_commands.describe(tournament="The tournament.", what="What to download.")
    @app_commands.choices(what=EXPORT_CHOICES)
    @organizer_command
    async def export(
        self, interaction: discord.Interaction, tournament: AnyTournamentId, what: str
    ) -> None:
        assert interaction.guild_id is not None
        exports = services_of(interaction).exports
        await exports.check(actor_of(interaction), interaction.guild_id, tournament, what)
        await interaction.response.defer(ephemeral=True, thinking=True)
        exported = await exports.export(
            actor_of(interaction), interaction.guild_id, tournament, what
        )
        await reply(
            interaction,
            msg(
                "{rows} rows. Spreadsheet-formula cells are quoted so they open as text.",
                rows=exported.rows,
            ),
            file=discord.File(io.BytesIO(exported.data), filename=exported.filename),
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(AuditCog(bot))
    await bot.add_cog(ExportCog(bot))
