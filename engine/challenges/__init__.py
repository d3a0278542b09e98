from engine.challenges._payout import (
    ChallengeView,
    ClaimView,
)
from engine.challenges.events import (
    ChallengeClaimRejected,
    ChallengeClaimSubmitted,
    ChallengeCreated,
    ChallengeWon,
)
from engine.challenges.judging import (
    judge_completed_matches,
)
from engine.challenges.rules import (
    AUTOMATIC,
    JUDGE_LABELS,
    SERVER_POOL_KEY,
    ChallengeDraft,
    ChallengeStatus,
    ClaimStatus,
    Judge,
    judge_text,
)
from engine.challenges.service import (
    ChallengePool,
    ChallengeService,
)

__all__ = [
    "AUTOMATIC",
    "JUDGE_LABELS",
    "SERVER_POOL_KEY",
    "ChallengeClaimRejected",
    "ChallengeClaimSubmitted",
    "ChallengeCreated",
    "ChallengeDraft",
    "ChallengePool",
    "ChallengeService",
    "ChallengeStatus",
    "ChallengeView",
    "ChallengeWon",
    "ClaimStatus",
    "ClaimView",
    "Judge",
    "judge_completed_matches",
    "judge_text",
]
