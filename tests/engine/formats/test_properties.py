"""Properties every bracket must keep, over random fields (2 to 300) and random results."""

import random
from collections import Counter, defaultdict

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.formats import Bracket, create_bracket
from engine.formats.kinds.matching import has_perfect_matching
from engine.formats.model import MatchStatus, Outcome
from tests.engine.formats.helpers import people, play_random

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
fields = st.integers(min_value=2, max_value=300)
seeds = st.integers(min_value=0, max_value=2**32)


def assert_placements_are_complete(bracket: Bracket, n: int) -> None:
    places = sorted(p.place for p in bracket.placements())
    assert len(places) == n
    assert places.count(1) == 1, "exactly one champion"
    # Shared places follow competition ranking: after k players on place p comes p + k.
    counts = Counter(places)
    expected = 1
    for place in sorted(counts):
        assert place == expected
        expected += counts[place]


def assert_slots_are_sound(bracket: Bracket, n: int) -> None:
    seen = set()
    for match in bracket.matches.values():
        assert match.status is MatchStatus.COMPLETED
        a, b = match.participants
        seen.update(p for p in (a, b) if p is not None)
        if match.is_bye:
            assert match.automatic
            if match.side == "winners":
                assert match.round == 1
                assert not (match.slots[0].bye and match.slots[1].bye)
            elif match.side == "losers":
                assert match.round <= 2, "byes only come from the first winners round"
            elif match.side == "third_place":
                feeders = [bracket.matches[s.source_match] for s in match.slots]
                assert any(f.is_bye for f in feeders), "only a tiny field has no third"
            else:
                assert match.side == "swiss"
        else:
            assert a is not None and b is not None and a != b
    assert seen == {p.id for p in bracket.participants}


@FAST
@given(n=fields, seed=seeds, third_place=st.booleans())
@example(n=300, seed=1, third_place=True)
@example(n=257, seed=2, third_place=False)
def test_single_elimination(n, seed, third_place):
    bracket = create_bracket("single_elim", people(n), {"third_place": third_place})
    byes = [m for m in bracket.matches.values() if m.is_bye and m.side == "winners"]
    top_seeds = sorted(m.winner for m in byes)
    assert top_seeds == list(range(1, len(byes) + 1)), "byes go to the top seeds"
    play_random(bracket, random.Random(seed))
    assert bracket.is_complete()
    assert_slots_are_sound(bracket, n)
    assert_placements_are_complete(bracket, n)


@FAST
@given(
    n=st.integers(min_value=3, max_value=300),
    seed=seeds,
    mode=st.sampled_from(["none", "single", "reset"]),
    third_place=st.booleans(),
    best_of=st.sampled_from([1, 3]),
)
@example(n=300, seed=1, mode="reset", third_place=True, best_of=3)
@example(n=129, seed=2, mode="none", third_place=False, best_of=1)
def test_double_elimination(n, seed, mode, third_place, best_of):
    bracket = create_bracket(
        "double_elim",
        people(n),
        {"grand_final": mode, "third_place": third_place, "best_of": best_of},
    )
    play_random(bracket, random.Random(seed))
    assert bracket.is_complete()
    assert_slots_are_sound(bracket, n)
    assert_placements_are_complete(bracket, n)
    if mode == "reset":
        first = bracket.matches["GF1"]
        reset_needed = first.winner == first.slots[1].participant
        assert ("GF2" in bracket.matches) == reset_needed
    losses = Counter(
        m.loser for m in bracket.matches.values() if m.loser is not None and m.side != "third_place"
    )
    champion = bracket.placements()[0].participant_id
    assert losses[champion] <= 1
    assert all(count <= 2 for count in losses.values())


