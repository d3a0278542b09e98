import random
from collections import Counter

import pytest

from engine.formats import create_bracket
from engine.formats.errors import CannotUndo
from engine.formats.kinds.swiss_pairing import SwissPlayer, pair_round
from tests.engine.formats.helpers import people, place_of, play_chalk, play_random


def pairs_of(bracket, round_no):
    return [
        m.participants for m in bracket.matches.values() if m.round == round_no and not m.is_bye
    ]


def test_first_round_slides_top_half_against_bottom_half():
    bracket = create_bracket("swiss", people(8))
    assert pairs_of(bracket, 1) == [(1, 5), (2, 6), (3, 7), (4, 8)]
    assert bracket.root.total_rounds == 3


def test_fold_pattern_pairs_highest_against_lowest():
    bracket = create_bracket("swiss", people(8), {"pairing": "fold"})
    play_chalk(bracket)
    assert pairs_of(bracket, 2)[:2] == [(1, 4), (2, 3)]


def test_odd_field_gives_the_bye_to_the_lowest_ranked_without_one():
    bracket = create_bracket("swiss", people(7), {"rounds": 5})
    play_chalk(bracket)
    byes = [m.slots[0].participant for m in bracket.matches.values() if m.is_bye]
    assert byes[0] == 7
    assert len(byes) == len(set(byes)) == 5


def test_bye_counts_as_a_win():
    bracket = create_bracket("swiss", people(3), {"rounds": 1})
    row = next(r for r in bracket.standings() if r.participant_id == 3)
    assert (row.wins, row.byes, row.points) == (1, 1, 3)


def test_counter_strike_major_swiss():
    bracket = create_bracket(
        "swiss", people(16), {"win_target": 3, "loss_limit": 3, "decider_best_of": 3}
    )
    assert pairs_of(bracket, 1) == [(i, i + 8) for i in range(1, 9)]
    play_chalk(bracket)
    assert bracket.is_complete()
    rows = {r.participant_id: r for r in bracket.standings()}
    assert Counter(r.status for r in rows.values()) == {"advanced": 8, "eliminated": 8}
    assert Counter((r.wins, r.losses) for r in rows.values()) == {
        (3, 0): 2,
        (3, 1): 3,
        (3, 2): 3,
        (2, 3): 3,
        (1, 3): 3,
        (0, 3): 2,
    }
    deciders = [m for m in bracket.matches.values() if m.round >= 3]
    assert all(m.best_of == 3 for m in deciders if m.round >= 4)
    assert place_of(bracket)[3] == 3 and place_of(bracket)[5] == 3


def test_lookahead_floats_rather_than_forcing_a_rematch_below():
    # Top group of four, bottom pair already met: the top group must send two down.
    names = "ABCDEF"
    met = {"E": {"F"}, "F": {"E"}}
    ranked = [SwissPlayer(n, 2 if n in "ABCD" else 0, set(met.get(n, ()))) for n in names]
    pairing = pair_round(ranked, "slide", random.Random(0))
    assert pairing.rematches == 0
    pairs = {frozenset(p) for p in pairing.pairs}
    assert frozenset("EF") not in pairs
    assert frozenset("AB") in pairs  # the two best stay up, the two lowest float
    assert sorted(pairing.floaters) == ["C", "D"]


def test_floater_meets_the_adjacent_group_not_the_last():
    ranked = [
        SwissPlayer("A", 3),
        SwissPlayer("B", 2),
        SwissPlayer("C", 2),
        SwissPlayer("D", 2),
        SwissPlayer("E", 0),
        SwissPlayer("F", 0),
    ]
    pairing = pair_round(ranked, "slide", random.Random(0))
    partner = {a: b for p in pairing.pairs for a, b in (p, p[::-1])}
    assert partner["A"] in "BCD"


