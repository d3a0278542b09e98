"""The pure bracket engine: plans, results, standings and placements for every format.

No I/O, no storage, no Discord. State is rebuilt from (format, participants, options,
seed) plus the ordered actions, so the services layer persists only those.
"""

from engine.formats.bracket import Bracket, create_bracket, replay
from engine.formats.errors import (
    CannotUndo,
    FormatError,
    InvalidOptions,
    InvalidParticipants,
    InvalidResult,
    MatchNotPlayable,
    UnknownMatch,
    UnknownParticipant,
)
from engine.formats.model import (
    Match,
    MatchStatus,
    Outcome,
    Participant,
    ParticipantId,
    Placement,
    Result,
    Slot,
    SlotRef,
    StandingRow,
    Withdrawal,
)
from engine.formats.options import FORMATS, FormatOptions
from engine.formats.preview import format_preview_text, preview_plan
from engine.formats.seeding import (
    SEEDING_METHODS,
    apply_seeding,
    seed_by_rating,
    seed_in_given_order,
    seed_manually,
    seed_randomly,
    swap_seeds,
)

__all__ = [
    "FORMATS",
    "SEEDING_METHODS",
    "Bracket",
    "CannotUndo",
    "FormatError",
    "FormatOptions",
    "InvalidOptions",
    "InvalidParticipants",
    "InvalidResult",
    "Match",
    "MatchNotPlayable",
    "MatchStatus",
    "Outcome",
    "Participant",
    "ParticipantId",
    "Placement",
    "Result",
    "Slot",
    "SlotRef",
    "StandingRow",
    "UnknownMatch",
    "UnknownParticipant",
    "Withdrawal",
    "apply_seeding",
    "create_bracket",
    "format_preview_text",
    "preview_plan",
    "replay",
    "seed_by_rating",
    "seed_in_given_order",
    "seed_manually",
    "seed_randomly",
    "swap_seeds",
]
