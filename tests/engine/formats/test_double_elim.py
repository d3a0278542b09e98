import pytest

from engine.formats import create_bracket
from engine.formats.errors import InvalidParticipants
from engine.formats.kinds.double_elim import drop_order
from engine.formats.model import Result
from tests.engine.formats.helpers import chalk_winner, people, place_of, play, play_chalk


def test_chalk_eight_ends_in_the_expected_places():
    bracket = create_bracket("double_elim", people(8))
    play_chalk(bracket)
    assert bracket.is_complete()
    assert place_of(bracket) == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 5, 7: 7, 8: 7}
    assert "GF2" not in bracket.matches


def test_losers_bracket_shape():
    bracket = create_bracket("double_elim", people(16))
    per_round = {}
    for match in bracket.matches.values():
        if match.side == "losers":
            per_round[match.round] = per_round.get(match.round, 0) + 1
    assert per_round == {1: 4, 2: 4, 3: 2, 4: 2, 5: 1, 6: 1}
    assert bracket.matches["L6-1"].round_title == "Losers Final"
    assert bracket.matches["L3-1"].round_title == "Losers Round 3"


def test_drop_in_order_rotates():
    assert drop_order("reverse", 4) == [3, 2, 1, 0]
    assert drop_order("half_shift", 4) == [2, 3, 0, 1]
    assert drop_order("reverse_half_shift", 4) == [1, 0, 3, 2]
    bracket = create_bracket("double_elim", people(16))
    sources = [bracket.matches[f"L2-{p}"].slots[1].source_match for p in range(1, 5)]
    assert sources == ["W2-4", "W2-3", "W2-2", "W2-1"]
    sources = [bracket.matches[f"L4-{p}"].slots[1].source_match for p in range(1, 3)]
    assert sources == ["W3-2", "W3-1"]


def finish_to_grand_final(bracket):
    pick = chalk_winner(bracket)
    while "GF1" not in {m.id for m in bracket.playable_matches()}:
        for match in bracket.playable_matches():
            need = match.best_of // 2 + 1
            bracket.apply_result(Result(match.id, (need, 0) if pick(match) == 0 else (0, need)))
    return bracket.matches["GF1"]


def test_reset_is_created_only_when_the_losers_champion_wins():
    bracket = create_bracket("double_elim", people(8), {"grand_final": "reset"})
    final = finish_to_grand_final(bracket)
    assert final.participants == (1, 2)
    bracket.report("GF1", 1, 0)
    assert "GF2" not in bracket.matches and bracket.is_complete()
    assert place_of(bracket)[1] == 1 and place_of(bracket)[2] == 2

    bracket.undo_result("GF1")
    bracket.report("GF1", 0, 1)
    assert not bracket.is_complete()
    reset = bracket.matches["GF2"]
    assert reset.participants == (1, 2) and reset.round_title == "Grand Final Reset"
    bracket.report("GF2", 0, 1)
    assert bracket.is_complete()
    assert place_of(bracket)[2] == 1 and place_of(bracket)[1] == 2


def test_grand_final_cannot_be_undone_after_the_reset_is_played():
    from engine.formats.errors import CannotUndo

    bracket = create_bracket("double_elim", people(4))
    finish_to_grand_final(bracket)
    bracket.report("GF1", 0, 1)
    bracket.report("GF2", 1, 0)
    with pytest.raises(CannotUndo, match="GF2"):
        bracket.undo_result("GF1")


def test_single_grand_final_and_no_grand_final():
    single = create_bracket("double_elim", people(8), {"grand_final": "single"})
    finish_to_grand_final(single)
    single.report("GF1", 0, 1)
    assert single.is_complete() and place_of(single)[2] == 1

    none = create_bracket("double_elim", people(8), {"grand_final": "none"})
    play_chalk(none)
    assert "GF1" not in none.matches
    assert place_of(none) == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 5, 7: 7, 8: 7}


def test_third_place_decider():
    bracket = create_bracket("double_elim", people(8), {"third_place": True})
    play_chalk(bracket)
    assert bracket.matches["3P"].participants == (3, 4)
    assert place_of(bracket) == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 5, 7: 7, 8: 7}


def test_byes_make_no_phantom_losers():
    bracket = create_bracket("double_elim", people(5))
    drop_ins = [m for m in bracket.matches.values() if m.side == "losers"]
    real = {pid for m in drop_ins for pid in m.participants if pid is not None}
    assert real <= {4, 5}
    # Without a reset, every participant but the champion loses twice, the runner-up once.
    assert play(bracket, chalk_winner(bracket)) == 2 * 5 - 2
    assert sorted(place_of(bracket).values()) == [1, 2, 3, 4, 5]


def test_three_is_the_minimum():
    with pytest.raises(InvalidParticipants, match="at least 3"):
        create_bracket("double_elim", people(2))
