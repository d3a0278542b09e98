"""The adapter from the bracket engine to the renderer's view model, format by format."""

from __future__ import annotations

from engine.brackets import clean_name, standings_table, tournament_view
from engine.formats import Bracket, Participant, Result, create_bracket
from engine.render import (
    EliminationSection,
    GroupStageSection,
    MatchStatus,
    RoundRobinSection,
    SwissSection,
    render_bracket,
)


def field(n: int) -> list[Participant]:
    return [Participant(100 + i, f"Player {i}", i) for i in range(1, n + 1)]


def chalk(bracket: Bracket, limit: int | None = None, *, upset: set[str] = frozenset()) -> int:
    """Play ready matches, better seed wins unless the match id is in ``upset``."""
    played = 0
    while bracket.playable_matches() and (limit is None or played < limit):
        match = bracket.playable_matches()[0]
        a, b = match.participants
        wins = match.best_of // 2 + 1
        a_wins = bracket.participant(a).seed < bracket.participant(b).seed
        if match.id in upset:
            a_wins = not a_wins
        bracket.apply_result(Result(match.id, (wins, 0) if a_wins else (0, wins)))
        played += 1
    return played


def sections(view):  # type: ignore[no-untyped-def]
    return {s.key: s for s in view.sections}


def matches_of(section: EliminationSection):  # type: ignore[no-untyped-def]
    return {m.id: m for r in section.rounds for m in r.matches}


def test_single_elimination_with_byes_third_place_and_placeholders() -> None:
    bracket = create_bracket("single_elim", field(6), {"third_place": True, "best_of": 3}, 1)
    bracket.apply_result(Result("W1-2", (2, 1)))
    view = tournament_view(bracket, title="Cup", game="Valorant", status="Live")
    assert view.subtitle == "Valorant · Live"
    [section] = view.sections
    assert isinstance(section, EliminationSection) and section.key == "bracket"
    assert [r.title for r in section.rounds] == ["Quarterfinals", "Semifinals", "Final"]
    assert all(r.best_of == 3 for r in section.rounds)
    matches = matches_of(section)
    # Seeds 1 and 2 have byes; the bye is shown, not a name.
    bye = matches["W1-1"]
    assert bye.top.name == "Player 1" and bye.top.seed == 1 and bye.bottom.is_bye
    assert bye.status is MatchStatus.COMPLETED and bye.top.score is None
    played = matches["W1-2"]
    assert (played.top.score, played.bottom.score) == ("2", "1")
    assert played.top.is_winner and not played.bottom.is_winner
    assert played.feeds_into == "W2-1" and played.label == "W1-2"
    semi = matches["W2-1"]
    assert semi.status is MatchStatus.READY and semi.top.name == "Player 1"
    final = matches["W3-1"]
    assert final.top.placeholder == "Winner of W2-1" and final.top.name is None
    third = matches["3P"]
    assert third.caption == "Third-Place Match"
    assert third.top.placeholder == "Loser of W2-1" and third.bottom.placeholder == "Loser of W2-2"
    assert section.rounds[-1].matches[-1].id == "3P"  # drawn beside the final


