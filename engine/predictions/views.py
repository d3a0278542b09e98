"""What the prediction service returns: plain values for cogs, notices and pictures."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PredictableMatch:
    """A match members may still predict, as the /predict picker lists it."""

    match_id: int
    code: str
    round_title: str
    tournament_name: str
    names: tuple[str, str]


@dataclass(frozen=True)
class PickResult:
    match_id: int
    code: str
    picked: str
    against: str
    changed: bool  # True when it replaced an earlier pick of the other side


@dataclass(frozen=True)
class PredictionTally:
    """How a match's picks stand: what the public post shows once they lock."""

    match_id: int
    guild_id: int
    tournament_id: int
    tournament_name: str
    code: str
    round_title: str
    names: tuple[str, str]
    picks: tuple[int, int]
    locked: bool
    enabled: bool
    channel_id: int | None = None  # the public post, when one was recorded
    message_id: int | None = None

    @property
    def total(self) -> int:
        return self.picks[0] + self.picks[1]


@dataclass(frozen=True)
class PredictorRow:
    rank: int
    user_id: int
    name: str
    points: int
    correct: int
    scored: int  # picks of matches that counted (played to a result)
    upsets: int  # correct picks of a lower seed's win
    reward_coins: int = 0


@dataclass(frozen=True)
class PredictionBoard:
    guild_id: int
    tournament_id: int
    tournament_name: str
    rows: tuple[PredictorRow, ...]
    predictors: int
    matches_scored: int
    yours: PredictorRow | None = None
    rewards: tuple[int, ...] = ()
    coin_name: str = "coins"
