"""The stats view models drawn as pictures (in the render executor, off the event loop).

Pictures speak the server's language (``guild_settings.language``), like the bracket
pictures: the words are looked up in the catalogue here and handed to the pure renderer.
"""

from __future__ import annotations

from babel.dates import format_date
from sqlalchemy import select

from engine.brackets import PictureLanguage
from engine.kernel.i18n import SOURCE_LANGUAGE, babel_locale
from engine.kernel.text import N_
from engine.kernel.uow import ServiceContext
from engine.render import (
    BoardLine,
    BoardPicture,
    PictureWords,
    ResultChip,
    StatsPicture,
    StatTile,
    render_leaderboard,
    render_stats_card,
)
from engine.stats._common import PROVISIONAL_MATCHES
from engine.stats.leaderboard import Board, Leaderboard, LeaderboardRow
from engine.stats.players import PlayerStats, Record, TeamStats
from storage.models import GuildSettings

_BOARD_LABELS = {
    Board.RATING: N_("Rating"),
    Board.TITLES: N_("Titles"),
    Board.PODIUMS: N_("Podiums"),
}


def _detail(board: Board, row: LeaderboardRow, words: PictureLanguage) -> str:
    if board is not Board.RATING:
        return ""
    if words.is_source:
        return f"{row.matches} match" + ("" if row.matches == 1 else "es")
    return words.text(N_("{n} matches"), n=row.matches)


def _line(board: Board, row: LeaderboardRow, highlight: bool, words: PictureLanguage) -> BoardLine:
    return BoardLine(
        rank=row.rank,
        name=row.name,
        value=str(row.value),
        detail=_detail(board, row, words),
        provisional=board is Board.RATING and row.provisional,
        highlight=highlight,
    )


def board_picture(board: Leaderboard, language: str = SOURCE_LANGUAGE) -> BoardPicture:
    words = PictureLanguage(language)
    mine = board.yours.subject_id if board.yours else None
    lines = tuple(_line(board.board, r, r.subject_id == mine, words) for r in board.rows)
    shown = any(r.subject_id == mine for r in board.rows)
    yours = None if shown or board.yours is None else _line(board.board, board.yours, True, words)
    if words.is_source:
        return _english_board(board, lines, yours)
    label = words.text(_BOARD_LABELS[board.board])
    window = board.season.name if board.season else words.text(N_("All time"))
    subtitle = words.text(
        N_("Top {shown} of {ranked} teams")
        if board.subject_type == "team"
        else N_("Top {shown} of {ranked} players"),
        shown=len(board.rows),
        ranked=board.ranked,
    )
    if board.season is not None:
        locale = babel_locale(language)
        starts = format_date(board.season.starts_at, "d MMM y", locale=locale)
        ends = format_date(board.season.ends_at, "d MMM y", locale=locale)
        subtitle += f" · {starts} – {ends}"
    footnote = ""
    if board.board is Board.RATING and any(line.provisional for line in lines):
        footnote = words.text(
            N_("? provisional: fewer than {n} rated matches."), n=PROVISIONAL_MATCHES
        )
    return BoardPicture(
        title=f"{board.game_name} · {label} · {window}",
        subtitle=subtitle,
        value_label=label,
        lines=lines,
        yours=yours,
        footnote=footnote,
    )


def _english_board(
    board: Leaderboard, lines: tuple[BoardLine, ...], yours: BoardLine | None
) -> BoardPicture:
    who = "teams" if board.subject_type == "team" else "players"
    subtitle = f"Top {len(board.rows)} of {board.ranked} {who}"
    if board.season is not None:
        subtitle += f" · {board.season.starts_at:%d %b %Y} – {board.season.ends_at:%d %b %Y}"
    footnote = ""
    if board.board is Board.RATING and any(line.provisional for line in lines):
        footnote = f"? provisional: fewer than {PROVISIONAL_MATCHES} rated matches."
    return BoardPicture(
        title=board.title,
        subtitle=subtitle,
        value_label=board.board.label,
        lines=lines,
        yours=yours,
        footnote=footnote,
    )