def test_double_elimination_sections_and_reset_only_when_played() -> None:
    bracket = create_bracket("double_elim", field(8), {"grand_final": "reset"}, 1)
    chalk(bracket, 7)
    view = tournament_view(bracket, title="Double")
    by_key = sections(view)
    assert list(by_key) == ["winners", "losers", "grand-final"]
    assert [r.title for r in by_key["winners"].rounds] == [
        "Winners Quarterfinals",
        "Winners Semifinals",
        "Winners Final",
    ]
    assert [r.title for r in by_key["losers"].rounds] == [
        "Losers Round 1",
        "Losers Round 2",
        "Losers Round 3",
        "Losers Final",
    ]
    losers = matches_of(by_key["losers"])
    assert losers["L4-1"].bottom.placeholder == "Loser of W3-1"
    assert losers["L1-1"].top.name is not None  # round-1 losers already dropped in
    final_rounds = by_key["grand-final"].rounds
    assert [r.title for r in final_rounds] == ["Grand Final"]  # no reset drawn yet
    gf = final_rounds[0].matches[0]
    assert gf.top.placeholder == "Winner of W3-1" and gf.bottom.placeholder == "Winner of L4-1"

    # The losers-bracket champion wins the first final: now the reset exists and shows.
    chalk(bracket, upset={"GF1"})
    assert bracket.is_complete()
    final_rounds = sections(tournament_view(bracket, title="Double"))["grand-final"].rounds
    assert [r.title for r in final_rounds] == ["Grand Final", "Grand Final Reset"]
    first, reset = final_rounds[0].matches[0], final_rounds[1].matches[0]
    assert first.feeds_into == "GF2" and first.bottom.is_winner
    assert reset.status is MatchStatus.COMPLETED and reset.top.is_winner


def test_double_elimination_without_reset_when_winners_champion_wins() -> None:
    bracket = create_bracket("double_elim", field(4), {}, 1)
    chalk(bracket)
    final_rounds = sections(tournament_view(bracket, title="D"))["grand-final"].rounds
    assert [r.title for r in final_rounds] == ["Grand Final"]
    assert final_rounds[0].matches[0].top.is_winner


def test_round_robin_grid_and_standings() -> None:
    bracket = create_bracket("round_robin", field(4), {}, 1)
    bracket.apply_result(Result("R1-1", (1, 0)))
    view = tournament_view(bracket, title="League")
    [section] = view.sections
    assert isinstance(section, RoundRobinSection) and section.key == "round-robin"
    assert section.participants == ("Player 1", "Player 2", "Player 3", "Player 4")
    match = bracket.match("R1-1")
    a, b = (bracket.participant(p).seed - 1 for p in match.participants)
    cells = {(c.row, c.col): c for c in section.cells}
    assert len(cells) == 2  # one played match, seen from both sides
    assert cells[(a, b)].outcome == "win" and cells[(a, b)].text == "1-0"
    assert cells[(b, a)].outcome == "loss" and cells[(b, a)].text == "0-1"
    table = section.standings
    assert table.extra_columns == ("H2H", "Diff", "For")
    assert table.rows[0].name == bracket.participant(match.winner).name
    assert table.rows[0].points == "3" and table.rows[0].extras[1] == "+1"


def test_round_robin_in_groups_has_one_section_per_group() -> None:
    bracket = create_bracket("round_robin", field(8), {"groups": 2}, 1)
    keys = [s.key for s in tournament_view(bracket, title="L").sections]
    assert keys == ["group-a", "group-b"]


def test_swiss_rounds_and_tiebreak_columns() -> None:
    bracket = create_bracket("swiss", field(7), {"rounds": 3}, 1)
    chalk(bracket, 6)  # round 1 (3 matches + a bye) and round 2
    [section] = tournament_view(bracket, title="Swiss").sections
    assert isinstance(section, SwissSection)
    assert [r.title for r in section.rounds] == ["Round 1", "Round 2", "Round 3"]
    round_one = section.rounds[0].pairings
    assert [p.table for p in round_one] == [1, 2, 3, 4]
    assert round_one[-1].bottom.is_bye and round_one[-1].top.name is not None
    assert all(p.status is MatchStatus.COMPLETED for p in round_one)
    later = [p for p in section.rounds[2].pairings if not p.bottom.is_bye]
    assert later and all(p.status is MatchStatus.READY for p in later)
    table = section.standings
    assert table.extra_columns == ("Buchholz", "Median-B", "SB")
    assert [r.rank for r in table.rows] == list(range(1, 8))
    assert table.rows[0].wins == 2 and len(table.rows[0].extras) == 3


