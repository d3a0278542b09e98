"""Groups then playoff: snake-seeded groups (round robin or Swiss), then the top K of each
group in a single- or double-elimination playoff. The playoff is created automatically
inside ``apply_result`` as soon as the last group match is decided."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.formats.errors import InvalidOptions
from engine.formats.kinds.double_elim import DoubleElimination
from engine.formats.kinds.elimination import EliminationStage
from engine.formats.kinds.round_robin import RoundRobin
from engine.formats.kinds.single_elim import SingleElimination
from engine.formats.kinds.swiss import Swiss
from engine.formats.model import Match, MatchStatus, ParticipantId, Placement, StandingRow
from engine.formats.options import FormatOptions
from engine.formats.registry import FormatSpec, register_format
from engine.formats.seeding import bracket_order, group_name, next_power_of_two, snake_groups
from engine.formats.stage import Stage

if TYPE_CHECKING:
    from engine.formats.bracket import Bracket


class GroupPlayoff(Stage):
    def __init__(self, key: str, options: FormatOptions) -> None:
        super().__init__(key)
        self.options = options
        self.groups: list[list[ParticipantId]] = []
        self.group_stages: list[RoundRobin | Swiss] = []
        self.playoff: EliminationStage | None = None

    def build(self, bracket: Bracket) -> None:
        ids = [p.id for p in bracket.participants]
        self.groups = snake_groups(ids, self.options.groups)
        self._validate()
        if self.options.group_format == "swiss":
            for g, members in enumerate(self.groups):
                name = group_name(g)
                stage: RoundRobin | Swiss = Swiss(
                    f"group-{name}", self.options, members, prefix=f"G{g + 1}-", group=name
                )
                self.group_stages.append(stage)
        else:
            self.group_stages.append(
                RoundRobin("groups", self.options, self.groups, label_groups=True)
            )
        for stage in self.group_stages:
            stage.parent = self
            stage.build(bracket)

    def _validate(self) -> None:
        smallest = min(len(g) for g in self.groups)
        if smallest < 2:
            raise InvalidOptions(
                f"{self.options.groups} groups leave a group with fewer than 2 participants; "
                "use fewer groups."
            )
        advance = self.options.advance_per_group
        if advance > smallest:
            raise InvalidOptions(
                f"{advance} participants cannot advance from a group of {smallest}; "
                "lower advance_per_group or use fewer groups."
            )
        minimum = 3 if self.options.playoff_format == "double_elim" else 2
        if advance * len(self.groups) < minimum:
            raise InvalidOptions(
                f"The playoff needs at least {minimum} participants; raise advance_per_group."
            )

    # ------------------------------------------------------------- progression
    def on_completed(self, bracket: Bracket, match: Match) -> None:
        if self.playoff is None and all(s.is_complete(bracket) for s in self.group_stages):
            self._build_playoff(bracket)

    def group_tables(self, bracket: Bracket) -> list[list[StandingRow]]:
        tables: list[list[StandingRow]] = []
        for stage in self.group_stages:
            if isinstance(stage, RoundRobin):
                tables.extend(stage.group_standings(bracket, g) for g in range(len(self.groups)))
            else:
                tables.append(stage.standings(bracket))
        return tables

    def qualifiers(self, bracket: Bracket) -> list[ParticipantId]:
        """Playoff seed order: every group winner (A1, B1, ...), then every runner-up,
        ...; then first-round group-mates are separated (A1 v B2, B1 v A2, ...)."""
        tables = self.group_tables(bracket)
        seeds = [
            table[place].participant_id
            for place in range(self.options.advance_per_group)
            for table in tables
        ]
        group_of = {pid: g for g, members in enumerate(self.groups) for pid in members}
        return separate_group_mates(seeds, group_of)

    def _build_playoff(self, bracket: Bracket) -> None:
        seeds = self.qualifiers(bracket)
        best_of = self.options.playoff_best_of
        if self.options.playoff_format == "double_elim":
            self.playoff = DoubleElimination("playoff", self.options, seeds, "P-", best_of)
        else:
            self.playoff = SingleElimination("playoff", self.options, seeds, "P-", best_of)
        self.playoff.build(bracket)

    # ----------------------------------------------------------------- results
    def is_complete(self, bracket: Bracket) -> bool:
        return self.playoff is not None and self.playoff.is_complete(bracket)

    def standings(self, bracket: Bracket) -> list[StandingRow]:
        return [row for table in self.group_tables(bracket) for row in table]

    def placements(self, bracket: Bracket) -> list[Placement]:
        """Playoff places first; those who did not advance share places by group rank
        (every third-placed participant shares the place after the playoff field)."""
        if self.playoff is None:
            return []
        placements = self.playoff.placements(bracket)
        advance = self.options.advance_per_group
        count = len(self.groups)
        for table in self.group_tables(bracket):
            for row in table[advance:]:
                place = advance * count + (row.rank - advance - 1) * count + 1
                placements.append(Placement(row.participant_id, place))
        return placements

    def undo_blocker(self, bracket: Bracket, match: Match) -> str | None:
        if self.playoff is None or match.stage == self.playoff.key:
            return None
        for other in self.playoff.matches(bracket):
            if other.status is MatchStatus.COMPLETED and not other.automatic:
                return other.id
        return None


def separate_group_mates(
    seeds: Sequence[ParticipantId], group_of: dict[ParticipantId, int]
) -> list[ParticipantId]:
    """Swap lower seeds between first-round matches until no two group-mates meet in the
    first playoff round (when the field allows it), changing as few seeds as possible."""
    result = list(seeds)
    count = len(result)
    order = bracket_order(next_power_of_two(count))
    pairs = [(order[i], order[i + 1]) for i in range(0, len(order), 2) if order[i + 1] <= count]

    def clash(pair: tuple[int, int]) -> bool:
        return group_of[result[pair[0] - 1]] == group_of[result[pair[1] - 1]]

    for pair in pairs:
        if not clash(pair):
            continue
        for other in sorted(pairs, key=lambda p: abs(p[1] - pair[1])):
            if other == pair:
                continue
            a, b = pair[1] - 1, other[1] - 1
            result[a], result[b] = result[b], result[a]
            if not clash(pair) and not clash(other):
                break
            result[a], result[b] = result[b], result[a]
    return result


def _check_groups(options: FormatOptions, most: int) -> None:
    if options.groups * 2 > most:
        raise InvalidOptions(
            f"{options.groups} groups need at least {options.groups * 2} participants; "
            "use fewer groups or raise the maximum."
        )
    if options.advance_per_group * options.groups < 2:
        raise InvalidOptions("At least two participants must advance to the playoff in total.")
    if options.advance_per_group >= most // options.groups:
        raise InvalidOptions(
            f"With {options.groups} groups of about {most // options.groups}, fewer than "
            f"{most // options.groups} per group must advance; lower advance_per_group."
        )


register_format(
    FormatSpec(
        key="group_playoff",
        label="Groups and playoff",
        stage=GroupPlayoff,
        minimum_field=4,
        option_keys=("groups", "advance_per_group", "playoff_format"),
        check_options=_check_groups,
        # Its group matches are round robin or Swiss matches; the playoff never draws.
        draw_sides=frozenset({"round_robin", "swiss"}),
        view="group_playoff",
        demo_options=lambda players: {"groups": max(1, players // 4), "advance_per_group": 2},
    )
)
