import pytest

from engine.formats.errors import InvalidOptions, UnknownParticipant
from engine.formats.model import Participant
from engine.formats.seeding import (
    apply_seeding,
    bracket_order,
    group_name,
    seed_by_rating,
    seed_manually,
    seed_randomly,
    snake_groups,
    swap_seeds,
)
from tests.engine.formats.helpers import people


def test_bracket_order_matches_the_standard_layouts():
    assert bracket_order(8) == [1, 8, 4, 5, 2, 7, 3, 6]
    assert bracket_order(16) == [1, 16, 8, 9, 4, 13, 5, 12, 2, 15, 7, 10, 3, 14, 6, 11]


def test_snake_groups_go_back_and_forth():
    assert snake_groups(list(range(1, 9)), 4) == [[1, 8], [2, 7], [3, 6], [4, 5]]
    assert snake_groups(list(range(1, 8)), 3) == [[1, 6, 7], [2, 5], [3, 4]]


def test_group_names_continue_after_z():
    assert [group_name(i) for i in (0, 1, 25, 26)] == ["A", "B", "Z", "AA"]


def test_random_seeding_depends_only_on_the_seed():
    field = people(20)
    first = [p.id for p in seed_randomly(field, 7)]
    assert first == [p.id for p in seed_randomly(field, 7)]
    assert first != [p.id for p in seed_randomly(field, 8)]
    assert sorted(first) == list(range(1, 21))


def test_rating_seeding_puts_unrated_last():
    field = [
        Participant("a", "A", 1, 1200),
        Participant("b", "B", 2, None),
        Participant("c", "C", 3, 1500),
    ]
    assert [(p.id, p.seed) for p in seed_by_rating(field)] == [("c", 1), ("a", 2), ("b", 3)]


def test_manual_order_and_swap():
    field = people(4)
    manual = seed_manually(field, [3, 1, 4, 2])
    assert [p.id for p in manual] == [3, 1, 4, 2]
    assert [p.seed for p in manual] == [1, 2, 3, 4]
    swapped = swap_seeds(manual, 3, 2)
    assert [p.id for p in swapped] == [2, 1, 4, 3]


def test_manual_order_must_be_complete():
    with pytest.raises(InvalidOptions, match="every participant exactly once"):
        seed_manually(people(3), [1, 2])
    with pytest.raises(UnknownParticipant):
        seed_manually(people(3), [1, 2, 9])


def test_apply_seeding_rejects_unknown_methods():
    assert [p.id for p in apply_seeding(people(3), "rating")] == [1, 2, 3]
    with pytest.raises(InvalidOptions, match="Unknown seeding"):
        apply_seeding(people(3), "alphabetical")
