"""/bracket and /standings — pictures of a running tournament for everyone; and the
organizer's /tournament seed, swap and start, written here as plain callbacks that the
/tournament group (cogs/tournaments.py) attaches with :func:`attach_tournament_commands`.

Drawing a big bracket can take longer than Discord's 3-second window, so both picture
commands first read the state (fast; a tournament that has not started is refused right
away, privately) and then defer before drawing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import discord
from discord import app_commands
from discord.ext import commands

from cogs._autocomplete import AnyTournamentId, TournamentId
from cogs._interactions import ORGANIZER_EXTRA, actor_of, services_of
from cogs._safe import user_text
from cogs._speech import ENGLISH, Say, reader_say, server_say
from engine.brackets import BracketAdminService, SeedEntry
from engine.kernel.errors import InvalidInput
from engine.kernel.text import Command, Message, msg, nmsg
from engine.kernel.typed import ascii_digits
from engine.render import RenderedImage

FILES_PER_MESSAGE = 10  # Discord's limit of attachments on one message
ORGANIZER = {ORGANIZER_EXTRA: True}
SEEDING_CHOICES = [
    app_commands.Choice(name="Random (drawn at the start)", value="random"),
    app_commands.Choice(name="Ranked (by rating and organizer ranks)", value="ranked"),
    app_commands.Choice(name="Manual (the order you give)", value="manual"),
]


def _files(images: Sequence[RenderedImage]) -> list[discord.File]:
    return [discord.File(io.BytesIO(i.png_bytes), filename=i.name) for i in images]


def _batches(images: Sequence[RenderedImage]) -> list[Sequence[RenderedImage]]:
    return [images[i : i + FILES_PER_MESSAGE] for i in range(0, len(images), FILES_PER_MESSAGE)]


def standings_caption(title: str, status: str, say: Say = ENGLISH) -> str:
    """A picture posted in a channel says what it is: whose standings, and how final."""
    # The state's word is the catalogue's ("Live", "Completed": cogs/_tournament_render.py).
    word = say(Message.literal(status)).lower()
    return say(msg("📊 **{title}** · standings ({status})", title=title, status=word))


class BracketCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="bracket", description="Show a tournament's bracket as images.")
    @app_commands.describe(
        tournament="The tournament.",
        section="Only one part, e.g. winners, losers, grand-final, playoff, groups.",
    )
    @app_commands.guild_only()
    async def bracket(
        self,
        interaction: discord.Interaction,
        tournament: AnyTournamentId,
        section: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        pictures = services_of(interaction).pictures
        snapshot = await pictures.snapshot(tournament, interaction.guild_id)
        wanted = section.strip().lower() if section else None
        if wanted is not None:
            await pictures.check_section(snapshot, wanted)  # refused privately, not deferred
        await interaction.response.defer(thinking=True)
        images = await pictures.images_of(snapshot, wanted)
        batches = _batches(images)
        say = await server_say(interaction)
        total = nmsg(" ({n} image)", " ({n} images)", len(images)) if len(images) > 1 else ""
        for index, batch in enumerate(batches):
            if index == 0:
                text = say(msg("**{title}** · bracket{total}", title=snapshot.title, total=total))
                await interaction.followup.send(text, files=_files(batch))
            else:
                await interaction.followup.send(files=_files(batch))

    @app_commands.command(name="standings", description="Show a tournament's standings.")
    @app_commands.describe(tournament="The tournament.")
    @app_commands.guild_only()
    async def standings(
        self, interaction: discord.Interaction, tournament: AnyTournamentId
    ) -> None:
        pictures = services_of(interaction).pictures
        snapshot = await pictures.snapshot(tournament, interaction.guild_id)
        await interaction.response.defer(thinking=True)
        png = await pictures.standings_image(tournament, guild_id=interaction.guild_id)
        say = await server_say(interaction)
        await interaction.followup.send(
            standings_caption(snapshot.title, snapshot.status, say),
            file=discord.File(io.BytesIO(png), filename="standings.png"),
        )


# ------------------------------------------------------ /tournament seed|swap|start
def admin_of(interaction: discord.Interaction) -> BracketAdminService:
    return services_of(interaction).bracket_admin


def seed_list(
    title: str, entries: Sequence[SeedEntry], note: str = "", say: Say = ENGLISH
) -> discord.Embed:
    lines = [
        f"`{e.seed:>3}` {user_text(e.name)}" if e.seed is not None else f"• {user_text(e.name)}"
        for e in entries
    ]
    text = "\n".join(lines) or say(msg("No confirmed entries yet."))
    if len(text) > 4000:
        text = text[:3990].rsplit("\n", 1)[0] + "\n…"
    embed = discord.Embed(title=title, description=text, colour=discord.Colour.gold())
    if note:
        embed.set_footer(text=note)
    return embed


def pick_entries(text: str, entries: Sequence[SeedEntry]) -> list[int]:
    """Registration ids from a comma-separated list of entry names (or ids)."""
    by_name = {e.name.casefold(): e.registration_id for e in entries}
    ids = {e.registration_id for e in entries}
    chosen = []
    for raw in (part.strip() for part in text.split(",")):
        if not raw:
            continue
        if ascii_digits(raw) and int(raw) in ids:
            chosen.append(int(raw))
        elif raw.casefold() in by_name:
            chosen.append(by_name[raw.casefold()])
        else:
            raise InvalidInput(
                msg(
                    "No confirmed entry is called “{raw}”; use the names shown by {seed}, "
                    "separated by commas.",
                    raw=raw,
                    seed=Command("tournament seed"),
                )
            )
    return chosen


def _one(text: str, entries: Sequence[SeedEntry]) -> int:
    chosen = pick_entries(text, entries)
    if len(chosen) != 1:
        raise InvalidInput(msg("Name exactly one entry in each of first and second."))
    return chosen[0]


@app_commands.describe(
    tournament="The tournament to seed.",
    method="How seeds are decided.",
    order="Manual only: entry names best first, separated by commas (the rest follow).",
)
@app_commands.choices(method=SEEDING_CHOICES)
async def seed_command(
    interaction: discord.Interaction,
    tournament: TournamentId,
    method: app_commands.Choice[str],
    order: str | None = None,
) -> None:
    admin = admin_of(interaction)
    manual = None
    if order is not None:
        manual = pick_entries(order, await admin.seeds(tournament))
    preview = await admin.set_seeding(actor_of(interaction), tournament, method.value, manual)
    notes = {
        "random": msg("Seeds are drawn at random when the tournament starts."),
        "ranked": msg("Unranked entries are ordered at random among themselves at the start."),
        "manual": msg("Swap two seeds with /tournament swap."),
    }
    say = await reader_say(interaction)
    chosen = next((c for c in SEEDING_CHOICES if c.value == method.value), method)
    title = say(msg("Seeding: {method}", method=Message(chosen.name)))
    await interaction.response.send_message(
        embed=seed_list(title, preview, say(notes[method.value]), say), ephemeral=True
    )


@app_commands.describe(
    tournament="The tournament.",
    first="One entry (its name as listed by /tournament seed).",
    second="The entry to swap it with.",
)
async def swap_command(
    interaction: discord.Interaction, tournament: TournamentId, first: str, second: str
) -> None:
    admin = admin_of(interaction)
    entries = await admin.seeds(tournament)
    a, b = _one(first, entries), _one(second, entries)
    await interaction.response.defer(ephemeral=True, thinking=True)
    preview = await admin.swap(actor_of(interaction), tournament, a, b)
    names = {e.registration_id: e.name for e in preview}
    say = await reader_say(interaction)
    # Titles render no links or mentions: the names go in as they are.
    title = (
        say(msg("Swapped {first} and {second}", first="\0", second="\1"))
        .replace("\0", str(names.get(a, a)))
        .replace("\1", str(names.get(b, b)))
    )
    await interaction.followup.send(embed=seed_list(title, preview, say=say), ephemeral=True)


@app_commands.describe(tournament="The tournament to start.")
async def start_command(interaction: discord.Interaction, tournament: TournamentId) -> None:
    # Drawing and storing a big bracket can pass Discord's 3-second window.
    await interaction.response.defer(ephemeral=True, thinking=True)
    summary = await services_of(interaction).brackets.start(actor_of(interaction), tournament)
    say = await reader_say(interaction)
    await interaction.followup.send(
        say(
            msg(
                "Started with {entries} entries: {matches} matches, {ready} ready to play now. "
                "The bracket is posted in the announcement channel.",
                entries=summary.participant_count,
                matches=summary.match_count,
                ready=summary.ready_count,
            )
        ),
        ephemeral=True,
    )


def tournament_commands() -> list[app_commands.Command]:
    return [
        app_commands.Command(
            name="seed",
            description="Choose how entries are seeded, and preview the seeds.",
            callback=seed_command,
            extras=ORGANIZER,
        ),
        app_commands.Command(
            name="swap",
            description="Swap two entries' seeds (until the first match begins).",
            callback=swap_command,
            extras=ORGANIZER,
        ),
        app_commands.Command(
            name="start",
            description="Close registration, draw the bracket and open the first matches.",
            callback=start_command,
            extras=ORGANIZER,
        ),
    ]


def attach_tournament_commands(group: app_commands.Group) -> None:
    """Add seed, swap and start to ``group``. Call it on the cog instance's group (in the
    cog's ``__init__``): commands added to the class attribute would be bound to the cog
    and called with it as first argument."""
    for command in tournament_commands():
        group.add_command(command)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(BracketCog(bot))
