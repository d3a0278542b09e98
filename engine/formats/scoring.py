"""Checks a reported result against the match's best-of and the format's rules."""

from __future__ import annotations

from typing import NamedTuple

from engine.formats.errors import InvalidResult
from engine.formats.model import Match, Outcome, Result


class Verdict(NamedTuple):
    winner_slot: int | None  # None for a draw
    scores: tuple[int, int] | None
    outcome: Outcome


def wins_needed(best_of: int) -> int:
    return best_of // 2 + 1


def judge(match: Match, result: Result, result_type: str, draws_allowed: bool) -> Verdict:
    scores = result.scores
    if result.forfeit is None and type(scores) is tuple and len(scores) == 2:
        # Fast path for the common case: a decisive, well-formed score.
        a, b = scores
        decisive = type(a) is int and type(b) is int and 0 <= b != a >= 0
        if decisive and (result_type == "points" or max(a, b) == match.best_of // 2 + 1):
            return Verdict(0 if a > b else 1, scores, Outcome.PLAYED)
    return _judge_checked(match, result, result_type, draws_allowed)


def _judge_checked(match: Match, result: Result, result_type: str, draws_allowed: bool) -> Verdict:
    if result.forfeit is not None:
        return _judge_forfeit(match, result)
    if result.scores is None:
        raise InvalidResult(
            f"Match {match.id} needs a score for each side, or a forfeit; nothing was given."
        )
    a, b = _check_numbers(match, result.scores)
    if a == b and (draws_allowed or result_type == "points"):
        return _judge_draw(match, a, draws_allowed, result_type)
    if result_type == "games":
        _check_games(match, a, b)
    return Verdict(0 if a > b else 1, (a, b), Outcome.PLAYED)


def _check_numbers(match: Match, scores: tuple[int, int]) -> tuple[int, int]:
    if len(scores) != 2:
        raise InvalidResult(f"A result for match {match.id} needs exactly two scores.")
    a, b = scores
    for value in (a, b):
        if type(value) is not int or value < 0:
            raise InvalidResult(
                f"Scores must be whole numbers of zero or more; {value!r} is not valid."
            )
    return a, b


def _check_games(match: Match, a: int, b: int) -> None:
    need = wins_needed(match.best_of)
    if a == b:
        raise InvalidResult(
            f"{a}–{b} is not a finished best-of-{match.best_of} and match {match.id} cannot "
            f"end in a draw: the winner needs exactly {need} game{'s' if need > 1 else ''}. "
            "Report the final series score."
        )
    if max(a, b) != need or min(a, b) >= need:
        raise InvalidResult(
            f"{a}–{b} is not a finished best-of-{match.best_of}: the winner needs exactly "
            f"{need} game{'s' if need > 1 else ''} and the loser fewer. "
            "Report the final series score."
        )


def _judge_draw(match: Match, games: int, draws_allowed: bool, result_type: str) -> Verdict:
    if not draws_allowed:
        raise InvalidResult(
            f"Match {match.id} cannot end in a draw; report the score with a winner."
        )
    if result_type == "games" and 2 * games > match.best_of:
        raise InvalidResult(
            f"{games}–{games} is more games than a best-of-{match.best_of} allows; check the score."
        )
    return Verdict(None, (games, games), Outcome.DRAW)


def _judge_forfeit(match: Match, result: Result) -> Verdict:
    if result.forfeit not in (0, 1):
        raise InvalidResult(
            "A forfeit must name the side that forfeits: 0 for the first slot, 1 for the second."
        )
    scores = None
    if result.scores is not None:
        scores = _check_numbers(match, result.scores)
    outcome = Outcome.DISQUALIFICATION if result.disqualify else Outcome.FORFEIT
    return Verdict(1 - result.forfeit, scores, outcome)
