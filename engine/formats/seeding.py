"""Seeding: who is seed 1, 2, ...; plus the standard bracket order and snake groups.

Every helper returns a new list of participants with seeds renumbered 1..n in list order.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from engine.formats.errors import InvalidOptions, UnknownParticipant
from engine.formats.model import Participant, ParticipantId

SEEDING_METHODS = ("given", "random", "rating", "manual")
T = TypeVar("T")


def reseed(participants: Sequence[Participant]) -> list[Participant]:
    """Renumber seeds 1..n in the order given."""
    return [replace(p, seed=i) for i, p in enumerate(participants, start=1)]


def seed_in_given_order(participants: Sequence[Participant]) -> list[Participant]:
    """Keep the current seeds' order (by ``seed``), closing any gaps."""
    return reseed(sorted(participants, key=lambda p: p.seed))


def seed_randomly(participants: Sequence[Participant], seed: int | None) -> list[Participant]:
    ordered = seed_in_given_order(participants)
    random.Random(0 if seed is None else seed).shuffle(ordered)
    return reseed(ordered)


def seed_by_rating(participants: Sequence[Participant]) -> list[Participant]:
    """Highest rating first; unrated participants after the rated, in their current order."""
    ordered = seed_in_given_order(participants)
    rated = sorted(
        (p for p in ordered if p.rating is not None), key=lambda p: -float(p.rating or 0.0)
    )
    return reseed(rated + [p for p in ordered if p.rating is None])


def seed_manually(
    participants: Sequence[Participant], order: Sequence[ParticipantId]
) -> list[Participant]:
    """Seed exactly in ``order``, which must list every participant once."""
    by_id = {p.id: p for p in participants}
    for pid in order:
        if pid not in by_id:
            raise UnknownParticipant(pid)
    if len(set(order)) != len(order) or len(order) != len(by_id):
        raise InvalidOptions(
            "A manual seeding must list every participant exactly once; "
            f"it lists {len(set(order))} of {len(by_id)}."
        )
    return reseed([by_id[pid] for pid in order])


def swap_seeds(
    participants: Sequence[Participant], first: ParticipantId, second: ParticipantId
) -> list[Participant]:
    ordered = seed_in_given_order(participants)
    index = {p.id: i for i, p in enumerate(ordered)}
    for pid in (first, second):
        if pid not in index:
            raise UnknownParticipant(pid)
    i, j = index[first], index[second]
    ordered[i], ordered[j] = ordered[j], ordered[i]
    return reseed(ordered)


def apply_seeding(
    participants: Sequence[Participant],
    method: str = "given",
    seed: int | None = None,
    manual_order: Sequence[ParticipantId] | None = None,
) -> list[Participant]:
    if method == "given":
        return seed_in_given_order(participants)
    if method == "random":
        return seed_randomly(participants, seed)
    if method == "rating":
        return seed_by_rating(participants)
    if method == "manual":
        return seed_manually(participants, manual_order or ())
    raise InvalidOptions(
        f"Unknown seeding '{method}'; choose one of: {', '.join(SEEDING_METHODS)}."
    )


def bracket_order(size: int) -> list[int]:
    """Seeds in bracket-line order for a power-of-two ``size``: 8 -> 1,8,4,5,2,7,3,6.

    Each seed s in the half-size order is followed by its complement size+1-s, which keeps
    seeds 1 and 2 in opposite halves, 1-4 in different quarters, and so on.
    """
    order = [1]
    while len(order) < size:
        total = 2 * len(order) + 1
        order = [s for seed in order for s in (seed, total - seed)]
    return order


def next_power_of_two(n: int) -> int:
    size = 1
    while size < n:
        size *= 2
    return size


def snake_groups(items: Sequence[T], groups: int) -> list[list[T]]:
    """Deal 1 to A, 2 to B, ..., then back: the last group gets the next item first."""
    result: list[list[T]] = [[] for _ in range(groups)]
    for i, item in enumerate(items):
        lap, offset = divmod(i, groups)
        result[offset if lap % 2 == 0 else groups - 1 - offset].append(item)
    return result


def group_name(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name