def _place(place: int | None, words: PictureLanguage) -> str:
    if place is None:
        return "—"
    if not words.is_source:
        return words.text(N_("place {n}"), n=place)
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(place if place < 20 else place % 10, "th")
    return f"{place}{suffix}"


def _tiles(record: Record, words: PictureLanguage) -> tuple[StatTile, ...]:
    rating = "—" if record.rating is None else str(record.rating)
    if record.rating is not None and record.provisional:
        rating += " ?"
    diff = f"{record.map_difference:+d}" if record.matches else "—"
    t = words.text
    return (
        StatTile(t(N_("Matches")), str(record.matches)),
        StatTile(t(N_("W – L – D")), f"{record.wins} – {record.losses} – {record.draws}"),
        StatTile(t(N_("Win rate")), f"{record.win_rate:.0%}" if record.matches else "—"),
        StatTile(t(N_("Map difference")), diff),
        StatTile(t(N_("Streak")), record.streak or "—"),
        StatTile(t(N_("Best placing")), _place(record.best_place, words)),
        StatTile(t(N_("Titles · podiums")), f"{record.titles} · {record.podiums}"),
        StatTile(t(N_("Rating")), rating),
    )


def _chips(record: Record, words: PictureLanguage) -> tuple[ResultChip, ...]:
    return tuple(
        ResultChip(
            outcome=p.outcome,
            opponent=p.opponent,
            score="" if p.score_for is None else f"{p.score_for} – {p.score_against}",
            where=f"{p.tournament_name} · {words.word(p.round_title)}",
        )
        for p in record.last_results
    )


def player_picture(stats: PlayerStats, language: str = SOURCE_LANGUAGE) -> StatsPicture:
    words = PictureLanguage(language)
    t = words.text
    if stats.game_name:
        subtitle = t(N_("Player stats · {game}"), game=stats.game_name)
    else:
        subtitle = t(N_("Player stats"))
    return StatsPicture(
        title=stats.name or t(N_("Player")),
        subtitle=subtitle,
        tiles=_tiles(stats.record, words),
        history=tuple(stats.record.rating_history),
        results=_chips(stats.record, words),
        badges=tuple(dict.fromkeys(e.badge.name for e in stats.badges)),
    )


def team_picture(stats: TeamStats, language: str = SOURCE_LANGUAGE) -> StatsPicture:
    words = PictureLanguage(language)
    subtitle = words.text(N_("[{tag}] team stats"), tag=stats.tag) + (
        f" · {stats.game_name}" if stats.game_name else ""
    )
    return StatsPicture(
        title=stats.name,
        subtitle=subtitle,
        tiles=_tiles(stats.record, words),
        history=tuple(stats.record.rating_history),
        results=_chips(stats.record, words),
    )


class StatsPictures:
    """Draws in the language of the server the stats belong to."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def _language(self, guild_id: int) -> str:
        async with self._ctx.read() as session:
            language = await session.scalar(
                select(GuildSettings.language).where(GuildSettings.guild_id == guild_id)
            )
        return language or SOURCE_LANGUAGE

    async def leaderboard(self, board: Leaderboard) -> bytes:
        language = await self._language(board.guild_id)
        words = PictureLanguage(language).picture_words()
        picture = board_picture(board, language)
        return await self._ctx.render.run(_leaderboard, picture, words)

    async def player(self, stats: PlayerStats) -> bytes:
        language = await self._language(stats.guild_id)
        words = PictureLanguage(language).picture_words()
        return await self._ctx.render.run(_card, player_picture(stats, language), words)

    async def team(self, stats: TeamStats) -> bytes:
        language = await self._language(stats.guild_id)
        words = PictureLanguage(language).picture_words()
        return await self._ctx.render.run(_card, team_picture(stats, language), words)


# Top-level, so a process pool can run them (keyword arguments do not cross ``run``).
def _leaderboard(picture: BoardPicture, words: PictureWords) -> bytes:
    return render_leaderboard(picture, words=words)


def _card(picture: StatsPicture, words: PictureWords) -> bytes:
    return render_stats_card(picture, words=words)
