"""The parts every bracket view is made of: names, slots and match boxes, and the rows of
a standings table."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from engine.formats import Bracket, Match, Outcome, ParticipantId, StandingRow
from engine.formats import MatchStatus as EngineStatus
from engine.formats import Slot as EngineSlot
from engine.render.model import (
    MatchStatus,
    MatchView,
    RoundView,
    Slot,
    StandingsRow,
    StandingsTable,
)

MAX_NAME_CHARS = 48


# Column headers of the engine's tiebreakers, short enough for a table header.
TIEBREAK_LABELS = {
    "head_to_head": "H2H",
    "score_difference": "Diff",
    "score_for": "For",
    "wins": "Wins",
    "buchholz": "Buchholz",
    "median_buchholz": "Median-B",
    "sonneborn_berger": "SB",
    "opponent_match_win": "OMW%",
    "game_win": "GW%",
    "opponent_game_win": "OGW%",
    "difficulty": "Opp. W-L",
}


PERCENT_TIEBREAKS = frozenset({"opponent_match_win", "game_win", "opponent_game_win"})


SIGNED_TIEBREAKS = frozenset({"score_difference", "difficulty"})


@dataclass(frozen=True)
class ViewContext:
    """What the adapter needs besides the bracket: names and live match states."""

    names: Mapping[ParticipantId, str] = field(default_factory=dict)
    # Match code -> LIVE or DISPUTED, from the match rows (the engine only knows ready).
    live: Mapping[str, MatchStatus] = field(default_factory=dict)
    # Shown instead of the overall seed, e.g. "A1" for a group winner in the playoff.
    seed_labels: Mapping[ParticipantId, str] = field(default_factory=dict)
    # Match code -> when an unfinished match starts, in the server's time ("Sat 18:45").
    times: Mapping[str, str] = field(default_factory=dict)


def clean_name(name: str) -> str:
    """One line, single spaces, at most MAX_NAME_CHARS characters (pixels are the
    renderer's job; this only stops a pasted paragraph from reaching it)."""
    text = " ".join(name.split())
    if len(text) > MAX_NAME_CHARS:
        text = text[: MAX_NAME_CHARS - 1].rstrip() + "…"
    return text or "?"


# ------------------------------------------------------------------ names & slots
def participant_name(bracket: Bracket, ctx: ViewContext, pid: ParticipantId) -> str:
    given = ctx.names.get(pid)
    return clean_name(given if given else bracket.participant(pid).name)


def placeholder_text(slot: EngineSlot) -> str:
    if slot.source_match is None:
        return "TBD"
    outcome = "Loser" if slot.source_outcome == "loser" else "Winner"
    return f"{outcome} of {slot.source_match}"


def score_texts(match: Match) -> tuple[str | None, str | None]:
    """Score text per slot: numbers when played, W/FF, W/DQ, W/O for the rest."""
    if match.status is not EngineStatus.COMPLETED or match.is_bye:
        return None, None
    won = 0 if match.winner is not None and match.winner == match.participants[0] else 1
    if match.outcome in (Outcome.PLAYED, Outcome.DRAW) and match.scores is not None:
        return str(match.scores[0]), str(match.scores[1])
    lost = {
        Outcome.FORFEIT: "FF",
        Outcome.DISQUALIFICATION: "DQ",
        Outcome.WALKOVER: "W/O",
    }.get(match.outcome or Outcome.PLAYED, "–")
    texts = ["W", "W"]
    texts[1 - won] = lost
    return texts[0], texts[1]


def slot_of(
    bracket: Bracket, ctx: ViewContext, match: Match, index: int, score: str | None
) -> Slot:
    slot = match.slots[index]
    if slot.bye:
        return Slot(is_bye=True)
    pid = slot.participant
    if pid is None:
        return Slot(placeholder=placeholder_text(slot))
    return Slot(
        name=participant_name(bracket, ctx, pid),
        seed=ctx.seed_labels.get(pid, bracket.participant(pid).seed),
        score=score,
        is_winner=match.status is EngineStatus.COMPLETED and match.winner == pid,
    )


def status_of(match: Match, ctx: ViewContext) -> MatchStatus:
    if match.status is EngineStatus.COMPLETED:
        return MatchStatus.COMPLETED
    if match.status is EngineStatus.READY:
        return ctx.live.get(match.id, MatchStatus.READY)
    return MatchStatus.PENDING


def match_box(
    bracket: Bracket, ctx: ViewContext, match: Match, *, feeds_into: str | None = None
) -> MatchView:
    top_score, bottom_score = score_texts(match)
    caption = match.round_title if match.side == "third_place" else None
    return MatchView(
        id=match.id,
        top=slot_of(bracket, ctx, match, 0, top_score),
        bottom=slot_of(bracket, ctx, match, 1, bottom_score),
        status=status_of(match, ctx),
        best_of=match.best_of,
        feeds_into=feeds_into or (match.winner_to.match_id if match.winner_to else None),
        label=match.id,
        caption=caption,
        time=None if match.status is EngineStatus.COMPLETED else ctx.times.get(match.id),
    )


def timed_round(title: str, views: tuple[MatchView, ...], best_of: int | None) -> RoundView:
    """A round headed by the time most of its unfinished matches start at (and their
    best-of); a match keeps its own only when it differs (a match moved by a reschedule),
    so a round of eight matches at 18:00 says so once."""
    times = Counter(v.time for v in views if v.time is not None)
    common = times.most_common(1)[0][0] if times else None
    views = tuple(
        dataclasses.replace(
            v,
            time=None if v.time == common else v.time,
            # The round's header says "Bo3" once; a match repeats it only when it differs.
            best_of=None if v.best_of == best_of else v.best_of,
        )
        for v in views
    )
    return RoundView(title, views, best_of, time=common)


# ------------------------------------------------------------------ tables
def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def tiebreak_text(name: str, value: float) -> str:
    if name in PERCENT_TIEBREAKS:
        return f"{value * 100:.0f}%"
    if name in SIGNED_TIEBREAKS:
        return f"{value:+g}" if value else "0"
    return number_text(value)


def tiebreak_names(rows: Sequence[StandingRow]) -> tuple[str, ...]:
    return tuple(rows[0].tiebreaks) if rows else ()


def table_of(
    bracket: Bracket,
    ctx: ViewContext,
    title: str,
    rows: Sequence[StandingRow],
    *,
    advance: int = 0,
    record_points: bool = False,
) -> StandingsTable:
    names = tiebreak_names(rows)
    views = tuple(
        StandingsRow(
            rank=row.rank,
            name=participant_name(bracket, ctx, row.participant_id),
            wins=row.wins,
            draws=row.draws,
            losses=row.losses,
            points=row_points(row, record_points),
            seed=bracket.participant(row.participant_id).seed,
            extras=tuple(tiebreak_text(n, row.tiebreaks.get(n, 0.0)) for n in names),
            advances=(row.rank <= advance) or row.status in ("advanced", "champion"),
            placement=status_mark(row),
        )
        for row in rows
    )
    return StandingsTable(
        title,
        views,
        extra_columns=tuple(TIEBREAK_LABELS.get(n, n) for n in names),
        show_draws=bracket.options.allow_draws,
        points_label="Status" if record_points else "Pts",
    )


def row_points(row: StandingRow, record_points: bool) -> str:
    if record_points:
        return {"advanced": "In", "eliminated": "Out", "withdrawn": "WD"}.get(row.status, "")
    return number_text(row.points)


def status_mark(row: StandingRow) -> str | None:
    return "WD" if row.status == "withdrawn" else None


def rows_by_group(rows: Sequence[StandingRow]) -> dict[str | None, list[StandingRow]]:
    groups: dict[str | None, list[StandingRow]] = defaultdict(list)
    for row in rows:
        groups[row.group].append(row)
    return groups
