"""Double elimination: a winners bracket, a losers bracket and a grand final.

The losers bracket has 2(k-1) rounds for a winners bracket of k rounds. Odd rounds pair
losers-bracket survivors; even rounds bring in the losers of the next winners round. The
drop-in order rotates (reverse, half shift, reverse half shift, natural, ...) so a player
who drops does not meet, straight away, someone from their own corner of the bracket.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.formats.kinds.elimination import EliminationStage, winners_title
from engine.formats.model import Match, MatchStatus, ParticipantId, Slot, SlotRef
from engine.formats.options import FormatOptions
from engine.formats.registry import FormatSpec, register_format

if TYPE_CHECKING:
    from engine.formats.bracket import Bracket

DROP_PATTERNS = ("reverse", "half_shift", "reverse_half_shift", "natural")


def drop_order(pattern: str, count: int) -> list[int]:
    """For each losers-bracket position (0-based), the winners-bracket position feeding it."""
    natural = list(range(count))
    if pattern == "natural" or count == 1:
        return natural
    if pattern == "reverse":
        return natural[::-1]
    half = count // 2
    shifted = natural[half:] + natural[:half]
    return shifted if pattern == "half_shift" else shifted[::-1]


class DoubleElimination(EliminationStage):
    def __init__(
        self,
        key: str,
        options: FormatOptions,
        seeds: Sequence[ParticipantId] | None = None,
        prefix: str = "",
        best_of: int | None = None,
    ) -> None:
        super().__init__(key, seeds, prefix, best_of)
        self.grand_final = options.grand_final
        self.third_place = options.third_place
        self.loser_rounds = 0

    def build(self, bracket: Bracket) -> None:
        bracket.register_stage(self)
        winners = self.build_winners(bracket, "winners", "Winners ", stage_has_final=False)
        for matches in winners:
            for match in matches:
                match.round_title = winners_title(match.round, self.rounds, "Winners ")
        losers = self._build_losers(bracket, winners)
        self._link_finals(bracket, winners[-1][0], losers[-1][0])
        if self.third_place:
            self._add_decider(bracket, losers[-1][0], losers[-2])
        self.seed_first_round(bracket, winners[0])

    def _build_losers(self, bracket: Bracket, winners: list[list[Match]]) -> list[list[Match]]:
        self.loser_rounds = 2 * (self.rounds - 1)
        rounds: list[list[Match]] = []
        for r in range(1, self.loser_rounds + 1):
            j = (r + 1) // 2
            count = self.size >> (j + 1)
            rounds.append(self._losers_round(bracket, r, count))
        for r, matches in enumerate(rounds, start=1):
            self._link_losers_round(r, matches, rounds, winners)
        return rounds

    def _losers_round(self, bracket: Bracket, r: int, count: int) -> list[Match]:
        key = f"{self.prefix}L{r}"
        title = "Losers Final" if r == self.loser_rounds else f"Losers Round {r}"
        best_of = bracket.best_of(key, default=self.default_best_of)
        # Survivor rounds (odd) leave 3 * count alive, drop-in rounds (even) 2 * count.
        place = (3 if r % 2 else 2) * count + 1
        return [
            bracket.add_match(
                self,
                Match(
                    f"{key}-{p}",
                    self.key,
                    "losers",
                    r,
                    key,
                    title,
                    p,
                    best_of,
                    [Slot(), Slot()],
                    group=self.group,
                    loser_place=place,
                ),
            )
            for p in range(1, count + 1)
        ]

    def _link_losers_round(
        self, r: int, matches: list[Match], rounds: list[list[Match]], winners: list[list[Match]]
    ) -> None:
        if r == 1:
            for i, match in enumerate(matches):
                _feed(winners[0][2 * i], "loser", match, 0)
                _feed(winners[0][2 * i + 1], "loser", match, 1)
        elif r % 2 == 0:
            j = r // 2
            order = drop_order(DROP_PATTERNS[(j - 1) % len(DROP_PATTERNS)], len(matches))
            for i, match in enumerate(matches):
                _feed(rounds[r - 2][i], "winner", match, 0)
                _feed(winners[j][order[i]], "loser", match, 1)
        else:
            for i, match in enumerate(matches):
                _feed(rounds[r - 2][2 * i], "winner", match, 0)
                _feed(rounds[r - 2][2 * i + 1], "winner", match, 1)

    def _link_finals(self, bracket: Bracket, winners_final: Match, losers_final: Match) -> None:
        if self.grand_final == "none":
            winners_final.winner_place = 1
            losers_final.winner_place = 2
            return
        key = f"{self.prefix}GF"
        final = Match(
            f"{key}1",
            self.key,
            "grand_final",
            self.rounds + 1,
            key,
            "Grand Final",
            1,
            bracket.best_of(key, final=True, default=self.default_best_of),
            [Slot(), Slot()],
            group=self.group,
        )
        bracket.add_match(self, final)
        _feed(winners_final, "winner", final, 0)
        _feed(losers_final, "winner", final, 1)
        if self.grand_final == "single":
            final.winner_place, final.loser_place = 1, 2

    def _add_decider(
        self, bracket: Bracket, losers_final: Match, losers_semis: list[Match]
    ) -> None:
        key = f"{self.prefix}3P"
        decider = Match(
            key,
            self.key,
            "third_place",
            self.loser_rounds + 1,
            key,
            "Third-Place Decider",
            1,
            bracket.best_of(key, default=self.default_best_of),
            [Slot(), Slot()],
            group=self.group,
            winner_place=3,
            loser_place=4,
        )
        bracket.add_match(self, decider)
        _feed(losers_final, "loser", decider, 0)
        _feed(losers_semis[0], "loser", decider, 1)
        losers_final.loser_place = losers_semis[0].loser_place = None

    def on_completed(self, bracket: Bracket, match: Match) -> None:
        if match.id != f"{self.prefix}GF1" or self.grand_final != "reset":
            return
        champion_of_winners = match.slots[0].participant
        if match.winner == champion_of_winners or match.winner is None:
            match.winner_place, match.loser_place = 1, 2
            return
        self._add_reset(bracket, match)

    def _add_reset(self, bracket: Bracket, first: Match) -> None:
        # Only reached when the losers-bracket champion wins the first final: now both
        # finalists have one loss, so a second final decides.
        key = f"{self.prefix}GF"
        reset = Match(
            f"{key}2",
            self.key,
            "grand_final",
            self.rounds + 2,
            key,
            "Grand Final Reset",
            1,
            first.best_of,
            [
                Slot(first.slots[0].participant, source_match=first.id, source_outcome="loser"),
                Slot(first.slots[1].participant, source_match=first.id, source_outcome="winner"),
            ],
            group=self.group,
            winner_place=1,
            loser_place=2,
        )
        bracket.add_match(self, reset)
        bracket.settle(reset)

    def undo_blocker(self, bracket: Bracket, match: Match) -> str | None:
        reset = bracket.matches.get(f"{self.prefix}GF2")
        if (
            match.id == f"{self.prefix}GF1"
            and reset is not None
            and reset.status is MatchStatus.COMPLETED
            and not reset.automatic
        ):
            return reset.id
        return None


def _feed(source: Match, outcome: str, target: Match, slot: int) -> None:
    ref = SlotRef(target.id, slot)
    if outcome == "winner":
        source.winner_to = ref
    else:
        source.loser_to = ref
    target.slots[slot].source_match = source.id
    target.slots[slot].source_outcome = outcome


register_format(
    FormatSpec(
        key="double_elim",
        label="Double elimination",
        stage=DoubleElimination,
        minimum_field=3,
        option_keys=("grand_final", "dq_to_losers"),
        expected_matches=lambda entrants: 2 * entrants - 1,
    )
)