@FAST
@given(n=fields, seed=seeds, cycles=st.sampled_from([1, 2]), draws=st.booleans())
@example(n=300, seed=1, cycles=2, draws=True)
def test_round_robin(n, seed, cycles, draws):
    groups = max(1, n // 20)
    bracket = create_bracket(
        "round_robin", people(n), {"groups": groups, "cycles": cycles, "allow_draws": draws}
    )
    members = defaultdict(set)
    per_round = defaultdict(list)
    meetings = Counter()
    for match in bracket.matches.values():
        members[match.group].update(match.participants)
        per_round[(match.group, match.round)].extend(match.participants)
        meetings[frozenset(match.participants)] += 1
    for people_in_round in per_round.values():
        assert len(people_in_round) == len(set(people_in_round))
    for group in members.values():
        for a in group:
            for b in group:
                if a < b:
                    assert meetings[frozenset((a, b))] == cycles
    assert sum(len(g) for g in members.values()) == n
    play_random(bracket, random.Random(seed), draw_rate=0.2 if draws else 0.0)
    assert bracket.is_complete()
    assert_slots_are_sound(bracket, n)
    assert len(bracket.placements()) == n


def points_before(bracket: Bracket, round_no: int) -> dict:
    """Points of each participant from the rounds before ``round_no`` (win 3, draw 1)."""
    points = {p.id: 0 for p in bracket.participants}
    for match in bracket.matches.values():
        if match.round >= round_no:
            continue
        if match.outcome is Outcome.DRAW:
            for pid in match.participants:
                points[pid] += 1
        else:
            points[match.winner] += 3
    return points


def assert_swiss_round_is_sound(bracket: Bracket, round_no: int) -> None:
    before = points_before(bracket, round_no)
    matches = [m for m in bracket.matches.values() if m.round == round_no]
    byes = [m for m in matches if m.is_bye]
    active = [p for m in matches for p in m.participants if p is not None]
    assert len(active) == len(set(active)), "everyone is paired once"
    assert len(byes) == len(active) % 2
    if byes:
        taker = byes[0].slots[0].participant
        lowest = min(before[p] for p in active)
        earlier = {
            m.slots[0].participant
            for m in bracket.matches.values()
            if m.is_bye and m.round < round_no
        }
        if before[taker] != lowest:
            assert all(p in earlier for p in active if before[p] == lowest)
    paired = [m.participants for m in matches if not m.is_bye]
    scores = {before[p] for pair in paired for p in pair}
    top, bottom = max(scores), min(scores)
    if len(scores) >= 3 and any({before[a], before[b]} == {top, bottom} for a, b in paired):
        assert not pairable_without_extremes(bracket, round_no, paired, before, top, bottom), (
            "the leader met the last although another pairing was possible"
        )


def pairable_without_extremes(bracket, round_no, paired, before, top, bottom) -> bool:
    met = defaultdict(set)
    for match in bracket.matches.values():
        if match.round < round_no and not match.is_bye:
            a, b = match.participants
            met[a].add(b)
            met[b].add(a)
    players = [p for pair in paired for p in pair]
    adjacency = [
        [
            j
            for j, q in enumerate(players)
            if q != p and q not in met[p] and {before[p], before[q]} != {top, bottom}
        ]
        for p in players
    ]
    return has_perfect_matching(adjacency)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=fields, seed=seeds, pairing=st.sampled_from(["slide", "fold", "random"]), draws=st.booleans()
)
@example(n=300, seed=1, pairing="slide", draws=True)
@example(n=299, seed=2, pairing="fold", draws=False)
def test_swiss(n, seed, pairing, draws):
    bracket = create_bracket(
        "swiss", people(n), {"pairing": pairing, "allow_draws": draws}, seed=seed
    )
    rng = random.Random(seed)
    for round_no in range(1, bracket.root.total_rounds + 1):
        assert bracket.root.round == round_no
        assert_swiss_round_is_sound(bracket, round_no)
        for match in bracket.playable_matches():
            if draws and rng.random() < 0.2:
                bracket.report(match.id, 0, 0)
            else:
                bracket.report(match.id, *((1, 0) if rng.random() < 0.5 else (0, 1)))
    assert bracket.is_complete()
    assert_slots_are_sound(bracket, n)
    pairs = Counter(frozenset(m.participants) for m in bracket.matches.values() if not m.is_bye)
    assert max(pairs.values()) == 1, "no rematch (always avoidable with default rounds)"
    bye_takers = Counter(m.slots[0].participant for m in bracket.matches.values() if m.is_bye)
    assert max(bye_takers.values(), default=0) <= 1, "no second bye"
    assert len(bracket.placements()) == n


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(min_value=4, max_value=300), seed=seeds, data=st.data())
def test_group_playoff(n, seed, data):
    groups = data.draw(st.integers(min_value=1, max_value=max(1, min(8, n // 4))))
    smallest = n // groups
    advance = data.draw(st.integers(min_value=1, max_value=min(4, smallest)))
    if advance * groups < 3:
        advance = min(smallest, 3)
    playoff = data.draw(st.sampled_from(["single_elim", "double_elim"]))
    group_format = data.draw(st.sampled_from(["round_robin", "swiss"]))
    if group_format == "round_robin" and smallest > 40:
        group_format = "swiss"
    bracket = create_bracket(
        "group_playoff",
        people(n),
        {
            "groups": groups,
            "advance_per_group": advance,
            "playoff_format": playoff,
            "group_format": group_format,
        },
    )
    play_random(bracket, random.Random(seed))
    assert bracket.is_complete()
    assert_slots_are_sound(bracket, n)
    assert_placements_are_complete(bracket, n)
    first_round = [m for m in bracket.matches.values() if m.id.startswith("P-W1-") and not m.is_bye]
    group_of = {r.participant_id: r.group for r in bracket.standings()}
    if groups > 1 and advance <= groups:
        assert all(
            group_of[m.participants[0]] != group_of[m.participants[1]] for m in first_round
        ), "group-mates do not meet in the first playoff round"


def rematch_was_avoidable(bracket: Bracket, round_no: int) -> bool:
    met = defaultdict(set)
    for match in bracket.matches.values():
        if match.round < round_no and not match.is_bye:
            a, b = match.participants
            met[a].add(b)
            met[b].add(a)
    players = [
        p
        for m in bracket.matches.values()
        if m.round == round_no
        for p in m.participants
        if p is not None
    ]
    candidates = (
        [players]
        if len(players) % 2 == 0
        else [players[:i] + players[i + 1 :] for i in range(len(players))]
    )
    for field in candidates:
        adjacency = [[j for j, q in enumerate(field) if q != p and q not in met[p]] for p in field]
        if has_perfect_matching(adjacency):
            return True
    return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=fields, seed=seeds, wins=st.integers(1, 4), losses=st.integers(1, 4))
@example(n=300, seed=1, wins=3, losses=3)
@example(n=16, seed=2, wins=3, losses=3)
def test_wins_losses_swiss(n, seed, wins, losses):
    bracket = create_bracket("swiss", people(n), {"win_target": wins, "loss_limit": losses})
    play_random(bracket, random.Random(seed))
    assert bracket.is_complete()
    assert_slots_are_sound(bracket, n)
    for row in bracket.standings():
        assert (row.wins >= wins) != (row.losses >= losses)
        assert row.status in ("advanced", "eliminated")
    seen = set()
    for round_no in range(1, bracket.root.round + 1):
        pairs = [
            frozenset(m.participants)
            for m in bracket.matches.values()
            if m.round == round_no and not m.is_bye
        ]
        if any(pair in seen for pair in pairs):
            assert not rematch_was_avoidable(bracket, round_no)
        seen.update(pairs)
    assert len(bracket.placements()) == n
