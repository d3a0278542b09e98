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
from engine.formats.options import FormatOptions
from engine.formats.preview import format_preview_text, preview_plan
from engine.formats.registry import (
    ALL_OPTION_KEYS,
    FORMAT_LABELS,
    FORMATS,
    MINIMUM_FIELD,
    OPTION_KEYS,
    FormatSpec,
    format_spec,
    register_format,
    unregister_format,
)
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
    "ALL_OPTION_KEYS",
    "FORMATS",
    "FORMAT_LABELS",
    "MINIMUM_FIELD",
    "OPTION_KEYS",
    "SEEDING_METHODS",
    "Bracket",
    "CannotUndo",
    "FormatError",
    "FormatOptions",
    "FormatSpec",
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
    "format_spec",
    "preview_plan",
    "register_format",
    "replay",
    "seed_by_rating",
    "seed_in_given_order",
    "seed_manually",
    "seed_randomly",
    "swap_seeds",
    "unregister_format",
]
