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
from cogs._interactions import (
    ORGANIZER_EXTRA,
    actor_of,
    organizer_command,
    reply,
    services_of,
)
from cogs._members import ServerMember
from cogs._safe import user_text
from cogs._speech import ENGLISH, Say, reader_say, server_say
from cogs.teams import AnyTeam
from engine.kernel.errors import NotFound
from engine.kernel.text import Command, Message, User, msg, nmsg
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


def _rank_line(board: Leaderboard, row: LeaderboardRow | None, mine_is_team: bool) -> Message:
    if row is None:
        if mine_is_team:
            return msg(
                "Your teams are not on this board yet: play a rated match (or place) to get on it."
            )
        return msg("You are not on this board yet: play a rated match (or place) to get on it.")
    mark: Message | str = (
        msg(" (provisional)") if board.board.value == "rating" and row.provisional else ""
    )
    if board.board.value == "rating":
        what = msg("a rating of {rating}", rating=row.value)
    elif board.board.value == "titles":
        what = nmsg("{n} title", "{n} titles", row.value)
    else:
        what = nmsg("{n} podium", "{n} podiums", row.value)
    if mine_is_team:
        return msg(
            "Your team **{name}** is **#{rank}** of {ranked} with {what}{mark}.",
            name=row.name,
            rank=row.rank,
            ranked=board.ranked,
            what=what,
            mark=mark,
        )
    return msg(
        "You are **#{rank}** of {ranked} with {what}{mark}.",
        rank=row.rank,
        ranked=board.ranked,
        what=what,
        mark=mark,
    )


def leaderboard_text(board: Leaderboard, say: Say = ENGLISH) -> str:
    title = f"🏆 **{user_text(board.title)}**"
    return f"{title}\n{say(_rank_line(board, board.yours, board.subject_type == 'team'))}"


def _place(place: int | None) -> Message:
    if place is None:
        return msg("none yet")
    ordinal = {1: msg("{n}st", n=place), 2: msg("{n}nd", n=place), 3: msg("{n}rd", n=place)}
    return ordinal.get(place if place < 20 else place % 10, msg("{n}th", n=place))


def record_embed(
    title: str, record: Record, game_name: str | None, say: Say = ENGLISH
) -> discord.Embed:
    embed = discord.Embed(title=title, colour=discord.Colour.gold())
    if game_name:
        embed.description = say(msg("Rating and chart: {game}", game=game_name))
    rate = f"{record.win_rate:.0%}" if record.matches else "—"
    embed.add_field(
        name=say(msg("Record")),
        value=say(
            msg(
                "{matches} matches · {wins}W {losses}L {draws}D · {rate} won\n"
                "Map difference {difference} · streak {streak}",
                matches=record.matches,
                wins=record.wins,
                losses=record.losses,
                draws=record.draws,
                rate=rate,
                difference=f"{record.map_difference:+d}",
                streak=record.streak or "—",
            )
        ),
        inline=False,
    )
    best = say(_place(record.best_place))
    if record.best_place_tournament:
        best += f" ({user_text(record.best_place_tournament)})"
    embed.add_field(
        name=say(msg("Tournaments")),
        value=say(
            msg(
                "{played} played · {titles} titles · {podiums} podiums\nBest placing: {best}",
                played=record.tournaments,
                titles=record.titles,
                podiums=record.podiums,
                best=Message.literal(best),
            )
        ),
        inline=False,
    )
    if record.rating is not None:
        mark = (
            say(msg(" · provisional (under {n} matches)", n=PROVISIONAL_MATCHES))
            if record.provisional
            else ""
        )
        embed.add_field(name=say(msg("Rating")), value=f"{record.rating}{mark}", inline=False)
    if record.last_results:
        versus = say(msg("vs"))
        lines = [
            f"{'✅' if p.outcome == 'W' else '❌' if p.outcome == 'L' else '➖'} "
            f"{versus} {user_text(p.opponent)}"
            + (f" {p.score_for}–{p.score_against}" if p.score_for is not None else "")
            + f" · {user_text(p.tournament_name)}"
            for p in record.last_results
        ]
        embed.add_field(name=say(msg("Last five")), value="\n".join(lines)[:1024], inline=False)
    return embed


def progress_lines(
    progress: list[BadgeProgress], limit: int = PROGRESS_SHOWN, say: Say = ENGLISH
) -> str:
    pending = [p for p in progress if not p.earned][:limit]
    return "\n".join(f"{p.badge.emoji} {user_text(p.badge.name)}: {say(p.words)}" for p in pending)


def h2h_text(h2h: HeadToHead, say: Say = ENGLISH) -> str:
    first = user_text(h2h.first_name or say(msg("Player 1")))
    second = user_text(h2h.second_name or say(msg("Player 2")))
    if not h2h.meetings:
        return say(
            msg(
                "**{first}** and **{second}** have not met in a completed match on this server.",
                first=Message.literal(first),
                second=Message.literal(second),
            )
        )
    lines = [
        f"⚔️ **{first}** {h2h.first_wins} – {h2h.second_wins} **{second}**"
        + (say(msg(" ({n} drawn)", n=h2h.draws)) if h2h.draws else "")
        + say(msg(" · maps {first}–{second}", first=h2h.maps_first, second=h2h.maps_second))
    ]
    for p in h2h.meetings[:5]:
        score = f" {p.score_for}–{p.score_against}" if p.score_for is not None else ""
        lines.append(
            f"• {p.outcome}{score} · {user_text(p.tournament_name)} · {user_text(p.round_title)}"
        )
    return "\n".join(lines)


