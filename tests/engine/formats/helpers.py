"""Builders and players shared by the bracket-engine tests."""

from __future__ import annotations

import random
from collections.abc import Callable

from engine.formats.bracket import Bracket
from engine.formats.model import Match, Participant, Result
from engine.formats.scoring import wins_needed


def people(n: int) -> list[Participant]:
    return [Participant(i, f"Player {i}", i, rating=1000.0 - i) for i in range(1, n + 1)]


def series_score(
    best_of: int, winner_slot: int, rng: random.Random | None = None
) -> tuple[int, int]:
    need = wins_needed(best_of)
    lost = rng.randrange(need) if rng else 0
    return (need, lost) if winner_slot == 0 else (lost, need)


def chalk_winner(bracket: Bracket) -> Callable[[Match], int]:
    seeds = {p.id: p.seed for p in bracket.participants}

    def pick(match: Match) -> int:
        a, b = match.participants
        return 0 if seeds[a] < seeds[b] else 1

    return pick


def play(
    bracket: Bracket,
    pick: Callable[[Match], int],
    rng: random.Random | None = None,
    limit: int = 1_000_000,
) -> int:
    """Report every playable match until none is left; returns the number reported."""
    played = 0
    while played < limit:
        ready = bracket.playable_matches()
        if not ready:
            break
        for match in ready:
            bracket.apply_result(Result(match.id, series_score(match.best_of, pick(match), rng)))
            played += 1
    return played


def play_chalk(bracket: Bracket) -> int:
    return play(bracket, chalk_winner(bracket))


def play_random(bracket: Bracket, rng: random.Random, draw_rate: float = 0.0) -> int:
    played = 0
    while True:
        ready = bracket.playable_matches()
        if not ready:
            return played
        for match in ready:
            if draw_rate and rng.random() < draw_rate:
                bracket.apply_result(Result(match.id, (0, 0)))
            else:
                winner = rng.randrange(2)
                bracket.apply_result(Result(match.id, series_score(match.best_of, winner, rng)))
            played += 1


def place_of(bracket: Bracket) -> dict[object, int]:
    return {p.participant_id: p.place for p in bracket.placements()}
