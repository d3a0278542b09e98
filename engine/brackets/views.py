"""The engine's bracket as the renderer's view model: a pure adapter, no I/O.

``tournament_view`` turns an ``engine.formats.Bracket`` into an ``engine.render``
``TournamentView`` for every format; ``standings_table`` turns its standings (or final
placements, for elimination) into one ``StandingsTable``. Names come from the bracket's
participants unless a newer display name is given; the renderer trims them by pixels, so
here they are only cleaned (whitespace) and capped to something no screen needs more of.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from engine.formats import Bracket, Match, Outcome, ParticipantId, StandingRow, format_spec
from engine.formats import MatchStatus as EngineStatus
from engine.formats import Slot as EngineSlot
from engine.render.model import (
    EliminationSection,
    GridCell,
    GroupStageSection,
    MatchStatus,
    MatchView,
    RoundRobinSection,
    RoundView,
    Section,
    Slot,
    StandingsRow,
    StandingsTable,
    SwissPairing,
    SwissRound,
    SwissSection,
    TournamentView,
)

MAX_NAME_CHARS = 48
ELIMINATION_SIDES = ("winners", "losers", "grand_final", "third_place")
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


def clean_name(name: str) -> str:
    """One line, single spaces, at most MAX_NAME_CHARS characters (pixels are the
    renderer's job; this only stops a pasted paragraph from reaching it)."""
    text = " ".join(name.split())
    if len(text) > MAX_NAME_CHARS:
        text = text[: MAX_NAME_CHARS - 1].rstrip() + "…"
    return text or "?"


def tournament_view(
    bracket: Bracket,
    *,
    title: str,
    game: str = "",
    status: str = "",
    date: str = "",
    names: Mapping[ParticipantId, str] | None = None,
    live: Mapping[str, MatchStatus] | None = None,
) -> TournamentView:
    ctx = ViewContext(names or {}, live or {})
    sections = _layout(bracket).sections(bracket, ctx)
    return TournamentView(title, game, date, status, tuple(sections))


# ------------------------------------------------------------------ names & slots
def _name(bracket: Bracket, ctx: ViewContext, pid: ParticipantId) -> str:
    given = ctx.names.get(pid)
    return clean_name(given if given else bracket.participant(pid).name)


def _placeholder(slot: EngineSlot) -> str:
    if slot.source_match is None:
        return "TBD"
    outcome = "Loser" if slot.source_outcome == "loser" else "Winner"
    return f"{outcome} of {slot.source_match}"


def _scores(match: Match) -> tuple[str | None, str | None]:
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


def _slot(bracket: Bracket, ctx: ViewContext, match: Match, index: int, score: str | None) -> Slot:
    slot = match.slots[index]
    if slot.bye:
        return Slot(is_bye=True)
    pid = slot.participant
    if pid is None:
        return Slot(placeholder=_placeholder(slot))
    return Slot(
        name=_name(bracket, ctx, pid),
        seed=ctx.seed_labels.get(pid, bracket.participant(pid).seed),
        score=score,
        is_winner=match.status is EngineStatus.COMPLETED and match.winner == pid,
    )


def _status(match: Match, ctx: ViewContext) -> MatchStatus:
    if match.status is EngineStatus.COMPLETED:
        return MatchStatus.COMPLETED
    if match.status is EngineStatus.READY:
        return ctx.live.get(match.id, MatchStatus.READY)
    return MatchStatus.PENDING


def match_view(
    bracket: Bracket, ctx: ViewContext, match: Match, *, feeds_into: str | None = None
) -> MatchView:
    top_score, bottom_score = _scores(match)
    caption = match.round_title if match.side == "third_place" else None
    return MatchView(
        id=match.id,
        top=_slot(bracket, ctx, match, 0, top_score),
        bottom=_slot(bracket, ctx, match, 1, bottom_score),
        status=_status(match, ctx),
        best_of=match.best_of,
        feeds_into=feeds_into or (match.winner_to.match_id if match.winner_to else None),
        label=match.id,
        caption=caption,
    )


# ------------------------------------------------------------------- elimination
def _rounds(
    bracket: Bracket, ctx: ViewContext, matches: Sequence[Match], extra: Sequence[Match] = ()
) -> tuple[RoundView, ...]:
    """Rounds in order; ``extra`` (a third-place match) joins the last round."""
    by_round: dict[int, list[Match]] = defaultdict(list)
    for match in matches:
        by_round[match.round].append(match)
    numbers = sorted(by_round)
    rounds = []
    for number in numbers:
        members = sorted(by_round[number], key=lambda m: m.position)
        if number == numbers[-1]:
            members.extend(extra)
        views = tuple(match_view(bracket, ctx, m) for m in members)
        best_ofs = {m.best_of for m in by_round[number]}
        rounds.append(
            RoundView(members[0].round_title, views, best_ofs.pop() if len(best_ofs) == 1 else None)
        )
    return tuple(rounds)


def _elimination_sections(
    bracket: Bracket, matches: Iterable[Match], ctx: ViewContext, *, stage_key: str
) -> list[Section]:
    """Single elimination: one tree. Double: winners, losers and grand-final trees."""
    by_side: dict[str, list[Match]] = defaultdict(list)
    for match in matches:
        if match.side in ELIMINATION_SIDES:
            by_side[match.side].append(match)
    key = (lambda k: f"{stage_key}-{k}") if stage_key else (lambda k: k)
    third = by_side.get("third_place", [])
    if not by_side.get("losers"):
        title = "Playoff" if stage_key else "Bracket"
        rounds = _rounds(bracket, ctx, by_side["winners"], third)
        return [EliminationSection(stage_key or "bracket", title, rounds)]
    prefix = "Playoff " if stage_key else ""
    sections: list[Section] = [
        EliminationSection(
            key("winners"), f"{prefix}Winners Bracket", _rounds(bracket, ctx, by_side["winners"])
        ),
        EliminationSection(
            key("losers"),
            f"{prefix}Losers Bracket",
            _rounds(bracket, ctx, by_side["losers"], third),
        ),
    ]
    finals = sorted(by_side.get("grand_final", []), key=lambda m: m.round)
    if finals:
        sections.append(
            EliminationSection(
                key("grand-final"), f"{prefix}Grand Final", _final_rounds(bracket, ctx, finals)
            )
        )
    return sections


def _final_rounds(
    bracket: Bracket, ctx: ViewContext, finals: Sequence[Match]
) -> tuple[RoundView, ...]:
    """The grand final, and its reset only when the engine created it (the losers-bracket
    finalist won the first final): a reset that may never happen is not drawn."""
    rounds = []
    for i, match in enumerate(finals):
        following = finals[i + 1].id if i + 1 < len(finals) else None
        view = match_view(bracket, ctx, match, feeds_into=following)
        rounds.append(RoundView(match.round_title, (view,), match.best_of))
    return tuple(rounds)


# ------------------------------------------------------------------ tables
def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _tiebreak_text(name: str, value: float) -> str:
    if name in PERCENT_TIEBREAKS:
        return f"{value * 100:.0f}%"
    if name in SIGNED_TIEBREAKS:
        return f"{value:+g}" if value else "0"
    return _number(value)


def _tiebreak_names(rows: Sequence[StandingRow]) -> tuple[str, ...]:
    return tuple(rows[0].tiebreaks) if rows else ()


def _table(
    bracket: Bracket,
    ctx: ViewContext,
    title: str,
    rows: Sequence[StandingRow],
    *,
    advance: int = 0,
    record_points: bool = False,
) -> StandingsTable:
    names = _tiebreak_names(rows)
    views = tuple(
        StandingsRow(
            rank=row.rank,
            name=_name(bracket, ctx, row.participant_id),
            wins=row.wins,
            draws=row.draws,
            losses=row.losses,
            points=_row_points(row, record_points),
            seed=bracket.participant(row.participant_id).seed,
            extras=tuple(_tiebreak_text(n, row.tiebreaks.get(n, 0.0)) for n in names),
            advances=(row.rank <= advance) or row.status in ("advanced", "champion"),
            placement=_status_mark(row),
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


def _row_points(row: StandingRow, record_points: bool) -> str:
    if record_points:
        return {"advanced": "In", "eliminated": "Out", "withdrawn": "WD"}.get(row.status, "")
    return _number(row.points)


def _status_mark(row: StandingRow) -> str | None:
    return "WD" if row.status == "withdrawn" else None


def _group_rows(rows: Sequence[StandingRow]) -> dict[str | None, list[StandingRow]]:
    groups: dict[str | None, list[StandingRow]] = defaultdict(list)
    for row in rows:
        groups[row.group].append(row)
    return groups


# ------------------------------------------------------------------ round robin
def _grid_cells(
    bracket: Bracket, ctx: ViewContext, members: Sequence[ParticipantId], matches: Iterable[Match]
) -> tuple[GridCell, ...]:
    index = {pid: i for i, pid in enumerate(members)}
    texts: dict[tuple[int, int], list[str]] = defaultdict(list)
    balance: Counter[tuple[int, int]] = Counter()
    for match in matches:
        if match.status is not EngineStatus.COMPLETED or match.is_bye:
            continue
        a, b = match.participants
        if a not in index or b not in index:
            continue
        scores = _scores(match)
        for me, other, mine, theirs in ((a, b, 0, 1), (b, a, 1, 0)):
            cell = (index[me], index[other])
            texts[cell].append(f"{scores[mine]}-{scores[theirs]}")
            if match.outcome is not Outcome.DRAW:
                balance[cell] += 1 if match.winner == me else -1
            else:
                balance[cell] += 0
    cells = []
    for (row, col), parts in sorted(texts.items()):
        score = balance[(row, col)]
        outcome = "win" if score > 0 else "loss" if score < 0 else "draw"
        cells.append(GridCell(row, col, " ".join(parts), outcome))
    return tuple(cells)


def _round_robin_sections(bracket: Bracket, ctx: ViewContext) -> Iterable[RoundRobinSection]:
    stage = bracket.stage("main")
    groups: list[list[ParticipantId]] = list(stage.groups or [])  # type: ignore[attr-defined]
    names: list[str] = list(stage.group_names)  # type: ignore[attr-defined]
    labelled = len(groups) > 1
    for g, members in enumerate(groups):
        label = names[g] if labelled else None
        ordered = sorted(members, key=lambda pid: bracket.participant(pid).seed)
        matches = [m for m in bracket.matches.values() if m.group == label]
        rows = stage.group_standings(bracket, g)  # type: ignore[attr-defined]
        title = f"Group {label}" if label else "Round robin"
        yield RoundRobinSection(
            key=f"group-{label.lower()}" if label else "round-robin",
            title=title,
            participants=tuple(_name(bracket, ctx, pid) for pid in ordered),
            cells=_grid_cells(bracket, ctx, ordered, matches),
            standings=_table(bracket, ctx, f"{title} standings" if label else "Standings", rows),
        )


# ------------------------------------------------------------------------ swiss
def _swiss_rounds(
    bracket: Bracket, ctx: ViewContext, matches: Iterable[Match]
) -> tuple[SwissRound, ...]:
    by_round: dict[int, list[Match]] = defaultdict(list)
    for match in matches:
        by_round[match.round].append(match)
    rounds = []
    for number in sorted(by_round):
        members = sorted(by_round[number], key=lambda m: m.position)
        pairings = []
        for match in members:
            top_score, bottom_score = _scores(match)
            pairings.append(
                SwissPairing(
                    table=match.position,
                    top=_slot(bracket, ctx, match, 0, top_score),
                    bottom=_slot(bracket, ctx, match, 1, bottom_score),
                    status=_status(match, ctx),
                )
            )
        title = members[0].round_title
        if members[0].group:  # "Group A · Round 2" inside a panel already titled Group A
            title = title.split(" · ")[-1]
        rounds.append(SwissRound(title, tuple(pairings)))
    return tuple(rounds)


def _swiss_section(bracket: Bracket, ctx: ViewContext) -> SwissSection:
    rows = bracket.standings()
    wins_losses = bracket.options.wins_losses
    table = _table(bracket, ctx, "Standings", rows, record_points=wins_losses)
    return SwissSection(
        "swiss", "Swiss", _swiss_rounds(bracket, ctx, bracket.matches.values()), table
    )


# ---------------------------------------------------------------- group + playoff
def _group_playoff_sections(bracket: Bracket, ctx: ViewContext) -> list[Section]:
    root = bracket.root
    advance = bracket.options.advance_per_group
    tables = root.group_tables(bracket)  # type: ignore[attr-defined]
    groups = tuple(
        _table(bracket, ctx, f"Group {rows[0].group}" if rows else "Group", rows, advance=advance)
        for rows in tables
    )
    sections: list[Section] = [GroupStageSection("groups", "Group stage", groups)]
    playoff = root.playoff  # type: ignore[attr-defined]
    if playoff is not None:
        # Playoff boxes say where an entrant came from (A1, B2), not its overall seed.
        labels = {row.participant_id: f"{row.group}{row.rank}" for rows in tables for row in rows}
        playoff_ctx = dataclasses.replace(ctx, seed_labels=labels)
        matches = playoff.matches(bracket)
        sections.extend(_elimination_sections(bracket, matches, playoff_ctx, stage_key="playoff"))
    return sections


# ------------------------------------------------------------------- standings
def standings_table(
    bracket: Bracket,
    *,
    title: str = "Standings",
    names: Mapping[ParticipantId, str] | None = None,
) -> StandingsTable:
    """One table for /standings: the league table (groups one after another) for round
    robin, Swiss and the group stage; places so far for elimination brackets."""
    ctx = ViewContext(names or {})
    return _layout(bracket).standings(bracket, ctx, title)


def _league_table(
    bracket: Bracket, ctx: ViewContext, title: str, advance: int = 0
) -> StandingsTable:
    rows = bracket.standings()
    table = _table(
        bracket, ctx, title, rows, advance=advance, record_points=bracket.options.wins_losses
    )
    if len(_group_rows(rows)) > 1:
        # Ranks restart in each group; say which group a row belongs to.
        renamed = tuple(
            StandingsRow(**{**_row_dict(view), "placement": f"{row.group}{row.rank}"})
            for view, row in zip(table.rows, rows, strict=True)
        )
        table = StandingsTable(
            table.title, renamed, table.extra_columns, table.show_draws, table.points_label
        )
    return table


def _row_dict(row: StandingsRow) -> dict:
    return {f: getattr(row, f) for f in row.__dataclass_fields__}


def _placement_table(
    bracket: Bracket, ctx: ViewContext, title: str, records: Sequence[StandingRow] | None = None
) -> StandingsTable:
    """Final places where decided ("5-8" when shared), then who is still playing."""
    placements = bracket.placements()
    shared = Counter(p.place for p in placements)
    rows_of = bracket.standings() if records is None else records
    record = {row.participant_id: row for row in rows_of}
    rows = []
    placed = set()
    for placement in placements:
        pid = placement.participant_id
        placed.add(pid)
        count = shared[placement.place]
        text = f"{placement.place}-{placement.place + count - 1}" if count > 1 else None
        rows.append(_placement_row(bracket, ctx, pid, placement.place, text, record.get(pid)))
    alive = sorted((p for p in bracket.participants if p.id not in placed), key=lambda p: p.seed)
    for participant in alive:
        rows.append(
            _placement_row(bracket, ctx, participant.id, 0, "–", record.get(participant.id))
        )
    return StandingsTable(title, tuple(rows), show_draws=False, points_label="Maps")


def _placement_row(
    bracket: Bracket,
    ctx: ViewContext,
    pid: ParticipantId,
    place: int,
    text: str | None,
    row: StandingRow | None,
) -> StandingsRow:
    return StandingsRow(
        rank=place,
        name=_name(bracket, ctx, pid),
        wins=row.wins if row else 0,
        losses=row.losses if row else 0,
        points=f"{row.score_for}-{row.score_against}" if row else "",
        seed=bracket.participant(pid).seed,
        advances=place == 1,
        placement=text,
    )


# -------------------------------------------------------------------- layouts
@dataclass(frozen=True)
class Layout:
    """How one kind of bracket becomes a picture and a standings table.

    A format names its layout in its ``FormatSpec.view``; a new format drawn like an
    existing one needs no change here, a new look adds one entry to ``LAYOUTS``.
    """

    sections: Callable[[Bracket, ViewContext], list[Section]]
    standings: Callable[[Bracket, ViewContext, str], StandingsTable]


def _group_playoff_standings(bracket: Bracket, ctx: ViewContext, title: str) -> StandingsTable:
    playoff = bracket.root.playoff  # type: ignore[attr-defined]
    if playoff is not None:
        return _placement_table(bracket, ctx, title, playoff.standings(bracket))
    return _league_table(bracket, ctx, title, advance=bracket.options.advance_per_group)


LAYOUTS: dict[str, Layout] = {
    "elimination": Layout(
        lambda b, ctx: _elimination_sections(b, b.matches.values(), ctx, stage_key=""),
        _placement_table,
    ),
    "round_robin": Layout(lambda b, ctx: list(_round_robin_sections(b, ctx)), _league_table),
    "swiss": Layout(lambda b, ctx: [_swiss_section(b, ctx)], _league_table),
    "group_playoff": Layout(_group_playoff_sections, _group_playoff_standings),
}


def _layout(bracket: Bracket) -> Layout:
    return LAYOUTS[format_spec(bracket.format).view]
