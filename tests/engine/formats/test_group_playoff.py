import pytest

from engine.formats import create_bracket
from engine.formats.errors import CannotUndo, InvalidOptions
from engine.formats.kinds.group_playoff import separate_group_mates
from tests.engine.formats.helpers import people, place_of, play_chalk


def test_two_groups_cross_in_the_first_playoff_round():
    bracket = create_bracket("group_playoff", people(8), {"groups": 2})
    assert "P-W1-1" not in bracket.matches
    play_chalk(bracket)
    # Groups: A = 1, 4, 5, 8 and B = 2, 3, 6, 7; A1 v B2 and B1 v A2.
    assert bracket.matches["P-W1-1"].participants == (1, 3)
    assert bracket.matches["P-W1-2"].participants == (2, 4)
    assert bracket.is_complete()
    assert place_of(bracket) == {1: 1, 2: 2, 3: 3, 4: 3, 5: 5, 6: 5, 7: 7, 8: 7}


def test_group_mates_are_separated_when_the_order_alone_would_not():
    seeds = ["A1", "B1", "C1", "A2", "B2", "C2"]
    group_of = {s: s[0] for s in seeds}
    result = separate_group_mates(seeds, group_of)
    assert result[:3] == ["A1", "B1", "C1"]
    # 8-slot bracket with byes for seeds 1 and 2: seed 3 meets 6, seed 4 meets 5.
    assert result[2][0] != result[5][0] and result[3][0] != result[4][0]


def test_swiss_groups_and_double_elimination_playoff():
    bracket = create_bracket(
        "group_playoff",
        people(16),
        {
            "groups": 2,
            "group_format": "swiss",
            "advance_per_group": 4,
            "playoff_format": "double_elim",
            "playoff_best_of": 3,
            "finals_best_of": 5,
        },
    )
    assert bracket.matches["G1-S1-1"].round_title == "Group A · Round 1"
    play_chalk(bracket)
    assert bracket.matches["P-W1-1"].best_of == 3
    assert bracket.matches["P-GF1"].best_of == 5
    assert bracket.is_complete() and len(place_of(bracket)) == 16


def test_group_results_are_locked_once_the_playoff_has_results():
    bracket = create_bracket("group_playoff", people(8), {"groups": 2})
    play_chalk(bracket)
    with pytest.raises(CannotUndo):
        bracket.undo_result("G1-R1-1")


def test_impossible_group_settings_are_explained():
    with pytest.raises(InvalidOptions, match="cannot advance from a group of 2"):
        create_bracket("group_playoff", people(8), {"groups": 4, "advance_per_group": 3})
    with pytest.raises(InvalidOptions, match="fewer than 2"):
        create_bracket("group_playoff", people(5), {"groups": 3})
