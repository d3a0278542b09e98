"""Options of a bracket, validated once, coercible from a mapping of strings (CLI ``k=v``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.formats.errors import InvalidOptions

GRAND_FINAL_MODES = ("none", "single", "reset")
RESULT_TYPES = ("games", "points")
PAIRINGS = ("slide", "fold", "random")
TIEBREAKERS = (
    "head_to_head",
    "score_difference",
    "score_for",
    "wins",
    "buchholz",
    "median_buchholz",
    "sonneborn_berger",
    "opponent_match_win",
    "game_win",
    "opponent_game_win",
)
ROUND_ROBIN_TIEBREAKERS = ("head_to_head", "score_difference", "score_for")
SWISS_TIEBREAKERS = ("buchholz", "median_buchholz", "sonneborn_berger")


@dataclass(frozen=True)
class FormatOptions:
    """Every knob of every format; each format reads the ones it understands.

    ``round_best_of`` is keyed by a match's ``round_key`` ("W3", "L2", "GF", "3P", "R1",
    "S4", "G2-R1", "P-W1", ...) or by one match id ("W2-3"), which wins over its round.
    ``finals_best_of`` applies to the final of single elimination and to the grand
    final(s); ``playoff_best_of`` to the playoff of ``group_playoff``; ``decider_best_of``
    to wins/losses Swiss matches where a team can advance or be eliminated.
    ``pairing=None`` means "slide" for classic Swiss and "fold" after round 1 for the
    wins/losses (esports) variant, which always opens with 1 v 9 ... 8 v 16.
    """

    best_of: int = 1
    round_best_of: Mapping[str, int] = field(default_factory=dict)
    finals_best_of: int | None = None
    result_type: str = "games"
    allow_draws: bool = False
    third_place: bool = False
    grand_final: str = "reset"
    # Double elimination: a disqualification in the winners bracket drops the player to
    # the losers bracket (a forfeit) instead of removing them. Read by the match services.
    dq_to_losers: bool = False
    cycles: int = 1
    groups: int = 1
    points_win: float = 3
    points_draw: float = 1
    points_loss: float = 0
    tiebreakers: tuple[str, ...] | None = None
    rounds: int | None = None
    pairing: str | None = None
    win_target: int | None = None
    loss_limit: int | None = None
    decider_best_of: int | None = None
    group_format: str = "round_robin"
    advance_per_group: int = 2
    playoff_format: str = "single_elim"
    playoff_best_of: int | None = None

    def __post_init__(self) -> None:
        _check_choice("grand_final", self.grand_final, GRAND_FINAL_MODES)
        _check_choice("result_type", self.result_type, RESULT_TYPES)
        _check_choice("group_format", self.group_format, ("round_robin", "swiss"))
        _check_choice("playoff_format", self.playoff_format, ("single_elim", "double_elim"))
        if self.pairing is not None:
            _check_choice("pairing", self.pairing, PAIRINGS)
        for name in self.tiebreakers or ():
            _check_choice("tiebreakers", name, TIEBREAKERS)
        for key, value in self.round_best_of.items():
            _check_best_of(f"round_best_of[{key}]", value)
        for name in ("best_of", "finals_best_of", "decider_best_of", "playoff_best_of"):
            value = getattr(self, name)
            if value is not None:
                _check_best_of(name, value)
        _check_positive("cycles", self.cycles, upper=4)
        _check_positive("groups", self.groups)
        _check_positive("advance_per_group", self.advance_per_group)
        for name in ("rounds", "win_target", "loss_limit"):
            value = getattr(self, name)
            if value is not None:
                _check_positive(name, value)
        if (self.win_target is None) != (self.loss_limit is None):
            raise InvalidOptions(
                "Set both win_target and loss_limit for a wins/losses Swiss, or neither."
            )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | FormatOptions | None) -> FormatOptions:
        """Build options from a mapping; string values (from a command line) are coerced."""
        if isinstance(data, FormatOptions):
            return data
        known = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in (data or {}).items():
            if key not in known:
                raise InvalidOptions(
                    f"Unknown bracket option '{key}'. Known options are: {', '.join(known)}."
                )
            values[key] = _coerce(key, raw)
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["round_best_of"] = dict(self.round_best_of)
        data["tiebreakers"] = list(self.tiebreakers) if self.tiebreakers is not None else None
        return data

    @property
    def wins_losses(self) -> bool:
        return self.win_target is not None


_BOOL_WORDS = {
    "true": True,
    "yes": True,
    "1": True,
    "on": True,
    "false": False,
    "no": False,
    "0": False,
    "off": False,
}
_INT_FIELDS = {
    "best_of",
    "finals_best_of",
    "cycles",
    "groups",
    "rounds",
    "win_target",
    "loss_limit",
    "decider_best_of",
    "advance_per_group",
    "playoff_best_of",
}
_FLOAT_FIELDS = {"points_win", "points_draw", "points_loss"}
_BOOL_FIELDS = {"allow_draws", "third_place", "dq_to_losers"}


def _coerce(key: str, raw: Any) -> Any:
    try:
        if raw is None or not isinstance(raw, str):
            return _coerce_native(key, raw)
        if key in _INT_FIELDS:
            return None if raw.lower() in ("", "none") else int(raw)
        if key in _FLOAT_FIELDS:
            return float(raw)
        if key in _BOOL_FIELDS:
            return _BOOL_WORDS[raw.strip().lower()]
        if key == "tiebreakers":
            return tuple(t.strip() for t in raw.split(",") if t.strip())
        if key == "round_best_of":
            pairs = (item.split(":") for item in raw.split(",") if item.strip())
            return {k.strip(): int(v) for k, v in pairs}
        if key == "pairing" and raw.lower() in ("", "none"):
            return None
        return raw.strip()
    except (ValueError, KeyError) as exc:
        raise InvalidOptions(f"The value '{raw}' is not valid for the option '{key}'.") from exc


def _coerce_native(key: str, raw: Any) -> Any:
    if key == "tiebreakers" and raw is not None:
        return tuple(raw)
    if key == "round_best_of":
        return {str(k): int(v) for k, v in dict(raw).items()}
    return raw


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InvalidOptions(
            f"The option {name} cannot be '{value}'; choose one of: {', '.join(choices)}."
        )


def _check_best_of(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 99:
        raise InvalidOptions(f"The option {name} must be a whole number of games from 1 to 99.")


def _check_positive(name: str, value: object, upper: int = 10_000) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= upper:
        raise InvalidOptions(f"The option {name} must be a whole number from 1 to {upper}.")
