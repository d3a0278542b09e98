"""The stats view models drawn as pictures (in the render executor, off the event loop)."""

from __future__ import annotations

from engine.kernel.uow import ServiceContext
from engine.render import (
    BoardLine,
    BoardPicture,
    ResultChip,
    StatsPicture,
    StatTile,
    render_leaderboard,
    render_stats_card,
)
from engine.stats._common import PROVISIONAL_MATCHES
from engine.stats.leaderboard import Board, Leaderboard, LeaderboardRow
from engine.stats.players import PlayerStats, Record, TeamStats


def _detail(board: Board, row: LeaderboardRow) -> str:
    if board is Board.RATING:
        return f"{row.matches} match" + ("" if row.matches == 1 else "es")
    return ""


def _line(board: Board, row: LeaderboardRow, highlight: bool) -> BoardLine:
    return BoardLine(
        rank=row.rank,
        name=row.name,
        value=str(row.value),
        detail=_detail(board, row),
        provisional=board is Board.RATING and row.provisional,
        highlight=highlight,
    )


def board_picture(board: Leaderboard) -> BoardPicture:
    mine = board.yours.subject_id if board.yours else None
    lines = tuple(_line(board.board, r, r.subject_id == mine) for r in board.rows)
    shown = any(r.subject_id == mine for r in board.rows)
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
        yours=None if shown or board.yours is None else _line(board.board, board.yours, True),
        footnote=footnote,
    )


def _place(place: int | None) -> str:
    if place is None:
        return "—"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(place if place < 20 else place % 10, "th")
    return f"{place}{suffix}"


def _tiles(record: Record) -> tuple[StatTile, ...]:
    rating = "—" if record.rating is None else str(record.rating)
    if record.rating is not None and record.provisional:
        rating += " ?"
    diff = f"{record.map_difference:+d}" if record.matches else "—"
    return (
        StatTile("Matches", str(record.matches)),
        StatTile("W – L – D", f"{record.wins} – {record.losses} – {record.draws}"),
        StatTile("Win rate", f"{record.win_rate:.0%}" if record.matches else "—"),
        StatTile("Map difference", diff),
        StatTile("Streak", record.streak or "—"),
        StatTile("Best placing", _place(record.best_place)),
        StatTile("Titles · podiums", f"{record.titles} · {record.podiums}"),
        StatTile("Rating", rating),
    )


def _chips(record: Record) -> tuple[ResultChip, ...]:
    return tuple(
        ResultChip(
            outcome=p.outcome,
            opponent=p.opponent,
            score="" if p.score_for is None else f"{p.score_for} – {p.score_against}",
            where=f"{p.tournament_name} · {p.round_title}",
        )
        for p in record.last_results
    )


def player_picture(stats: PlayerStats) -> StatsPicture:
    return StatsPicture(
        title=stats.name or "Player",
        subtitle=f"Player stats · {stats.game_name}" if stats.game_name else "Player stats",
        tiles=_tiles(stats.record),
        history=tuple(stats.record.rating_history),
        results=_chips(stats.record),
        badges=tuple(dict.fromkeys(e.badge.name for e in stats.badges)),
    )


def team_picture(stats: TeamStats) -> StatsPicture:
    subtitle = f"[{stats.tag}] team stats" + (f" · {stats.game_name}" if stats.game_name else "")
    return StatsPicture(
        title=stats.name,
        subtitle=subtitle,
        tiles=_tiles(stats.record),
        history=tuple(stats.record.rating_history),
        results=_chips(stats.record),
    )


class StatsPictures:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def leaderboard(self, board: Leaderboard) -> bytes:
        return await self._ctx.render.run(render_leaderboard, board_picture(board))

    async def player(self, stats: PlayerStats) -> bytes:
        return await self._ctx.render.run(render_stats_card, player_picture(stats))

    async def team(self, stats: TeamStats) -> bytes:
        return await self._ctx.render.run(render_stats_card, team_picture(stats))
