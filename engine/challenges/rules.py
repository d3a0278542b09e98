"""Pure rules of challenges: the ways a challenge is judged, what a valid challenge is,
and what a match result must show to win an automatic one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from engine.kernel.errors import InvalidInput
from engine.kernel.text import N_, Message, msg

MAX_TITLE = 100
MAX_RULES = 1000
MAX_WINNERS = 100
MAX_PRIZE = 1_000_000
MAX_TARGET = 50
MAX_NOTE = 500
MAX_REVIEW_NOTE = 300
# Every challenge of a server pays from the server's challenge pool (engine.money pools).
SERVER_POOL_KEY = "challenges"


class Judge(StrEnum):
    REVIEW = "review"  # an organizer reviews a claim with evidence
    CLEAN_SWEEP = "clean_sweep"  # win a match without dropping a map/game
    UPSET = "upset"  # beat a higher seed
    FIRST_TO = "first_to"  # the first to N wins


AUTOMATIC = frozenset({Judge.CLEAN_SWEEP, Judge.UPSET, Judge.FIRST_TO})

JUDGE_LABELS = {
    Judge.REVIEW: N_("Organizer review of a claim with evidence"),
    Judge.CLEAN_SWEEP: N_("Automatic: win a match without dropping a map"),
    Judge.UPSET: N_("Automatic: beat a higher seed"),
    Judge.FIRST_TO: N_("Automatic: the first to a number of wins"),
}


class ChallengeStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ClaimStatus(StrEnum):
    PENDING = "pending"
    WON = "won"
    REJECTED = "rejected"


def judge_text(judge: str, target: int | None) -> Message:
    """How a challenge is judged, as players read it."""
    if judge == Judge.FIRST_TO:
        return msg("Automatic: the first to win {target} matches", target=target or 0)
    return msg(JUDGE_LABELS[Judge(judge)])


@dataclass(frozen=True)
class ChallengeDraft:
    title: str
    rules: str
    prize: int
    max_winners: int
    deadline: datetime | str  # text is read in the server's time zone
    judge: str
    target: int | None = None
    tournament_id: int | None = None


def checked_draft(draft: ChallengeDraft, now: datetime) -> ChallengeDraft:
    """The draft with its text trimmed, or ``InvalidInput`` naming what to fix."""
    title, rules = draft.title.strip(), draft.rules.strip()
    if not 3 <= len(title) <= MAX_TITLE:
        raise InvalidInput(
            msg("Give the challenge a title of 3 to {max} characters.", max=MAX_TITLE)
        )
    if not 1 <= len(rules) <= MAX_RULES:
        raise InvalidInput(
            msg("Write the rules of the challenge in 1 to {max} characters.", max=MAX_RULES)
        )
    if not 1 <= draft.prize <= MAX_PRIZE:
        raise InvalidInput(msg("The prize must be 1 to {max:,} coins per winner.", max=MAX_PRIZE))
    if not 1 <= draft.max_winners <= MAX_WINNERS:
        raise InvalidInput(msg("A challenge can have 1 to {max} winners.", max=MAX_WINNERS))
    if not isinstance(draft.deadline, datetime):
        raise TypeError("read a deadline text with the server's time zone first")
    if draft.deadline <= now:
        raise InvalidInput(msg("The deadline has to be in the future. Pick a later date and time."))
    if draft.judge not in set(Judge):
        raise InvalidInput(msg("Pick how the challenge is judged from the list."))
    target = draft.target
    if draft.judge == Judge.FIRST_TO:
        if target is None or not 1 <= target <= MAX_TARGET:
            raise InvalidInput(
                msg(
                    "A “first to N wins” challenge needs a number of wins from 1 to {max} "
                    "in the wins option.",
                    max=MAX_TARGET,
                )
            )
    else:
        target = None
    return replace(draft, title=title, rules=rules, target=target)


@dataclass(frozen=True)
class MatchFacts:
    """What a judge reads of one completed match, from the winner's side."""

    played: bool  # decided by playing (not a walkover, forfeit or disqualification)
    winner_score: int | None
    loser_score: int | None
    winner_seed: int | None
    loser_seed: int | None


def clean_sweep(facts: MatchFacts) -> bool:
    """The winner conceded no map or game."""
    return (
        facts.played
        and facts.loser_score == 0
        and facts.winner_score is not None
        and facts.winner_score > 0
    )


def upset(facts: MatchFacts) -> bool:
    """The winner was seeded lower (a bigger seed number) than the side they beat."""
    return (
        facts.played
        and facts.winner_seed is not None
        and facts.loser_seed is not None
        and facts.winner_seed > facts.loser_seed
    )
