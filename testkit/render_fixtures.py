"""Synthetic view models: standard seeded brackets simulated with "better seed wins" so
the renderers can be exercised without the bracket engine."""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.render.model import (
    EliminationSection,
    GridCell,
    GroupStageSection,
    MatchStatus,
    MatchView,
    RoundRobinSection,
    RoundView,
    Slot,
    StandingsRow,
    StandingsTable,
    SwissPairing,
    SwissRound,
    SwissSection,
    TournamentView,
)

_TAGS = (
    "Shadowstrike",
    "NovaQueen",
    "সাকিব আল হাসান",
    "विराट कोहली",
    "محمد صلاح",
    "Zoë Ångström",
    "xX_Destroyer_Xx",
    "🔥 Blaze 🔥",
    "Kaiser",
    "Mirage",
    "李小龍",
    "Phantom Lancer",
    "Bartholomew the Exceedingly Long-Named",
    "Echo",
    "Vortex",
    "Lumen",
)


def player_name(seed: int) -> str:
    tag = _TAGS[(seed - 1) % len(_TAGS)]
    return tag if seed <= len(_TAGS) else f"{tag} {seed}"


@dataclass(frozen=True)
class Entrant:
    seed: int
    name: str


Side = Entrant | str | None  # an entrant, a placeholder text, or a bye


def seeded_order(size: int) -> list[int]:
    order = [1]
    while len(order) < size:
        mirror = len(order) * 2 + 1
        order = [x for s in order for x in (s, mirror - s)]
    return order


def make_match(
    match_id: str,
    a: Side,
    b: Side,
    *,
    done: bool,
    feeds_into: str | None,
    status: MatchStatus | None = None,
    best_of: int = 3,
    caption: str | None = None,
) -> tuple[MatchView, Entrant | None, Entrant | None]:
    """A match view plus (winner, loser) when both entrants are known and it is done."""
    known = isinstance(a, Entrant) and isinstance(b, Entrant)
    if a is None or b is None:
        real = a if isinstance(a, Entrant) else b
        slots = (_slot(a, None, bool(real) and a is real), _slot(b, None, bool(real) and b is real))
        view = MatchView(match_id, *slots, MatchStatus.COMPLETED, best_of, feeds_into)
        return view, real if isinstance(real, Entrant) else None, None
    if known and done:
        assert isinstance(a, Entrant) and isinstance(b, Entrant)
        winner, loser = (a, b) if a.seed < b.seed else (b, a)
        loser_score = str((a.seed + b.seed) % 2)
        top = _slot(a, "2" if a is winner else loser_score, a is winner)
        bottom = _slot(b, "2" if b is winner else loser_score, b is winner)
        view = MatchView(
            match_id, top, bottom, MatchStatus.COMPLETED, best_of, feeds_into, caption=caption
        )
        return view, winner, loser
    state = status or (MatchStatus.READY if known else MatchStatus.PENDING)
    view = MatchView(
        match_id,
        _slot(a, None, False),
        _slot(b, None, False),
        state,
        best_of,
        feeds_into,
        caption=caption,
    )
    return view, None, None


def _slot(side: Side, score: str | None, winner: bool) -> Slot:
    if side is None:
        return Slot(is_bye=True)
    if isinstance(side, str):
        return Slot(placeholder=side)
    return Slot(name=side.name, seed=side.seed, score=score, is_winner=winner)


def _round_title(index: int, count: int) -> str:
    remaining = count - index
    return {1: "Final", 2: "Semifinals", 3: "Quarterfinals"}.get(remaining, f"Round {index + 1}")


def _winners_title(index: int, count: int) -> str:
    return f"Winners {_round_title(index, count)}"


def _live_status(i: int) -> MatchStatus | None:
    return {0: MatchStatus.LIVE, 1: MatchStatus.DISPUTED}.get(i)


@dataclass
class WinnersResult:
    section: EliminationSection
    losers_by_round: list[list[Side]]
    champion: Side