def test_players_who_floated_before_are_not_floated_again():
    ranked = [
        SwissPlayer("A", 2),
        SwissPlayer("B", 2),
        SwissPlayer("C", 2, floats=1),
        SwissPlayer("D", 1),
        SwissPlayer("E", 1),
        SwissPlayer("F", 1),
    ]
    pairing = pair_round(ranked, "slide", random.Random(0))
    assert pairing.floaters[0] == "B"


def test_dropped_players_are_not_paired_but_still_count():
    bracket = create_bracket("swiss", people(8), {"rounds": 3})
    play_chalk_round(bracket)
    bracket.withdraw(8)
    # Round 2 was paired when round 1 ended, so that match is a walkover; after it, 8 is
    # never paired again.
    walkover = next(m for m in bracket.matches.values() if m.round == 2 and 8 in m.participants)
    assert walkover.automatic and walkover.winner != 8
    play_chalk(bracket)
    assert all(8 not in m.participants for m in bracket.matches.values() if m.round > 2)
    opponent_of_8 = 4
    row = next(r for r in bracket.standings() if r.participant_id == opponent_of_8)
    assert row.tiebreaks["buchholz"] >= 0 and row.played == 3


def play_chalk_round(bracket):
    seeds = {p.id: p.seed for p in bracket.participants}
    for match in bracket.playable_matches():
        a, b = match.participants
        bracket.report(match.id, *((1, 0) if seeds[a] < seeds[b] else (0, 1)))


def test_tiebreakers_are_reported_in_order():
    bracket = create_bracket(
        "swiss",
        people(8),
        {
            "tiebreakers": "buchholz,median_buchholz,sonneborn_berger,opponent_match_win,"
            "game_win,opponent_game_win"
        },
    )
    play_random(bracket, random.Random(3))
    row = bracket.standings()[0]
    assert list(row.tiebreaks) == [
        "buchholz",
        "median_buchholz",
        "sonneborn_berger",
        "opponent_match_win",
        "game_win",
        "opponent_game_win",
    ]
    assert all(v >= 1 / 3 - 1e-9 for v in (row.tiebreaks["opponent_match_win"],))


def test_a_finished_round_cannot_be_undone_once_the_next_has_results():
    bracket = create_bracket("swiss", people(4))
    play_chalk_round(bracket)
    play_chalk_round(bracket)
    with pytest.raises(CannotUndo, match="S2-"):
        bracket.undo_result("S1-1")
    bracket.undo_result("S2-1")
    bracket.undo_result("S2-2")
    bracket.undo_result("S1-1")
    assert bracket.root.round == 1
    assert [m.id for m in bracket.playable_matches()] == ["S1-1"]


def test_1024_players_ten_rounds_without_rematches():
    bracket = create_bracket("swiss", people(1024), {"rounds": 10}, seed=5)
    play_random(bracket, random.Random(5))
    assert bracket.is_complete() and bracket.root.rematches == 0
    seen = Counter(frozenset(m.participants) for m in bracket.matches.values())
    assert max(seen.values()) == 1


def test_wins_losses_swiss_with_an_odd_field_finishes():
    from engine.formats.model import Participant

    field = [Participant(f"team-{i}", f"Team {i}", i) for i in range(1, 14)]
    bracket = create_bracket("swiss", field, {"win_target": 3, "loss_limit": 3})
    play_random(bracket, random.Random(9))
    assert bracket.is_complete()
    statuses = Counter(r.status for r in bracket.standings())
    assert set(statuses) == {"advanced", "eliminated"}
    assert all(r.wins == 3 or r.losses == 3 for r in bracket.standings())


def test_random_pattern_is_reproducible_from_the_seed():
    def pairings(seed):
        bracket = create_bracket("swiss", people(12), {"pairing": "random"}, seed=seed)
        play_chalk(bracket)
        return [m.participants for m in bracket.matches.values()]

    assert pairings(4) == pairings(4)
    assert pairings(4) != pairings(5)
