"""Fan predictions (pick'em): members pick match winners until a match locks, and the
best predictors of a tournament top a leaderboard (see ``service.py`` and ``scoring.py``)."""

from engine.predictions.events import PredictionRewardsPaid
from engine.predictions.pictures import PredictionPictures, predictions_picture
from engine.predictions.rewards import (
    PredictionPool,
    RewardsOutcome,
    pay_prediction_rewards,
    pool_key,
)
from engine.predictions.scoring import (
    CORRECT_POINTS,
    UPSET_BONUS_CAP,
    UPSET_POINTS_PER_SEED,
    pick_points,
    upset_bonus,
)
from engine.predictions.service import PredictionService, is_locked
from engine.predictions.views import (
    PickResult,
    PredictableMatch,
    PredictionBoard,
    PredictionTally,
    PredictorRow,
)

__all__ = [
    "CORRECT_POINTS",
    "UPSET_BONUS_CAP",
    "UPSET_POINTS_PER_SEED",
    "PickResult",
    "PredictableMatch",
    "PredictionBoard",
    "PredictionPictures",
    "PredictionPool",
    "PredictionRewardsPaid",
    "PredictionService",
    "PredictionTally",
    "PredictorRow",
    "RewardsOutcome",
    "is_locked",
    "pay_prediction_rewards",
    "pick_points",
    "pool_key",
    "predictions_picture",
    "upset_bonus",
]