def test_group_playoff_tables_then_playoff_tree() -> None:
    bracket = create_bracket("group_playoff", field(8), {"groups": 2}, 1)
    view = tournament_view(bracket, title="G")
    assert [s.key for s in view.sections] == ["groups"]  # no playoff before the groups end
    chalk(bracket, 12)  # every group match: the playoff is drawn
    view = tournament_view(bracket, title="G")
    by_key = sections(view)
    assert list(by_key) == ["groups", "playoff"]
    groups = by_key["groups"]
    assert isinstance(groups, GroupStageSection)
    assert [g.title for g in groups.groups] == ["Group A", "Group B"]
    assert [r.advances for r in groups.groups[0].rows] == [True, True, False, False]
    playoff = by_key["playoff"]
    assert [r.title for r in playoff.rounds] == ["Semifinals", "Final"]
    assert matches_of(playoff)["P-W2-1"].top.placeholder == "Winner of P-W1-1"
    # Playoff boxes say where each entrant came from, group winners against runners-up.
    semis = [matches_of(playoff)[code] for code in ("P-W1-1", "P-W1-2")]
    assert sorted((m.top.seed, m.bottom.seed) for m in semis) == [("A1", "B2"), ("B1", "A2")]


def test_group_playoff_with_double_elimination_playoff_prefixes_keys() -> None:
    bracket = create_bracket(
        "group_playoff", field(8), {"groups": 2, "playoff_format": "double_elim"}, 1
    )
    chalk(bracket, 12)
    keys = [s.key for s in tournament_view(bracket, title="G").sections]
    assert keys == ["groups", "playoff-winners", "playoff-losers", "playoff-grand-final"]


def test_names_are_cleaned_and_overridable_and_live_states_shown() -> None:
    bracket = create_bracket("single_elim", field(4), {}, 1)
    view = tournament_view(
        bracket,
        title="T",
        names={101: "  Team\n  Liquid  "},
        live={"W1-1": MatchStatus.DISPUTED},
    )
    first = matches_of(view.sections[0])["W1-1"]
    assert first.top.name == "Team Liquid"
    assert first.status is MatchStatus.DISPUTED
    assert clean_name("x" * 80).endswith("…") and len(clean_name("x" * 80)) == 48


def test_forfeit_and_disqualification_scores() -> None:
    bracket = create_bracket("single_elim", field(4), {}, 1)
    bracket.apply_result(Result("W1-1", forfeit=1))
    bracket.apply_result(Result("W1-2", forfeit=0, disqualify=True))
    matches = matches_of(tournament_view(bracket, title="T").sections[0])
    assert (matches["W1-1"].top.score, matches["W1-1"].bottom.score) == ("W", "FF")
    assert (matches["W1-2"].top.score, matches["W1-2"].bottom.score) == ("DQ", "W")


def test_elimination_standings_share_places() -> None:
    bracket = create_bracket("single_elim", field(8), {}, 1)
    chalk(bracket)
    table = standings_table(bracket, title="Final")
    assert [r.rank for r in table.rows][:2] == [1, 2]
    assert table.rows[0].name == "Player 1" and table.rows[0].advances
    assert [r.placement for r in table.rows[2:4]] == ["3-4", "3-4"]
    assert [r.placement for r in table.rows[4:]] == ["5-8"] * 4


def test_group_standings_say_which_group() -> None:
    bracket = create_bracket("round_robin", field(8), {"groups": 2}, 1)
    table = standings_table(bracket)
    assert {r.placement for r in table.rows} == {"A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"}


def test_every_format_renders() -> None:
    cases = [
        ("single_elim", 5, {"third_place": True}),
        ("double_elim", 6, {}),
        ("round_robin", 5, {}),
        ("swiss", 6, {}),
        ("group_playoff", 8, {"groups": 2}),
    ]
    for format, n, options in cases:
        bracket = create_bracket(format, field(n), options, 3)
        chalk(bracket, n)
        images = render_bracket(tournament_view(bracket, title=format))
        assert images and all(i.png_bytes.startswith(b"\x89PNG") for i in images), format
