import pytest

from engine.formats import create_bracket
from engine.formats.errors import InvalidParticipants
from engine.formats.model import MatchStatus, Outcome
from tests.engine.formats.helpers import people, place_of, play_chalk


def first_round(bracket):
    return [bracket.matches[f"W1-{p}"].participants for p in range(1, bracket.root.size // 2 + 1)]


def test_eight_players_use_the_standard_pairings():
    bracket = create_bracket("single_elim", people(8))
    assert first_round(bracket) == [(1, 8), (4, 5), (2, 7), (3, 6)]


def test_sixteen_players_use_the_standard_pairings():
    bracket = create_bracket("single_elim", people(16))
    assert first_round(bracket) == [
        (1, 16),
        (8, 9),
        (4, 13),
        (5, 12),
        (2, 15),
        (7, 10),
        (3, 14),
        (6, 11),
    ]


def test_six_players_give_the_two_top_seeds_a_bye():
    bracket = create_bracket("single_elim", people(6))
    byes = [m for m in bracket.matches.values() if m.is_bye]
    assert sorted(m.winner for m in byes) == [1, 2]
    assert all(m.outcome is Outcome.WALKOVER and m.round == 1 for m in byes)
    assert bracket.matches["W2-1"].slots[0].participant == 1
    assert {m.id for m in bracket.playable_matches()} == {"W1-2", "W1-4"}


def test_round_titles():
    bracket = create_bracket("single_elim", people(16))
    titles = {m.round: m.round_title for m in bracket.matches.values()}
    assert titles == {1: "Round 1", 2: "Quarterfinals", 3: "Semifinals", 4: "Final"}


def test_chalk_places_are_shared_by_round_of_elimination():
    bracket = create_bracket("single_elim", people(8))
    assert play_chalk(bracket) == 7
    assert bracket.is_complete()
    assert place_of(bracket) == {1: 1, 2: 2, 3: 3, 4: 3, 5: 5, 6: 5, 7: 5, 8: 5}


def test_third_place_match_splits_the_semifinal_losers():
    bracket = create_bracket("single_elim", people(8), {"third_place": True})
    play_chalk(bracket)
    third = bracket.matches["3P"]
    assert third.participants == (4, 3) and third.winner == 3
    assert place_of(bracket) == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 5, 7: 5, 8: 5}


def test_two_players_play_one_final():
    bracket = create_bracket("single_elim", people(2), {"third_place": True})
    assert list(bracket.matches) == ["W1-1"]
    assert bracket.matches["W1-1"].round_title == "Final"
    play_chalk(bracket)
    assert place_of(bracket) == {1: 1, 2: 2}


def test_one_player_is_not_a_bracket():
    with pytest.raises(InvalidParticipants, match="at least 2 participants"):
        create_bracket("single_elim", people(1))


def test_finals_best_of_and_round_best_of():
    bracket = create_bracket(
        "single_elim", people(8), {"best_of": 1, "round_best_of": {"W2": 3}, "finals_best_of": 5}
    )
    assert [bracket.matches[m].best_of for m in ("W1-1", "W2-1", "W3-1")] == [1, 3, 5]


def test_string_ids_work():
    from engine.formats.model import Participant

    field = [Participant(f"team-{i}", f"Team {i}", i) for i in range(1, 6)]
    bracket = create_bracket("single_elim", field)
    play_chalk(bracket)
    assert bracket.placements()[0].participant_id == "team-1"
    assert all(m.status is MatchStatus.COMPLETED for m in bracket.matches.values())


def test_a_withdrawn_player_loses_the_next_match_by_walkover():
    bracket = create_bracket("single_elim", people(4))
    bracket.report("W1-1", 1, 0)
    bracket.withdraw(1)
    final = bracket.matches["W2-1"]
    assert final.status is MatchStatus.PENDING
    bracket.report("W1-2", 0, 1)
    assert final.automatic and final.winner == 3 and final.outcome is Outcome.WALKOVER
    assert bracket.is_complete()
    with pytest.raises(Exception, match="no reported result"):
        bracket.undo_result("W2-1")
