"""/game add and /game list — the games this server runs tournaments for."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from cogs._interactions import ORGANIZER_EXTRA, actor_of, cog_host
from cogs._speech import ENGLISH, Say, reader_say
from engine.guilds import RESULT_TYPE_NAMES, GameSpec, GameView, parse_team_size
from engine.kernel.text import Command, Message, msg
from engine.services import Services
from storage.models.enums import ResultType

RESULT_CHOICES = [
    app_commands.Choice(name=label, value=kind.value) for kind, label in RESULT_TYPE_NAMES.items()
]


def team_size_words(game: GameView) -> Message:
    low, high = game.team_size_min, game.team_size_max
    if low == high:
        return msg("solo") if high == 1 else msg("{n} per team", n=high)
    return msg("{low}–{high} per team", low=low, high=high)


def game_line(game: GameView, say: Say = ENGLISH) -> str:
    # The result type's name is the /game add choice's, in the catalogue under its words.
    kind = RESULT_TYPE_NAMES.get(ResultType(game.result_type), game.result_type)
    return say(
        msg(
            "{size} · {kind}{draws} · players give their {label}",
            size=team_size_words(game),
            kind=Message.literal(kind),
            draws=msg(", draws allowed") if game.allows_draws else "",
            label=game.ingame_id_label,
        )
    )


class GameCog(commands.Cog):
    game = app_commands.Group(
        name="game",
        description="The games this server runs tournaments for.",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    @game.command(
        name="add",
        description="Add a game tournaments can be played in.",
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        name="The game's name, e.g. Valorant.",
        team_size="Players per team: one number such as 5, or a range such as 3..5. 1 for solo.",
        result_type="How a match result is written down.",
        ingame_id_label="What players' in-game id is called, e.g. Riot ID.",
        allows_draws="Whether a match can end in a draw.",
    )
    @app_commands.choices(result_type=RESULT_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 64],
        team_size: app_commands.Range[str, 1, 12],
        result_type: app_commands.Choice[str],
        ingame_id_label: app_commands.Range[str, 1, 32] = "In-game ID",
        allows_draws: bool = False,
    ) -> None:
        assert interaction.guild_id is not None  # guild_only
        low, high = parse_team_size(team_size)
        spec = GameSpec(name, low, high, result_type.value, ingame_id_label, allows_draws)
        game = await self.services.games.add(actor_of(interaction), interaction.guild_id, spec)
        say = await reader_say(interaction)
        # Titles render no links or mentions: the name goes in as it is.
        title = say(msg("Added {name}", name="\0")).replace("\0", game.name)
        embed = discord.Embed(
            title=title[:256], description=game_line(game, say), colour=discord.Colour.green()
        )
        embed.set_footer(
            text=say(
                msg(
                    "Create a tournament for it with {create}.", create=Command("tournament create")
                )
            )
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @game.command(
        name="list", description="Show the games of this server.", extras={ORGANIZER_EXTRA: True}
    )
    async def list_games(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        games = await self.services.games.list_games(interaction.guild_id)
        say = await reader_say(interaction)
        embed = discord.Embed(title=say(msg("Games")), colour=discord.Colour.blurple())
        if not games:
            embed.description = say(
                msg("No games yet. Add one with {add}.", add=Command("game add"))
            )
        for game in games[:25]:
            embed.add_field(name=game.name, value=game_line(game, say), inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(GameCog(cog_host(bot).services))
