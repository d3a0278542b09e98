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
from dataclasses import dataclass

from engine.brackets._view_parts import (
    ViewContext,
    match_box,
    participant_name,
    rows_by_group,
    score_texts,
    slot_of,
    status_of,
    table_of,
    timed_round,
)
from engine.formats import Bracket, Match, Outcome, ParticipantId, StandingRow, format_spec
from engine.formats import MatchStatus as EngineStatus
from engine.render.model import (
    EliminationSection,
    GridCell,
    GroupStageSection,
    MatchStatus,
    RoundRobinSection,
    RoundView,
    Section,
    StandingsRow,
    StandingsTable,
    SwissPairing,
    SwissRound,
    SwissSection,
    TournamentView,
)

ELIMINATION_SIDES = ("winners", "losers", "grand_final", "third_place")


def tournament_view(
    bracket: Bracket,
    *,
    title: str,
    game: str = "",
    status: str = "",
    date: str = "",
    names: Mapping[ParticipantId, str] | None = None,
    live: Mapping[str, MatchStatus] | None = None,
    times: Mapping[str, str] | None = None,
) -> TournamentView:
    ctx = ViewContext(names or {}, live or {}, times=times or {})
    sections = _layout(bracket).sections(bracket, ctx)
    return TournamentView(title, game, date, status, tuple(sections))


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
        views = tuple(match_box(bracket, ctx, m) for m in members)
        best_ofs = {m.best_of for m in by_round[number]}
        rounds.append(
            timed_round(
                members[0].round_title, views, best_ofs.pop() if len(best_ofs) == 1 else None
            )
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
        view = match_box(bracket, ctx, match, feeds_into=following)
        rounds.append(timed_round(match.round_title, (view,), match.best_of))
    return tuple(rounds)


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
        scores = score_texts(match)
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
            participants=tuple(participant_name(bracket, ctx, pid) for pid in ordered),
            cells=_grid_cells(bracket, ctx, ordered, matches),
            standings=table_of(bracket, ctx, f"{title} standings" if label else "Standings", rows),
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
            top_score, bottom_score = score_texts(match)
            pairings.append(
                SwissPairing(
                    table=match.position,
                    top=slot_of(bracket, ctx, match, 0, top_score),
                    bottom=slot_of(bracket, ctx, match, 1, bottom_score),
                    status=status_of(match, ctx),
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
    table = table_of(bracket, ctx, "Standings", rows, record_points=wins_losses)
    return SwissSection(
        "swiss", "Swiss", _swiss_rounds(bracket, ctx, bracket.matches.values()), table
    )


# ---------------------------------------------------------------- group + playoff
def _group_playoff_sections(bracket: Bracket, ctx: ViewContext) -> list[Section]:
    root = bracket.root
    advance = bracket.options.advance_per_group
    tables = root.group_tables(bracket)  # type: ignore[attr-defined]
    groups = tuple(
        table_of(bracket, ctx, f"Group {rows[0].group}" if rows else "Group", rows, advance=advance)
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
    table = table_of(
        bracket, ctx, title, rows, advance=advance, record_points=bracket.options.wins_losses
    )
    if len(rows_by_group(rows)) > 1:
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
        name=participant_name(bracket, ctx, pid),
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
