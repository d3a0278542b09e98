"""Single elimination: one loss and you are out; an optional third-place match."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.formats.kinds.elimination import EliminationStage
from engine.formats.model import Match, ParticipantId, Slot, SlotRef
from engine.formats.options import FormatOptions
from engine.formats.registry import FormatSpec, register_format

if TYPE_CHECKING:
    from engine.formats.bracket import Bracket


class SingleElimination(EliminationStage):
    """Padded to a power of two; losers of round r share place 2^(rounds-r)+1 (5th-8th
    share 5th) unless a third-place match splits the semifinal losers into 3rd and 4th."""

    def __init__(
        self,
        key: str,
        options: FormatOptions,
        seeds: Sequence[ParticipantId] | None = None,
        prefix: str = "",
        best_of: int | None = None,
    ) -> None:
        super().__init__(key, seeds, prefix, best_of)
        self.third_place = options.third_place

    def build(self, bracket: Bracket) -> None:
        bracket.register_stage(self)
        rounds = self.build_winners(bracket, "winners", "", stage_has_final=True)
        for r, matches in enumerate(rounds, start=1):
            for match in matches:
                match.loser_place = (1 << (self.rounds - r)) + 1
        final = rounds[-1][0]
        final.winner_place = 1
        if self.third_place and self.rounds >= 2:
            self._add_third_place(bracket, rounds[-2])
        self.seed_first_round(bracket, rounds[0])

    def _add_third_place(self, bracket: Bracket, semifinals: list[Match]) -> None:
        key = f"{self.prefix}3P"
        match = Match(
            key,
            self.key,
            "third_place",
            self.rounds,
            key,
            "Third-Place Match",
            1,
            bracket.best_of(key, default=self.default_best_of),
            [Slot(source_match=m.id, source_outcome="loser") for m in semifinals],
            group=self.group,
            loser_place=4,
            winner_place=3,
        )
        bracket.add_match(self, match)
        for slot, semifinal in enumerate(semifinals):
            semifinal.loser_to = SlotRef(key, slot)
            semifinal.loser_place = None


register_format(
    FormatSpec(
        key="single_elim",
        label="Single elimination",
        stage=SingleElimination,
        option_keys=("third_place",),
        demo_options=lambda players: {"third_place": True},
        expected_matches=lambda entrants: entrants - 1,
    )
)