def winners_bracket(
    players: int,
    completed_rounds: int,
    *,
    prefix: str = "W",
    third_place: bool = False,
    final_feeds: str | None = None,
    key: str = "winners",
    title: str = "Winners Bracket",
) -> WinnersResult:
    size = 1 << max(1, math.ceil(math.log2(players)))
    count = int(math.log2(size))
    sides: list[Side] = [
        Entrant(s, player_name(s)) if s <= players else None for s in seeded_order(size)
    ]
    rounds: list[RoundView] = []
    losers_by_round: list[list[Side]] = []
    for r in range(count):
        matches: list[MatchView] = []
        next_sides: list[Side] = []
        losers: list[Side] = []
        for i in range(len(sides) // 2):
            mid = f"{prefix}{r + 1}-{i + 1}"
            feeds = f"{prefix}{r + 2}-{i // 2 + 1}" if r + 1 < count else final_feeds
            status = _live_status(i) if r == completed_rounds else None
            view, winner, loser = make_match(
                mid,
                sides[2 * i],
                sides[2 * i + 1],
                done=r < completed_rounds,
                feeds_into=feeds,
                status=status,
            )
            matches.append(view)
            next_sides.append(winner or f"Winner of {mid}")
            losers.append(loser or f"Loser of {mid}")
        titler = _winners_title if prefix == "W" else _round_title
        rounds.append(RoundView(titler(r, count), tuple(matches)))
        losers_by_round.append(losers)
        sides = next_sides
    if third_place and count >= 2:
        semis = losers_by_round[-2]
        view, _, _ = make_match(
            f"{prefix}3P",
            semis[0],
            semis[1],
            done=completed_rounds > count,
            feeds_into=None,
            caption="Third place match",
        )
        last = rounds[-1]
        rounds[-1] = RoundView(last.title, (*last.matches, view))
    section = EliminationSection(key, title, tuple(rounds))
    return WinnersResult(section, losers_by_round, sides[0])


def losers_bracket(
    winners: WinnersResult, completed_rounds: int
) -> tuple[EliminationSection, Side]:
    drops = winners.losers_by_round
    total = 2 * (len(drops) - 1)
    sides: list[Side] = list(drops[0])
    rounds = []
    for r in range(total):
        major = r % 2 == 1
        incoming = list(reversed(drops[r // 2 + 1])) if major else None
        pairs = (
            list(zip(sides, incoming, strict=True))
            if incoming
            else [(sides[2 * i], sides[2 * i + 1]) for i in range(len(sides) // 2)]
        )
        matches = []
        next_sides: list[Side] = []
        for i, (a, b) in enumerate(pairs):
            mid = f"L{r + 1}-{i + 1}"
            feeds = f"L{r + 2}-{(i if not major else i // 2) + 1}" if r + 1 < total else "GF1"
            view, winner, _ = make_match(
                mid,
                a,
                b,
                done=r < completed_rounds,
                feeds_into=feeds,
                status=_live_status(i) if r == completed_rounds else None,
            )
            matches.append(view)
            next_sides.append(winner or f"Winner of {mid}")
        title = "Losers Final" if r + 1 == total else f"Losers Round {r + 1}"
        rounds.append(RoundView(title, tuple(matches)))
        sides = next_sides
    return EliminationSection("losers", "Losers Bracket", tuple(rounds)), sides[0]


def grand_final(winner: Side, loser_side: Side, *, finished: bool) -> EliminationSection:
    if finished and isinstance(winner, Entrant) and isinstance(loser_side, Entrant):
        # The losers-bracket finalist wins the first set, so the reset is played.
        gf1 = MatchView(
            "GF1",
            Slot(winner.name, winner.seed, "1"),
            Slot(loser_side.name, loser_side.seed, "3", is_winner=True),
            MatchStatus.COMPLETED,
            5,
            "GF2",
            label="GF",
        )
        gf2 = MatchView(
            "GF2",
            Slot(winner.name, winner.seed, "3", is_winner=True),
            Slot(loser_side.name, loser_side.seed, "2"),
            MatchStatus.COMPLETED,
            5,
            label="Reset",
        )
    else:
        first, second = (
            _slot(s, None, False) if s is not None else Slot(placeholder="TBD")
            for s in (winner, loser_side)
        )
        gf1 = MatchView("GF1", first, second, MatchStatus.PENDING, 5, "GF2", label="GF")
        gf2 = MatchView(
            "GF2",
            Slot(placeholder="Winner of GF (if reset)"),
            Slot(placeholder="Loser of GF (if reset)"),
            MatchStatus.PENDING,
            5,
            label="Reset",
        )
    rounds = (RoundView("Grand Final", (gf1,)), RoundView("Grand Final Reset", (gf2,)))
    return EliminationSection("grand-final", "Grand Final", rounds)


def single_elim_view(players: int, completed_rounds: int = 2) -> TournamentView:
    section = winners_bracket(
        players, completed_rounds, prefix="M", third_place=True, key="bracket", title="Bracket"
    ).section
    return TournamentView(
        f"Crown Cup #{players}", "Valorant", "2026-11-26", "In progress", (section,)
    )


def double_elim_view(players: int, finished: bool = False) -> TournamentView:
    rounds = int(math.log2(players))
    completed = rounds + 1 if finished else max(1, rounds - 2)
    winners = winners_bracket(players, completed, final_feeds="GF1")
    losers_done = 2 * (rounds - 1) if finished else max(0, 2 * (completed - 1) - 1)
    losers, losers_champion = losers_bracket(winners, losers_done)
    final = grand_final(winners.champion, losers_champion, finished=finished)
    status = "Completed" if finished else "In progress"
    return TournamentView(
        f"Double Trouble {players}",
        "Rocket League",
        "2026-11-26",
        status,
        (winners.section, losers, final),
    )


def _record(seed: int, opponents: int) -> tuple[int, int, int]:
    wins = opponents - (seed - 1)
    return max(0, wins), 0, min(opponents, seed - 1)


def round_robin_view(players: int) -> TournamentView:
    names = tuple(player_name(s) for s in range(1, players + 1))
    cells = []
    for row in range(players):
        for col in range(players):
            if row == col or (row + col) % 7 == 6:
                continue  # diagonal, and a few matches not played yet
            win = row < col
            draw = (row * col) % 11 == 5
            text = "1-1" if draw else ("2-0" if win else "0-2")
            outcome = "draw" if draw else ("win" if win else "loss")
            cells.append(GridCell(row, col, text, outcome))
    rows = tuple(
        StandingsRow(
            rank=s,
            name=names[s - 1],
            wins=players - s,
            draws=0,
            losses=s - 1,
            points=str(3 * (players - s)),
            seed=s,
            extras=(f"{(players - 2 * s) * 2:+d}",),
            advances=s <= 2,
        )
        for s in range(1, players + 1)
    )
    table = StandingsTable("Standings", rows, extra_columns=("Map diff",))
    section = RoundRobinSection(
        "group", f"Round robin · {players} players", names, tuple(cells), table
    )
    return TournamentView(f"League of {players}", "Chess", "2026-11-26", "In progress", (section,))


def swiss_view(players: int, rounds: int) -> TournamentView:
    swiss_rounds = []
    for r in range(rounds):
        pairings = []
        order = [*range(1 + r, players + 1), *range(1, 1 + r)]
        for t in range(players // 2):
            a, b = sorted((order[2 * t], order[2 * t + 1]))
            done = r < rounds - 1
            top = Slot(player_name(a), a, "2" if done else None, is_winner=done)
            bottom = Slot(player_name(b), b, "1" if done else None)
            status = MatchStatus.COMPLETED if done else MatchStatus.LIVE
            pairings.append(SwissPairing(t + 1, top, bottom, status))
        if players % 2:
            bye = Slot(player_name(players), players, is_winner=True)
            pairings.append(
                SwissPairing(players // 2 + 1, bye, Slot(is_bye=True), MatchStatus.COMPLETED)
            )
        swiss_rounds.append(SwissRound(f"Round {r + 1}", tuple(pairings)))
    rows = tuple(
        StandingsRow(
            rank=s,
            name=player_name(s),
            wins=rounds - 1 - (s % rounds),
            draws=0,
            losses=s % rounds,
            points=f"{3 * (rounds - 1 - s % rounds)}",
            extras=(f"{12.5 - s * 0.1:.1f}", f"{10 - s % 5}", f"{s % 3}"),
        )
        for s in range(1, players + 1)
    )
    table = StandingsTable("Swiss standings", rows, ("Buchholz", "SB", "Wins vs"), show_draws=False)
    section = SwissSection("swiss", "Swiss", tuple(swiss_rounds), table)
    return TournamentView(
        f"Swiss Open {players}", "Dota 2", "2026-11-26", "Round in progress", (section,)
    )


def groups_playoff_view(players: int, group_size: int = 4) -> TournamentView:
    groups = []
    for g in range(players // group_size):
        members = [g + 1 + k * (players // group_size) for k in range(group_size)]
        rows = tuple(
            StandingsRow(
                rank=k + 1,
                name=player_name(seed),
                wins=group_size - 1 - k,
                losses=k,
                points=str(3 * (group_size - 1 - k)),
                seed=seed,
                advances=k < 2,
            )
            for k, seed in enumerate(members)
        )
        groups.append(StandingsTable(f"Group {_group_letter(g)}", rows, show_draws=False))
    stage = GroupStageSection("groups", "Group stage", tuple(groups))
    playoff = winners_bracket(
        max(2, players // 2), 1, prefix="P", third_place=True, key="playoff", title="Playoffs"
    ).section
    return TournamentView(
        f"Groups & Glory {players}", "Counter-Strike 2", "2026-11-26", "Playoffs", (stage, playoff)
    )


def _group_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
