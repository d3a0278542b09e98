"""Events of fan predictions."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.kernel.events import DomainEvent, domain_event


@domain_event("predictions.rewards_paid")
@dataclass(frozen=True, kw_only=True)
class PredictionRewardsPaid(DomainEvent):
    """The top predictors of a finished tournament were paid from its pool. ``unpaid``
    lists the places the pool could not cover (the organizers are told)."""

    tournament_id: int
    owner_id: int
    # [{"user_id": 7, "place": 1, "coins": 100}]
    paid: list[dict] = field(default_factory=list)
    unpaid: list[dict] = field(default_factory=list)
    pool_left: int = 0
