"""Round robin by the circle method, single or multiple cycles, optionally in groups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.formats.errors import InvalidOptions
from engine.formats.model import Match, ParticipantId, Placement, Slot, StandingRow
from engine.formats.options import ROUND_ROBIN_TIEBREAKERS, FormatOptions
from engine.formats.registry import FormatSpec, register_format
from engine.formats.seeding import group_name, snake_groups
from engine.formats.stage import Stage
from engine.formats.standings import rank, tally

if TYPE_CHECKING:
    from engine.formats.bracket import Bracket


def circle_rounds(ids: Sequence[ParticipantId]) -> list[list[tuple[ParticipantId, ParticipantId]]]:
    """Every pair once, in n-1 rounds (n rounds when odd: one participant rests each round).

    The first participant stays put while the others rotate; it alternates home and away
    so nobody is always listed first.
    """
    circle: list[ParticipantId | None] = list(ids)
    if len(circle) % 2:
        circle.append(None)
    size = len(circle)
    rounds = []
    for r in range(size - 1):
        pairs = []
        for i in range(size // 2):
            a, b = circle[i], circle[size - 1 - i]
            if i == 0 and r % 2:
                a, b = b, a
            if a is not None and b is not None:
                pairs.append((a, b))
        rounds.append(pairs)
        circle = [circle[0], circle[-1], *circle[1:-1]]
    return rounds


class RoundRobin(Stage):
    """Everyone meets everyone in their group ``cycles`` times (later cycles swap sides)."""

    def __init__(
        self,
        key: str,
        options: FormatOptions,
        groups: Sequence[Sequence[ParticipantId]] | None = None,
        label_groups: bool = False,
        best_of: int | None = None,
    ) -> None:
        super().__init__(key)
        self.options = options
        self.groups = [list(g) for g in groups] if groups is not None else None
        self.label_groups = label_groups
        self.default_best_of = best_of
        self.tiebreakers = tuple(options.tiebreakers or ROUND_ROBIN_TIEBREAKERS)
        self.group_names: list[str] = []

    def build(self, bracket: Bracket) -> None:
        bracket.register_stage(self)
        if self.groups is None:
            ids = [p.id for p in bracket.participants]
            if self.options.groups > max(1, len(ids) // 2):
                raise InvalidOptions(
                    f"{len(ids)} participants cannot fill {self.options.groups} groups of at "
                    "least 2; use fewer groups."
                )
            self.groups = snake_groups(ids, self.options.groups)
        self.label_groups = self.label_groups or len(self.groups) > 1
        self.group_names = [group_name(g) for g in range(len(self.groups))]
        for g, members in enumerate(self.groups):
            self._build_group(bracket, g, members)
        matches = bracket.matches
        overrides = self.options.round_best_of
        for match_id in self.match_ids if overrides else ():
            if match_id in overrides:
                matches[match_id].best_of = overrides[match_id]
        bracket.open_matches([matches[m] for m in self.match_ids])

    def _build_group(self, bracket: Bracket, g: int, members: list[ParticipantId]) -> None:
        label = self.group_names[g] if self.label_groups else None
        prefix = f"G{g + 1}-" if self.label_groups else ""
        schedule = circle_rounds(members)
        matches, ids, stage = bracket.matches, self.match_ids, self.key
        for cycle in range(self.options.cycles):
            for r, pairs in enumerate(schedule, start=1 + cycle * len(schedule)):
                key = f"{prefix}R{r}"
                title = f"Group {label} · Round {r}" if label else f"Round {r}"
                best_of = bracket.best_of(key, default=self.default_best_of)
                swap = cycle % 2
                for p, (a, b) in enumerate(pairs, start=1):
                    if swap:
                        a, b = b, a
                    match_id = f"{key}-{p}"
                    matches[match_id] = Match(
                        match_id,
                        stage,
                        "round_robin",
                        r,
                        key,
                        title,
                        p,
                        best_of,
                        [Slot(a), Slot(b)],
                        label,
                    )
                    ids.append(match_id)

    def group_standings(self, bracket: Bracket, g: int) -> list[StandingRow]:
        assert self.groups is not None
        members = set(self.groups[g])
        label = self.group_names[g] if self.label_groups else None
        participants = [p for p in bracket.participants if p.id in members]
        matches = (m for m in self.matches(bracket) if m.group == label)
        rows = rank(tally(participants, matches, self.options, label), self.tiebreakers)
        for row in rows:
            if row.participant_id in bracket.withdrawn:
                row.status = "withdrawn"
        return rows

    def standings(self, bracket: Bracket) -> list[StandingRow]:
        assert self.groups is not None
        return [row for g in range(len(self.groups)) for row in self.group_standings(bracket, g)]

    def placements(self, bracket: Bracket) -> list[Placement]:
        """Once complete: the table; with G groups, group rank r shares place (r-1)*G+1."""
        if not self.is_complete(bracket):
            return []
        assert self.groups is not None
        count = len(self.groups)
        return [
            Placement(row.participant_id, (row.rank - 1) * count + 1)
            for row in self.standings(bracket)
        ]


register_format(
    FormatSpec(
        key="round_robin",
        label="Round robin",
        stage=RoundRobin,
        option_keys=("cycles",),
        draw_sides=frozenset({"round_robin"}),
        view="round_robin",
        expected_matches=lambda entrants: entrants * (entrants - 1) // 2,
    )
)
