"""How a correct pick scores (pure; the rule /predict's help and the README repeat).

- A correct pick of a played match's winner: ``CORRECT_POINTS`` (10).
- An upset, when the winner had the higher seed number (the lower seed): plus
  ``UPSET_POINTS_PER_SEED`` (2) per seed between them, at most ``UPSET_BONUS_CAP`` (20).
  Seed 8 beating seed 1 is worth 10 + 14 = 24; seed 16 beating seed 1, 10 + 20 = 30.
- A wrong pick scores nothing, and nothing is taken away.
- Draws, byes, walkovers, forfeits and disqualifications score nothing for anyone and do
  not count as picks: nobody could have predicted them from the game.

Points are computed when they are read, from the stored picks and each match's current
result, so a result an organizer corrects rescores every pick of it at once.
"""

from __future__ import annotations

CORRECT_POINTS = 10
UPSET_POINTS_PER_SEED = 2
UPSET_BONUS_CAP = 20
SCORED_OUTCOMES = frozenset({"played"})


def upset_bonus(winner_seed: int | None, loser_seed: int | None) -> int:
    """The extra points of a correct pick when the lower seed (higher number) won."""
    if winner_seed is None or loser_seed is None or winner_seed <= loser_seed:
        return 0
    return min(UPSET_POINTS_PER_SEED * (winner_seed - loser_seed), UPSET_BONUS_CAP)


def pick_points(
    picked: int, winner: int | None, winner_seed: int | None, loser_seed: int | None
) -> int:
    """Points of picking registration ``picked`` when ``winner`` won (0 when wrong)."""
    if winner is None or picked != winner:
        return 0
    return CORRECT_POINTS + upset_bonus(winner_seed, loser_seed)


def counts(outcome: str | None, winner: int | None) -> bool:
    """Whether a finished match's picks are scored at all."""
    return winner is not None and (outcome or "played") in SCORED_OUTCOMES
