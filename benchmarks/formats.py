"""Bracket engine speed: plan, then play every match "chalk" (the better seed wins).

Each row: create_ms (plan the bracket), play_ms (report every match to the end, including
the rounds and resets the engine generates), matches_played. Best of ``REPEATS`` runs.
Reference points (a widely used JavaScript bracket library): single 1024 ~200 ms,
double 1024 ~600 ms, round robin 256 in 16 groups ~35 ms.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from engine.formats import Bracket, Participant, Result, create_bracket
from engine.formats.kinds.swiss import Swiss

REPEATS = 3
CASES: list[tuple[str, str, int, dict[str, Any]]] = [
    ("single_elim_1024", "single_elim", 1024, {}),
    ("double_elim_1024_reset", "double_elim", 1024, {"grand_final": "reset"}),
    ("round_robin_256_in_16_groups", "round_robin", 256, {"groups": 16}),
    ("swiss_1024_10_rounds", "swiss", 1024, {"rounds": 10}),
]


def _field(n: int) -> list[Participant]:
    return [Participant(i, f"Player {i}", i) for i in range(1, n + 1)]


def _play_chalk(bracket: Bracket) -> int:
    seed = {p.id: p.seed for p in bracket.participants}
    played = 0
    while True:
        ready = bracket.playable_matches()
        if not ready:
            return played
        for match in ready:
            first, second = match.slots
            need = match.best_of // 2 + 1
            better_first = seed[first.participant] < seed[second.participant]  # type: ignore[index]
            scores = (need, 0) if better_first else (0, need)
            bracket.apply_result(Result(match.id, scores))
            played += 1


def _measure(fmt: str, n: int, options: dict[str, Any]) -> dict[str, Any]:
    field = _field(n)
    started = time.perf_counter()
    bracket = create_bracket(fmt, field, options, seed=1)
    created = time.perf_counter()
    played = _play_chalk(bracket)
    finished = time.perf_counter()
    assert bracket.is_complete()
    row: dict[str, Any] = {
        "create_ms": round((created - started) * 1000, 2),
        "play_ms": round((finished - created) * 1000, 2),
        "total_ms": round((finished - started) * 1000, 2),
        "matches_played": played,
        "matches_total": len(bracket.matches),
    }
    if isinstance(bracket.root, Swiss):
        seconds = bracket.root.round_seconds
        row["rounds"] = len(seconds)
        row["pairing_ms_max"] = round(max(seconds) * 1000, 2)
        row["pairing_ms_mean"] = round(sum(seconds) / len(seconds) * 1000, 2)
        row["rematches"] = bracket.root.rematches
    return row


def run() -> Iterator[dict[str, Any]]:
    for name, fmt, n, options in CASES:
        runs = [_measure(fmt, n, options) for _ in range(REPEATS)]
        best = min(runs, key=lambda r: r["total_ms"])
        yield {"case": name, "format": fmt, "participants": n, "repeats": REPEATS, **best}
