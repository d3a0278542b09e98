"""Pairing one Swiss round: no rematches, score groups first, smallest floats.

Score groups are paired top-down. In each group the engine first decides who floats down
(as few as possible, the lowest-ranked who has not floated before), checks that the
floaters plus everyone below can still be paired without a rematch, and only then pairs
the rest of the group in the preferred pattern. That look-ahead is what greedy pairing
lacks. It is cheap: a field of m players where nobody has met more than d of the others
can always be paired when m >= 2d + 2 (Dirac's theorem on the "has not met" graph), so
an exact search is only needed for the few small remainders at the bottom of the table.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from engine.formats.kinds.matching import has_perfect_matching
from engine.formats.model import ParticipantId

SEARCH_BUDGET = 20_000  # DFS steps per group attempt; beyond it, try other floaters
FLOATER_SETS = 16  # candidate floater sets tried per group for each floater count


@dataclass(slots=True)
class SwissPlayer:
    id: ParticipantId
    score: float
    opponents: set[ParticipantId] = field(default_factory=set)
    had_bye: bool = False
    floats: int = 0


@dataclass(slots=True)
class Pairing:
    pairs: list[tuple[ParticipantId, ParticipantId]]
    bye: ParticipantId | None
    floaters: list[ParticipantId]
    rematches: int = 0


def pair_round(ranked: Sequence[SwissPlayer], pattern: str, rng: random.Random) -> Pairing:
    """Pair ``ranked`` (best first, grouped by descending score). If no rematch-free
    pairing exists at all, history is ignored for this round (documented behaviour)."""
    pairing = _Pairer(ranked, pattern, rng).run()
    if pairing is not None:
        return pairing
    blank = [SwissPlayer(p.id, p.score, set(), p.had_bye, p.floats) for p in ranked]
    fallback = _Pairer(blank, pattern, rng).run()
    assert fallback is not None
    by_id = {p.id: p for p in ranked}
    fallback.rematches = sum(1 for a, b in fallback.pairs if b in by_id[a].opponents)
    return fallback


class _Pairer:
    def __init__(self, ranked: Sequence[SwissPlayer], pattern: str, rng: random.Random):
        self.ranked = list(ranked)
        self.pattern = pattern
        self.rng = rng
        self.by_id = {p.id: p for p in ranked}
        self.memo: dict[frozenset[ParticipantId], bool] = {}

    def run(self) -> Pairing | None:
        bye = None
        field_ = self.ranked
        if len(field_) % 2:
            bye = self._choose_bye()
            if bye is None:
                return None
            field_ = [p for p in field_ if p is not bye]
        elif not self._feasible(field_):
            return None
        groups = _score_groups(field_)
        pairs: list[tuple[ParticipantId, ParticipantId]] = []
        floaters_all: list[ParticipantId] = []
        carry: list[SwissPlayer] = []
        for gi, group in enumerate(groups):
            below = [p for g in groups[gi + 1 :] for p in g]
            found = self._pair_group(carry + group, below, len(carry))
            if found is None:
                return None
            group_pairs, carry = found
            pairs.extend(group_pairs)
            floaters_all.extend(p.id for p in carry)
        return Pairing(pairs, bye.id if bye else None, floaters_all)

    # ------------------------------------------------------------------ bye
    def _choose_bye(self) -> SwissPlayer | None:
        """Lowest-ranked player of the lowest score group without a bye, provided the
        others can still be paired; a second bye only when nothing else works."""
        candidates = sorted(reversed(self.ranked), key=lambda p: p.had_bye)
        for player in candidates:
            rest = [p for p in self.ranked if p is not player]
            if self._feasible(rest):
                return player
        return None

    # --------------------------------------------------------------- groups
    def _pair_group(
        self, members: list[SwissPlayer], below: list[SwissPlayer], carried: int
    ) -> tuple[list[tuple[ParticipantId, ParticipantId]], list[SwissPlayer]] | None:
        # The last group cannot pass anyone down; above it, float as few as possible.
        counts = range(len(members) % 2, len(members) + 1, 2) if below else (0,)
        for count in counts:
            for floaters in self._floater_sets(members, count, carried):
                if not self._feasible(floaters + below):
                    continue
                chosen = set(map(id, floaters))
                rest = [p for p in members if id(p) not in chosen]
                if not self._feasible(rest):
                    continue
                pairs = self._pair_within(rest)
                if pairs is not None:
                    return pairs, floaters
        return None

    def _floater_sets(
        self, members: list[SwissPlayer], count: int, carried: int
    ) -> Iterator[list[SwissPlayer]]:
        if count == 0:
            yield []
            return
        # Residents before players carried down from above (they would float twice),
        # fresh floaters before repeat floaters, lowest-ranked first.
        residents = members[carried:][::-1]
        preference = (
            [p for p in residents if not p.floats]
            + [p for p in residents if p.floats]
            + members[:carried][::-1]
        )
        combos = itertools.combinations(range(len(preference)), count)
        for indexes in itertools.islice(combos, FLOATER_SETS):
            floaters = [preference[i] for i in indexes]
            yield sorted(floaters, key=members.index)

    def _pair_within(
        self, players: list[SwissPlayer]
    ) -> list[tuple[ParticipantId, ParticipantId]] | None:
        """Depth-first: the best unpaired player takes the most preferred partner that
        lets the rest pair too. Iterative, with a step budget for pathological groups."""
        pairs: list[tuple[ParticipantId, ParticipantId]] = []
        stack: list[tuple[list[SwissPlayer], Iterator[int]]] = []
        unpaired = players
        candidates = self._partner_order(len(unpaired))
        budget = SEARCH_BUDGET
        while unpaired:
            top = unpaired[0]
            for index in candidates:
                budget -= 1
                if budget < 0:
                    return None
                partner = unpaired[index]
                if partner.id in top.opponents:
                    continue
                stack.append((unpaired, candidates))
                pairs.append((top.id, partner.id))
                unpaired = unpaired[1:index] + unpaired[index + 1 :]
                candidates = self._partner_order(len(unpaired))
                break
            else:
                if not stack:
                    return None
                unpaired, candidates = stack.pop()
                pairs.pop()
        return pairs

    def _partner_order(self, size: int) -> Iterator[int]:
        if self.pattern == "fold":
            yield from range(size - 1, 0, -1)
        elif self.pattern == "random":
            order = list(range(1, size))
            self.rng.shuffle(order)
            yield from order
        else:
            # Slide: top half against bottom half (1 v 5, 2 v 6 in a group of eight);
            # on conflict, prefer lower partners before higher ones.
            ideal = size // 2
            yield from range(ideal, size)
            yield from range(ideal - 1, 0, -1)

    # ---------------------------------------------------------- feasibility
    def _feasible(self, players: list[SwissPlayer]) -> bool:
        """Can ``players`` be paired with no rematch?"""
        if len(players) % 2:
            return False
        if not players:
            return True
        degree = max(len(p.opponents) for p in players)
        if len(players) >= 2 * degree + 2:
            return True
        return self._exact(frozenset(p.id for p in players))

    def _exact(self, remaining: frozenset[ParticipantId]) -> bool:
        known = self.memo.get(remaining)
        if known is None:
            players = list(remaining)
            index = {pid: i for i, pid in enumerate(players)}
            adjacency = [
                [index[q] for q in players if q != pid and q not in self.by_id[pid].opponents]
                for pid in players
            ]
            known = self.memo[remaining] = has_perfect_matching(adjacency)
        return known


def _score_groups(players: Sequence[SwissPlayer]) -> list[list[SwissPlayer]]:
    groups: list[list[SwissPlayer]] = []
    for player in players:
        if groups and groups[-1][0].score == player.score:
            groups[-1].append(player)
        else:
            groups.append([player])
    return groups
