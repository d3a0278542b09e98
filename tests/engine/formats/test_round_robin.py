from collections import Counter
from itertools import combinations

import pytest

from engine.formats import create_bracket
from engine.formats.errors import InvalidResult
from engine.formats.kinds.round_robin import circle_rounds
from engine.formats.model import Result
from tests.engine.formats.helpers import people, place_of, play_chalk


@pytest.mark.parametrize("n", [2, 3, 4, 5, 8, 9])
def test_circle_method_pairs_everyone_once(n):
    rounds = circle_rounds(list(range(n)))
    assert len(rounds) == (n - 1 if n % 2 == 0 else n)
    pairs = Counter(frozenset(p) for r in rounds for p in r)
    assert set(pairs) == {frozenset(c) for c in combinations(range(n), 2)}
    assert set(pairs.values()) == {1}
    for r in rounds:
        seen = [pid for pair in r for pid in pair]
        assert len(seen) == len(set(seen))
        assert len(seen) == n - n % 2  # exactly one rests when n is odd


def test_double_round_robin_swaps_home_and_away():
    bracket = create_bracket("round_robin", people(4), {"cycles": 2})
    matches = list(bracket.matches.values())
    assert len(matches) == 12
    first = {m.participants for m in matches if m.round <= 3}
    second = {m.participants for m in matches if m.round > 3}
    assert {(b, a) for a, b in first} == second


def test_groups_are_snake_seeded_and_named():
    bracket = create_bracket("round_robin", people(8), {"groups": 2})
    groups = {}
    for match in bracket.matches.values():
        groups.setdefault(match.group, set()).update(match.participants)
    assert groups == {"A": {1, 4, 5, 8}, "B": {2, 3, 6, 7}}
    assert bracket.matches["G2-R1-1"].round_title == "Group B · Round 1"


def test_draws_only_when_allowed_and_points_are_configurable():
    strict = create_bracket("round_robin", people(3))
    with pytest.raises(InvalidResult, match="cannot end in a draw"):
        strict.report(strict.playable_matches()[0].id, 0, 0)

    loose = create_bracket(
        "round_robin", people(2), {"allow_draws": True, "points_win": 2, "points_draw": 1}
    )
    loose.report("R1-1", 0, 0)
    rows = loose.standings()
    assert [(r.draws, r.points) for r in rows] == [(1, 1), (1, 1)]


def test_head_to_head_breaks_a_points_tie_before_score_difference():
    # 1 beats 2, 2 beats 3, 3 beats 1: all on 6 points and 1 head-to-head win each, so
    # score difference decides (3: +14, 2: +5, 1: -4); 4 loses everything.
    bracket = create_bracket(
        "round_robin",
        people(4),
        {"result_type": "points", "tiebreakers": "head_to_head,score_difference"},
    )
    wanted = {
        frozenset((1, 2)): (1, 10, 9),
        frozenset((2, 3)): (2, 10, 9),
        frozenset((1, 3)): (3, 10, 0),
    }
    for match in bracket.playable_matches():
        a, b = match.participants
        if 4 in (a, b):
            bracket.report(match.id, *((0, 5) if a == 4 else (5, 0)))
            continue
        winner, high, low = wanted[frozenset((a, b))]
        bracket.report(match.id, *((high, low) if a == winner else (low, high)))
    rows = bracket.standings()
    assert [r.participant_id for r in rows] == [3, 2, 1, 4]
    assert rows[0].tiebreaks == {"head_to_head": 1.0, "score_difference": 14}


def test_chalk_table_and_placements():
    bracket = create_bracket("round_robin", people(5))
    assert play_chalk(bracket) == 10
    assert place_of(bracket) == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}
    assert [r.points for r in bracket.standings()] == [12, 9, 6, 3, 0]


def test_withdrawal_hands_the_remaining_matches_over():
    bracket = create_bracket("round_robin", people(4))
    bracket.withdraw(4)
    finished = [m for m in bracket.matches.values() if 4 in m.participants]
    assert all(m.automatic and m.winner != 4 for m in finished)
    play_chalk(bracket)
    row = next(r for r in bracket.standings() if r.participant_id == 4)
    assert row.losses == 3 and row.status == "withdrawn"


def test_forfeit_counts_as_a_loss():
    bracket = create_bracket("round_robin", people(2))
    bracket.apply_result(Result("R1-1", forfeit=0))
    assert bracket.matches["R1-1"].winner == 2


def test_too_many_groups_are_refused():
    from engine.formats.errors import InvalidOptions

    with pytest.raises(InvalidOptions, match="cannot fill 3 groups"):
        create_bracket("round_robin", people(5), {"groups": 3})
