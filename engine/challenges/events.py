"""Events: challenges are set, claimed, won and rejected."""

from __future__ import annotations

from dataclasses import dataclass

from engine.kernel.events import DomainEvent, domain_event


@domain_event("challenge.created")
@dataclass(frozen=True, kw_only=True)
class ChallengeCreated(DomainEvent):
    challenge_id: int
    title: str
    prize: int
    max_winners: int
    judge: str
    target: int | None
    deadline: str  # ISO-8601
    tournament_id: int | None
    coin_name: str = "coins"


@domain_event("challenge.won")
@dataclass(frozen=True, kw_only=True)
class ChallengeWon(DomainEvent):
    """A winner was paid: ``how`` is "match" (judged from a result) or "review"."""

    challenge_id: int
    claim_id: int
    title: str
    user_id: int
    prize: int
    balance_after: int
    how: str
    winners: int
    max_winners: int
    match_id: int | None = None
    coin_name: str = "coins"


@domain_event("challenge.claim_submitted")
@dataclass(frozen=True, kw_only=True)
class ChallengeClaimSubmitted(DomainEvent):
    """A claim waits for an organizer: sent by a member, or a win judged from a match that
    the pool could not pay yet (``automatic``)."""

    challenge_id: int
    claim_id: int
    title: str
    user_id: int
    organizer_id: int  # who set the challenge: told there is a claim to review
    automatic: bool = False


@domain_event("challenge.claim_rejected")
@dataclass(frozen=True, kw_only=True)
class ChallengeClaimRejected(DomainEvent):
    challenge_id: int
    claim_id: int
    title: str
    user_id: int
    reviewer_id: int
    reason: str
