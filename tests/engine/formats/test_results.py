import json
import random

import pytest

from engine.formats import Bracket, create_bracket
from engine.formats.errors import (
    CannotUndo,
    InvalidOptions,
    InvalidResult,
    MatchNotPlayable,
    UnknownMatch,
)
from engine.formats.model import Outcome, Result
from tests.engine.formats.helpers import people, place_of, play_chalk, play_random


def test_best_of_five_accepts_three_one_and_rejects_two_two():
    bracket = create_bracket("single_elim", people(2), {"best_of": 5})
    with pytest.raises(InvalidResult, match="not a finished best-of-5"):
        bracket.report("W1-1", 2, 2)
    with pytest.raises(InvalidResult, match="not a finished best-of-5"):
        bracket.report("W1-1", 4, 1)
    bracket.report("W1-1", 3, 1)
    assert bracket.matches["W1-1"].winner == 1


def test_points_results_only_need_a_higher_score():
    bracket = create_bracket("single_elim", people(2), {"result_type": "points"})
    with pytest.raises(InvalidResult, match="cannot end in a draw"):
        bracket.report("W1-1", 13, 13)
    bracket.report("W1-1", 11, 13)
    assert bracket.matches["W1-1"].winner == 2


def test_scores_must_be_whole_and_not_negative():
    bracket = create_bracket("single_elim", people(2))
    with pytest.raises(InvalidResult, match="whole numbers"):
        bracket.report("W1-1", -1, 0)
    with pytest.raises(InvalidResult, match="needs a score"):
        bracket.apply_result(Result("W1-1"))


def test_draws_are_never_allowed_in_elimination():
    bracket = create_bracket("single_elim", people(2), {"allow_draws": True})
    with pytest.raises(InvalidResult, match="draw"):
        bracket.report("W1-1", 0, 0)


def test_matches_that_are_not_ready_or_unknown():
    bracket = create_bracket("single_elim", people(4))
    with pytest.raises(MatchNotPlayable, match="waiting for the earlier matches"):
        bracket.report("W2-1", 1, 0)
    with pytest.raises(UnknownMatch, match="no match W9-9"):
        bracket.report("W9-9", 1, 0)
    bracket.report("W1-1", 1, 0)
    with pytest.raises(MatchNotPlayable, match="already decided"):
        bracket.report("W1-1", 1, 0)


def test_disqualification_walks_over_the_rest_of_the_run():
    bracket = create_bracket("double_elim", people(4))
    bracket.apply_result(Result("W1-1", forfeit=1, disqualify=True))
    match = bracket.matches["W1-1"]
    assert match.outcome is Outcome.DISQUALIFICATION and match.winner == 1
    assert 4 in bracket.withdrawn
    play_chalk(bracket)
    assert bracket.matches["L1-1"].automatic
    assert place_of(bracket)[4] == 4


def test_undo_restores_the_previous_state():
    bracket = create_bracket("single_elim", people(4))
    before = json.dumps(bracket.to_dict())
    bracket.report("W1-1", 1, 0)
    assert bracket.undo_result("W1-1") == Result("W1-1", (1, 0))
    assert json.dumps(bracket.to_dict()) == before


def test_undo_is_refused_when_a_later_match_depends_on_it():
    bracket = create_bracket("single_elim", people(4))
    bracket.report("W1-1", 1, 0)
    bracket.report("W1-2", 1, 0)
    bracket.report("W2-1", 1, 0)
    with pytest.raises(CannotUndo, match="match W2-1 already depends on it"):
        bracket.undo_result("W1-1")
    with pytest.raises(CannotUndo, match="no reported result"):
        create_bracket("single_elim", people(3)).undo_result("W1-1")


@pytest.mark.parametrize(
    "fmt,options",
    [
        ("single_elim", {"third_place": True}),
        ("double_elim", {"grand_final": "reset"}),
        ("round_robin", {"groups": 2, "allow_draws": True}),
        ("swiss", {"rounds": 4}),
        ("swiss", {"win_target": 2, "loss_limit": 2}),
        ("group_playoff", {"groups": 2, "playoff_format": "double_elim"}),
    ],
)
def test_to_dict_from_dict_round_trip_at_every_step(fmt, options):
    bracket = create_bracket(fmt, people(11), options, seed=3)
    rng = random.Random(1)
    steps = 0
    while bracket.playable_matches() and steps < 200:
        match = rng.choice(bracket.playable_matches())
        bracket.apply_result(Result(match.id, (1, 0) if rng.random() < 0.5 else (0, 1)))
        steps += 1
        if steps % 7 == 0:
            data = json.loads(json.dumps(bracket.to_dict()))
            assert Bracket.from_dict(data).to_dict() == bracket.to_dict()
    assert bracket.is_complete()
    restored = Bracket.from_dict(json.loads(json.dumps(bracket.to_dict())))
    assert restored.placements() == bracket.placements()


def test_withdrawals_replay_too():
    bracket = create_bracket("swiss", people(6), {"rounds": 3})
    bracket.withdraw(2)
    play_random(bracket, random.Random(2))
    restored = Bracket.from_dict(bracket.to_dict())
    assert restored.to_dict() == bracket.to_dict()


def test_options_are_validated_with_readable_messages():
    with pytest.raises(InvalidOptions, match="Unknown bracket option 'bestof'"):
        create_bracket("single_elim", people(4), {"bestof": 3})
    with pytest.raises(InvalidOptions, match="grand_final cannot be 'twice'"):
        create_bracket("double_elim", people(4), {"grand_final": "twice"})
    with pytest.raises(InvalidOptions, match="best_of must be a whole number"):
        create_bracket("single_elim", people(4), {"best_of": 0})
    with pytest.raises(InvalidOptions, match="Unknown format"):
        create_bracket("ladder", people(4))
    with pytest.raises(InvalidOptions, match="both win_target and loss_limit"):
        create_bracket("swiss", people(4), {"win_target": 3})


def test_string_options_from_a_command_line_are_coerced():
    bracket = create_bracket(
        "single_elim", people(8), {"best_of": "3", "third_place": "yes", "round_best_of": "W3:5"}
    )
    assert bracket.matches["W1-1"].best_of == 3
    assert bracket.matches["W3-1"].best_of == 5
    assert "3P" in bracket.matches


def test_best_of_can_be_set_for_one_match():
    bracket = create_bracket(
        "round_robin", people(4), {"best_of": 1, "round_best_of": {"R2": 3, "R2-1": 5}}
    )
    assert [bracket.matches[m].best_of for m in ("R1-1", "R2-1", "R2-2")] == [1, 5, 3]
    elimination = create_bracket("single_elim", people(4), {"round_best_of": "W1-2:3"})
    assert [elimination.matches[m].best_of for m in ("W1-1", "W1-2")] == [1, 3]
