"""/leaderboard and /stats — rankings per game as a picture with "your rank", player and
team records with a rating chart, head-to-head, and the organizer's tournament numbers.

Reads are quick and refusals (an unknown game, a bad size) are answered privately before
anything is drawn; drawing happens after the interaction is deferred.
"""

from __future__ import annotations

import dataclasses
import io
from datetime import datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands

from cogs._autocomplete import AnyTournamentId, GameId
from cogs._interactions import ORGANIZER_EXTRA, actor_of, organizer_command, services_of
from cogs._members import ServerMember
from cogs._safe import user_text
from cogs.teams import AnyTeam
from engine.kernel.errors import NotFound
from engine.kernel.text import msg
from engine.stats import (
    MAX_ROWS,
    MIN_ROWS,
    PROVISIONAL_MATCHES,
    BadgeProgress,
    Funnel,
    HeadToHead,
    Leaderboard,
    LeaderboardRow,
    Record,
    TournamentStats,
)

ORGANIZER = {ORGANIZER_EXTRA: True}
BOARD_CHOICES = [
    app_commands.Choice(name="Rating (Elo)", value="rating"),
    app_commands.Choice(name="Titles (tournament wins)", value="titles"),
    app_commands.Choice(name="Podiums (top three finishes)", value="podiums"),
]
PROGRESS_SHOWN = 5