def _duration(value: timedelta | None) -> Message:
    if value is None:
        return Message.literal("—")
    minutes = round(value.total_seconds() / 60)
    if minutes >= 60:
        return msg("{hours} h {minutes} min", hours=minutes // 60, minutes=minutes % 60)
    return msg("{minutes} min", minutes=minutes)


def tournament_stats_text(s: TournamentStats, say: Say = ENGLISH) -> str:
    rate = (
        msg("check-in off")
        if s.checkin_rate is None
        else msg("{rate} checked in", rate=f"{s.checkin_rate:.0%}")
    )
    prize = msg("{n} coins", n=s.prize_coins_paid)
    if s.prize_minor_paid or s.prize_minor_owed:
        prize += msg(
            " · {paid} {currency} paid, {owed} {currency} still owed",
            paid=f"{s.prize_minor_paid / 100:.2f}",
            owed=f"{s.prize_minor_owed / 100:.2f}",
            currency=s.currency,
        )
    lines = [
        msg("📈 **{name}** ({status})", name=s.name, status=s.status.replace("_", " ")),
        msg(
            "Entrants: {entrants} ({withdrawn} withdrew) · {rate}",
            entrants=s.entrants,
            withdrawn=s.withdrawn,
            rate=rate,
        ),
        msg(
            "Matches played: {played} · no-shows {no_shows} · forfeits {forfeits}",
            played=s.matches_played,
            no_shows=s.no_shows,
            forfeits=s.forfeits,
        ),
        msg(
            "Disputes: {disputes} ({open} open) · resolved in {duration} on average",
            disputes=s.disputes,
            open=s.disputes_open,
            duration=_duration(s.average_dispute_resolution),
        ),
        msg("Average match time: {duration}", duration=_duration(s.average_match_time)),
        msg("Prizes: {prize}", prize=prize),
    ]
    return "\n".join(say(line) for line in lines)


def funnel_text(f: Funnel, say: Say = ENGLISH) -> str:
    heading = (
        msg(
            "🔻 **{organizer}'s tournaments, from publishing to playing**",
            organizer=User(f.organizer_id),
        )
        if f.organizer_id
        else msg("🔻 **This server's tournaments, from publishing to playing**")
    )
    lines = [say(heading)]
    top = max(f.registered, 1)
    for label, value in f.steps():
        share: Message | str = (
            ""
            if label.startswith("Published")
            else msg(" ({share} of registered)", share=f"{value / top:.0%}")
        )
        lines.append(
            say(msg("{label}: **{value}**{share}", label=Message(label), value=value, share=share))
        )
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
        say = await server_say(interaction)
        await interaction.followup.send(
            leaderboard_text(result, say),
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
        say = await server_say(interaction)
        title = say(msg("{name} · stats", name=name))
        embed = record_embed(title, stats.record, stats.game_name, say)
        if stats.badges:
            names = dict.fromkeys(
                f"{e.badge.emoji} {user_text(e.badge.name)}" for e in stats.badges
            )
            embed.add_field(name=say(msg("Badges")), value=" · ".join(names)[:1024], inline=False)
        if progress := progress_lines(stats.progress, say=say):
            embed.add_field(name=say(msg("Next badges")), value=progress[:1024], inline=False)
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
        say = await server_say(interaction)
        embed = record_embed(
            say(msg("{name} [{tag}] · stats", name=stats.name, tag=stats.tag)),
            stats.record,
            stats.game_name,
            say,
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
        say = await reader_say(interaction)
        await interaction.response.send_message(h2h_text(h2h, say), ephemeral=True)

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
        say = await reader_say(interaction)
        await interaction.response.send_message(tournament_stats_text(stats, say), ephemeral=True)

    @app_commands.command(
        name="funnel",
        description="Published → registered → paid → checked in → played (organizers).",
        extras=ORGANIZER,
    )
    @organizer_command
    @app_commands.describe(organizer="Only the tournaments this organizer created.")
    async def funnel(
        self, interaction: discord.Interaction, organizer: ServerMember | None = None
    ) -> None:
        assert interaction.guild_id is not None
        funnel = await services_of(interaction).tournament_stats.funnel(
            actor_of(interaction),
            interaction.guild_id,
            organizer.id if organizer is not None else None,
        )
        say = await reader_say(interaction)
        await interaction.response.send_message(funnel_text(funnel, say), ephemeral=True)

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
        await reply(
            interaction,
            msg(
                "Season **{name}** saved. Pick it in {leaderboard}'s season option.",
                name=season.name,
                leaderboard=Command("leaderboard"),
            ),
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(LeaderboardCog(bot))
    await bot.add_cog(StatsCog(bot))
