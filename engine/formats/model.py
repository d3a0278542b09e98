"""Plain data of a bracket: participants, slots, matches, results, standings.

Everything here is JSON-safe through ``to_dict``/``from_dict`` so the services layer can
persist it; the engine rebuilds its state by replaying results (see ``bracket.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

ParticipantId = int | str


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone (a player or a team) taking part. ``id`` is opaque to the engine."""

    id: ParticipantId
    name: str
    seed: int
    rating: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "seed": self.seed, "rating": self.rating}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Participant:
        return cls(data["id"], data["name"], int(data["seed"]), data.get("rating"))


class MatchStatus(StrEnum):
    PENDING = "pending"  # at least one slot waits for an earlier match
    READY = "ready"  # both participants known: playable
    COMPLETED = "completed"


class Outcome(StrEnum):
    PLAYED = "played"
    DRAW = "draw"
    FORFEIT = "forfeit"
    DISQUALIFICATION = "disqualification"
    WALKOVER = "walkover"  # decided by a bye or a withdrawn opponent, never reported


@dataclass(slots=True)
class SlotRef:
    """Where a participant goes next: slot ``slot`` (0 or 1) of match ``match_id``."""

    match_id: str
    slot: int

    def to_dict(self) -> dict[str, Any]:
        return {"match": self.match_id, "slot": self.slot}


@dataclass(slots=True)
class Slot:
    """One side of a match: a participant, a bye, or a reference to an earlier match."""

    participant: ParticipantId | None = None
    bye: bool = False
    source_match: str | None = None
    source_outcome: str | None = None  # "winner" or "loser"

    @property
    def filled(self) -> bool:
        return self.bye or self.participant is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "participant": self.participant,
            "bye": self.bye,
            "from": self.source_outcome,
            "match": self.source_match,
        }


@dataclass(slots=True)
class Match:
    """One match. ``side`` is "winners", "losers", "grand_final", "third_place",
    "round_robin" or "swiss"; ``group`` names the group ("A", "B", ...) when there is one."""

    id: str
    stage: str
    side: str
    round: int
    round_key: str
    round_title: str
    position: int
    best_of: int
    slots: list[Slot]
    group: str | None = None
    winner_to: SlotRef | None = None
    loser_to: SlotRef | None = None
    loser_place: int | None = None  # placement of the loser when losing ends their run
    winner_place: int | None = None  # placement of the winner when the match decides it
    status: MatchStatus = MatchStatus.PENDING
    scores: tuple[int, int] | None = None
    winner: ParticipantId | None = None
    loser: ParticipantId | None = None
    outcome: Outcome | None = None
    automatic: bool = False  # completed by the engine (bye or withdrawal), not reported

    @property
    def participants(self) -> tuple[ParticipantId | None, ParticipantId | None]:
        return self.slots[0].participant, self.slots[1].participant

    @property
    def is_bye(self) -> bool:
        return self.slots[0].bye or self.slots[1].bye

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "stage": self.stage,
            "side": self.side,
            "group": self.group,
            "round": self.round,
            "round_key": self.round_key,
            "round_title": self.round_title,
            "position": self.position,
            "best_of": self.best_of,
            "slots": [s.to_dict() for s in self.slots],
            "winner_to": self.winner_to.to_dict() if self.winner_to else None,
            "loser_to": self.loser_to.to_dict() if self.loser_to else None,
            "status": self.status.value,
            "scores": list(self.scores) if self.scores is not None else None,
            "winner": self.winner,
            "loser": self.loser,
            "outcome": self.outcome.value if self.outcome else None,
            "automatic": self.automatic,
        }


class Result(NamedTuple):
    """A reported result. ``forfeit`` is the slot (0 or 1) that forfeits; with
    ``disqualify`` that participant also leaves the tournament. A named tuple because
    results are created by the thousand when a bracket is replayed."""

    match_id: str
    scores: tuple[int, int] | None = None
    forfeit: int | None = None
    disqualify: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "result",
            "match": self.match_id,
            "scores": list(self.scores) if self.scores is not None else None,
            "forfeit": self.forfeit,
            "disqualify": self.disqualify,
        }


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A participant leaves: never paired again; pending matches are walkovers."""

    participant_id: ParticipantId

    def to_dict(self) -> dict[str, Any]:
        return {"type": "withdrawal", "participant": self.participant_id}


Action = Result | Withdrawal


def action_from_dict(data: dict[str, Any]) -> Action:
    if data["type"] == "withdrawal":
        return Withdrawal(data["participant"])
    scores = data.get("scores")
    return Result(
        data["match"],
        (int(scores[0]), int(scores[1])) if scores is not None else None,
        data.get("forfeit"),
        bool(data.get("disqualify", False)),
    )


@dataclass(frozen=True, slots=True)
class Placement:
    participant_id: ParticipantId
    place: int


@dataclass(slots=True)
class StandingRow:
    """One line of a table. ``tiebreaks`` maps tiebreaker name to value, in the order used."""

    participant_id: ParticipantId
    rank: int = 0
    group: str | None = None
    played: int = 0
    wins: int = 0
    draws: int = 0
    losses: int = 0
    points: float = 0
    score_for: int = 0
    score_against: int = 0
    byes: int = 0
    status: str = "active"
    tiebreaks: dict[str, float] = field(default_factory=dict)

    @property
    def score_difference(self) -> int:
        return self.score_for - self.score_against

    def to_dict(self) -> dict[str, Any]:
        return {
            "participant": self.participant_id,
            "rank": self.rank,
            "group": self.group,
            "played": self.played,
            "wins": self.wins,
            "draws": self.draws,
            "losses": self.losses,
            "points": self.points,
            "score_for": self.score_for,
            "score_against": self.score_against,
            "byes": self.byes,
            "status": self.status,
            "tiebreaks": dict(self.tiebreaks),
        }