class SeasonPicker(app_commands.Transformer):
    """Autocompletes this server's seasons; hands the command the season id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def transform(self, interaction: discord.Interaction, value: str) -> int:
        assert interaction.guild_id is not None
        seasons = await services_of(interaction).leaderboards.seasons(interaction.guild_id)
        wanted = value.strip().casefold()
        for season in seasons:
            if str(season.id) == value.strip() or season.name.casefold() == wanted:
                return season.id
        raise NotFound(
            msg("There is no season called “{value}” on this server.", value=value.strip())
        )

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        seasons = await services_of(interaction).leaderboards.seasons(interaction.guild_id)
        typed = value.strip().casefold()
        return [
            app_commands.Choice(
                name=_season_label(s.name, s.starts_at, s.ends_at)[:100],
                value=str(s.id),
            )
            for s in seasons
            if typed in s.name.casefold()
        ][:25]


SeasonId = app_commands.Transform[int, SeasonPicker]


def _season_label(name: str, starts_at: datetime, ends_at: datetime) -> str:
    last_day = ends_at - timedelta(seconds=1)
    return f"{name} · {starts_at:%d %b %Y} – {last_day:%d %b %Y}"


def _rank_line(board: Leaderboard, row: LeaderboardRow | None, mine_is_team: bool) -> str:
    if row is None:
        whose = "Your teams are" if mine_is_team else "You are"
        return f"{whose} not on this board yet: play a rated match (or place) to get on it."
    mark = " (provisional)" if board.board.value == "rating" and row.provisional else ""
    who = f"Your team **{user_text(row.name)}** is" if mine_is_team else "You are"
    if board.board.value == "rating":
        what = f"a rating of {row.value}"
    else:
        noun = "title" if board.board.value == "titles" else "podium"
        what = f"{row.value} {noun}{'' if row.value == 1 else 's'}"
    return f"{who} **#{row.rank}** of {board.ranked} with {what}{mark}."


def leaderboard_text(board: Leaderboard) -> str:
    title = f"🏆 **{user_text(board.title)}**"
    return f"{title}\n{_rank_line(board, board.yours, board.subject_type == 'team')}"


def _place(place: int | None) -> str:
    if place is None:
        return "none yet"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(place if place < 20 else place % 10, "th")
    return f"{place}{suffix}"


def record_embed(title: str, record: Record, game_name: str | None) -> discord.Embed:
    embed = discord.Embed(title=title, colour=discord.Colour.gold())
    if game_name:
        embed.description = f"Rating and chart: {user_text(game_name)}"
    rate = f"{record.win_rate:.0%}" if record.matches else "—"
    embed.add_field(
        name="Record",
        value=(
            f"{record.matches} matches · {record.wins}W {record.losses}L {record.draws}D · "
            f"{rate} won\nMap difference {record.map_difference:+d} · "
            f"streak {record.streak or '—'}"
        ),
        inline=False,
    )
    best = _place(record.best_place)
    if record.best_place_tournament:
        best += f" ({user_text(record.best_place_tournament)})"
    embed.add_field(
        name="Tournaments",
        value=f"{record.tournaments} played · {record.titles} titles · {record.podiums} podiums"
        f"\nBest placing: {best}",
        inline=False,
    )
    if record.rating is not None:
        mark = f" · provisional (under {PROVISIONAL_MATCHES} matches)" if record.provisional else ""
        embed.add_field(name="Rating", value=f"{record.rating}{mark}", inline=False)
    if record.last_results:
        lines = [
            f"{'✅' if p.outcome == 'W' else '❌' if p.outcome == 'L' else '➖'} "
            f"vs {user_text(p.opponent)}"
            + (f" {p.score_for}–{p.score_against}" if p.score_for is not None else "")
            + f" · {user_text(p.tournament_name)}"
            for p in record.last_results
        ]
        embed.add_field(name="Last five", value="\n".join(lines)[:1024], inline=False)
    return embed


def progress_lines(progress: list[BadgeProgress], limit: int = PROGRESS_SHOWN) -> str:
    pending = [p for p in progress if not p.earned][:limit]
    return "\n".join(f"{p.badge.emoji} {user_text(p.badge.name)}: {p.text}" for p in pending)


def h2h_text(h2h: HeadToHead) -> str:
    first = user_text(h2h.first_name or "Player 1")
    second = user_text(h2h.second_name or "Player 2")
    if not h2h.meetings:
        return f"**{first}** and **{second}** have not met in a completed match on this server."
    lines = [
        f"⚔️ **{first}** {h2h.first_wins} – {h2h.second_wins} **{second}**"
        + (f" ({h2h.draws} drawn)" if h2h.draws else "")
        + f" · maps {h2h.maps_first}–{h2h.maps_second}"
    ]
    for p in h2h.meetings[:5]:
        score = f" {p.score_for}–{p.score_against}" if p.score_for is not None else ""
        lines.append(
            f"• {p.outcome}{score} · {user_text(p.tournament_name)} · {user_text(p.round_title)}"
        )
    return "\n".join(lines)


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def tournament_stats_text(s: TournamentStats) -> str:
    rate = "check-in off" if s.checkin_rate is None else f"{s.checkin_rate:.0%} checked in"
    prize = f"{s.prize_coins_paid} coins"
    if s.prize_minor_paid or s.prize_minor_owed:
        prize += (
            f" · {s.prize_minor_paid / 100:.2f} {s.currency} paid, "
            f"{s.prize_minor_owed / 100:.2f} {s.currency} still owed"
        )
    return "\n".join(
        [
            f"📈 **{user_text(s.name)}** ({s.status.replace('_', ' ')})",
            f"Entrants: {s.entrants} ({s.withdrawn} withdrew) · {rate}",
            f"Matches played: {s.matches_played} · no-shows {s.no_shows} · forfeits {s.forfeits}",
            f"Disputes: {s.disputes} ({s.disputes_open} open) · resolved in "
            f"{_duration(s.average_dispute_resolution)} on average",
            f"Average match time: {_duration(s.average_match_time)}",
            f"Prizes: {prize}",
        ]
    )


def funnel_text(f: Funnel) -> str:
    whose = f"<@{f.organizer_id}>'s tournaments" if f.organizer_id else "This server's tournaments"
    lines = [f"🔻 **{whose}, from publishing to playing**"]
    top = max(f.registered, 1)
    for label, value in f.steps():
        share = "" if label.startswith("Published") else f" ({value / top:.0%} of registered)"
        lines.append(f"{label}: **{value}**{share}")
    return "\n".join(lines)


class LeaderboardCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(
        name="leaderboard", description="Show a game's leaderboard and your rank."
    )
    @app_commands.describe(
        game="The game.",
        board="What to rank by (rating if empty).",
        season="Only this season (all time if empty).",
        size=f"How many rows ({MIN_ROWS} to {MAX_ROWS}; {MIN_ROWS} if empty).",
    )
    @app_commands.choices(board=BOARD_CHOICES)
    @app_commands.guild_only()
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        game: GameId,
        board: str = "rating",
        season: SeasonId | None = None,
        size: app_commands.Range[int, MIN_ROWS, MAX_ROWS] = MIN_ROWS,
    ) -> None:
        assert interaction.guild_id is not None
        services = services_of(interaction)
        result = await services.leaderboards.leaderboard(
            interaction.guild_id,
            game,
            board=board,
            season_id=season,
            limit=size,
            viewer_id=interaction.user.id,
        )
        await interaction.response.defer(thinking=True)
        png = await services.stats_pictures.leaderboard(result)
        await interaction.followup.send(
            leaderboard_text(result),
            file=discord.File(io.BytesIO(png), filename="leaderboard.png"),
        )


@app_commands.guild_only()
class StatsCog(
    commands.GroupCog, group_name="stats", group_description="Records, ratings and numbers."
):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="player", description="A player's record, rating chart and badges.")
    @app_commands.describe(member="Whose stats (yours if empty).", game="Only this game.")
    async def player(
        self,
        interaction: discord.Interaction,
        member: ServerMember | None = None,
        game: GameId | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        services = services_of(interaction)
        who = member or interaction.user
        stats = await services.stats.player(interaction.guild_id, who.id, game)
        await interaction.response.defer(thinking=True)
        name = stats.name or who.display_name
        embed = record_embed(f"{user_text(name)} · stats", stats.record, stats.game_name)
        if stats.badges:
            names = dict.fromkeys(
                f"{e.badge.emoji} {user_text(e.badge.name)}" for e in stats.badges
            )
            embed.add_field(name="Badges", value=" · ".join(names)[:1024], inline=False)
        if progress := progress_lines(stats.progress):
            embed.add_field(name="Next badges", value=progress[:1024], inline=False)
        embed.set_image(url="attachment://stats.png")
        if not stats.name:
            stats = dataclasses.replace(stats, name=who.display_name)
        png = await services.stats_pictures.player(stats)
        await interaction.followup.send(
            embed=embed, file=discord.File(io.BytesIO(png), filename="stats.png")
        )

    @app_commands.command(name="team", description="A team's record and rating chart.")
    @app_commands.describe(team="The team.", game="Only this game.")
    async def team(
        self, interaction: discord.Interaction, team: AnyTeam, game: GameId | None = None
    ) -> None:
        assert interaction.guild_id is not None
        services = services_of(interaction)
        stats = await services.stats.team(interaction.guild_id, team, game)
        await interaction.response.defer(thinking=True)
        embed = record_embed(
            f"{user_text(stats.name)} [{user_text(stats.tag)}] · stats",
            stats.record,
            stats.game_name,
        )
        embed.set_image(url="attachment://stats.png")
        png = await services.stats_pictures.team(stats)
        await interaction.followup.send(
            embed=embed, file=discord.File(io.BytesIO(png), filename="stats.png")
        )

    @app_commands.command(name="versus", description="Head-to-head record of two players.")
    @app_commands.describe(member="The opponent.", other="Compare with this player instead of you.")
    async def versus(
        self,
        interaction: discord.Interaction,
        member: ServerMember,
        other: ServerMember | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        first = other or interaction.user
        h2h = await services_of(interaction).stats.head_to_head(
            interaction.guild_id, first.id, member.id
        )
        h2h = dataclasses.replace(
            h2h,
            first_name=h2h.first_name or first.display_name,
            second_name=h2h.second_name or member.display_name,
        )
        await interaction.response.send_message(h2h_text(h2h), ephemeral=True)

    @app_commands.command(
        name="tournament",
        description="Entrants, check-in, no-shows, disputes and prizes (organizers).",
        extras=ORGANIZER,
    )
    @app_commands.describe(tournament="The tournament.")
    @organizer_command
    async def tournament(
        self, interaction: discord.Interaction, tournament: AnyTournamentId
    ) -> None:
        assert interaction.guild_id is not None
        stats = await services_of(interaction).tournament_stats.tournament(
            actor_of(interaction), interaction.guild_id, tournament
        )
        await interaction.response.send_message(tournament_stats_text(stats), ephemeral=True)

    @app_commands.command(
        name="funnel",
        description="Published → registered → paid → checked in → played (organizers).",
        extras=ORGANIZER,
    )
    @organizer_command
    @app_commands.describe(organizer="Only the tournaments this organizer created.")
    async def funnel(
        self, interaction: discord.Interaction, organizer: discord.Member | None = None
    ) -> None:
        assert interaction.guild_id is not None
        funnel = await services_of(interaction).tournament_stats.funnel(
            actor_of(interaction),
            interaction.guild_id,
            organizer.id if organizer is not None else None,
        )
        await interaction.response.send_message(funnel_text(funnel), ephemeral=True)

    @app_commands.command(
        name="season",
        description="Name a season the leaderboards can be cut to (organizers).",
        extras=ORGANIZER,
    )
    @app_commands.describe(
        name="e.g. Winter 2026.",
        first_day="First day, e.g. 2026-12-01.",
        last_day="Last day (included), e.g. 2027-02-28.",
    )
    @organizer_command
    async def season(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 2, 40],
        first_day: app_commands.Range[str, 8, 10],
        last_day: app_commands.Range[str, 8, 10],
    ) -> None:
        assert interaction.guild_id is not None
        season = await services_of(interaction).leaderboards.add_season_days(
            actor_of(interaction), interaction.guild_id, name, first_day, last_day
        )
        await interaction.response.send_message(
            f"Season **{user_text(season.name)}** saved. Pick it in /leaderboard's season option.",
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(LeaderboardCog(bot))
    await bot.add_cog(StatsCog(bot))
